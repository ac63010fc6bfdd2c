/**
 * Issue 13: the pure rules behind adopt (core/adopt.ts), the intent journal's claims
 * (applyIntents) and its bookkeeping in the helper (journal.ts, on a fake system), and the
 * importer's shared bridges.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adoptable, previewText, undeclaredRoute } from '../../src/core/import/adopt.js';
import { importLive } from '../../src/core/import/importer.js';
import type { Topology } from '../../src/core/model/model.js';
import { applyIntents, type Intent } from '../../src/core/observe/intent.js';
import type { LiveLink, LiveState } from '../../src/core/observe/observe.js';
import { buildIndex } from '../../src/core/model/topo-index.js';
import { adoptDigest } from '../../src/helper/adopt.js';
import { JOURNAL_DIR, intentOf, parseIntent, pruneIntent, readIntents, recordEvidence } from '../../src/helper/journal.js';
import { Phase } from '../../src/core/plan/steps.js';
import { createServer } from '../../src/helper/server.js';
import type { Response } from '../../src/helper/protocol.js';
import { emptyHost, fakeSystem } from '../support/fake-system.js';
import { isReadCall } from '../support/reads.js';
import { article, articleLive, link, lo, ns, route } from '../support/fixtures.js';

/** the article built by hand: the same kernel objects, no tags */
function handMade(): LiveState {
  const l = articleLive();
  for (const n of [l.host, ...l.namespaces]) {
    n.owner = undefined;
    for (const x of n.links) { x.owner = undefined; x.alias = undefined; }
  }
  return l;
}
const USER = { uid: 1000 };
const ROOT = { uid: 0 };
const none = { processUids: new Map<string, number[]>() };
const names = (os: { kind: string; name: string }[]) => os.map((o) => `${o.kind} ${o.name}`).sort();
const reasonOf = (p: ReturnType<typeof adoptable>, name: string) => p.refuse.find((r) => r.name === name)?.reason ?? '(taken)';
const topo = (o: Partial<Topology>): Topology => ({ version: 1, name: 'evil', ...o } as Topology);

describe('adoptable: what an adoption may take (issue 13, findings 1 and 4)', () => {
  it('takes a whole hand-made network: namespaces, the bridge, both ends of each veth', () => {
    const p = adoptable(article(), handMade(), USER, none);
    assert.deepEqual(names(p.take), ['bridge br0', 'namespace ns1', 'namespace ns2', 'veth veth1', 'veth veth1-br', 'veth veth2', 'veth veth2-br']);
    assert.deepEqual(p.refuse, []);
    assert.deepEqual(p.clashes, []);
  });

  it('never takes a device of another kind, nor a veth declared as a bridge', () => {
    const l = handMade();
    l.host.links.push(link('eth0', { kind: 'device' }), link('vx0', { kind: 'vxlan' }), link('v9', { kind: 'veth' }));
    const p = adoptable(topo({ bridges: [{ name: 'eth0' }, { name: 'vx0' }, { name: 'v9' }] }), l, ROOT, none);
    assert.deepEqual(p.take, []);
    assert.match(reasonOf(p, 'eth0'), /a physical \(or kindless\) device, not a veth or a bridge/);
    assert.match(reasonOf(p, 'vx0'), /vxlan device/);
    assert.match(reasonOf(p, 'v9'), /it is a veth, the topology declares a bridge/);
  });

  it('never takes an interface with a host route the topology does not declare (the default route above all)', () => {
    const l = handMade();
    const br = l.host.links.find((x) => x.name === 'br0')!;
    l.host.routes.push(route('default', { via: '10.0.0.254', dev: 'br0', protocol: 'boot' }));
    const p = adoptable(article(), l, USER, none);
    assert.match(reasonOf(p, 'br0'), /host route 'default via 10\.0\.0\.254'/);
    // its ports lose nothing by it: the veth pairs are still whole
    assert.ok(names(p.take).includes('veth veth1-br'));
    assert.ok(br);
  });

  it('undeclaredRoute: connected routes of declared addresses, fe80::/64 and declared host routes pass; others do not', () => {
    const t = topo({ bridges: [{ name: 'br0', addresses: ['10.0.0.1/24'] }], host: { routes: [{ to: '10.9.0.0/16', via: '10.0.0.9' }] } });
    const f = buildIndex(t).ifaces[0]!;
    const ok = [
      route('10.0.0.0/24', { dev: 'br0', protocol: 'kernel' }), route('fe80::/64', { family: 6, dev: 'br0', protocol: 'kernel' }),
      route('10.9.0.0/16', { via: '10.0.0.9', dev: 'br0' }), route('default', { dev: 'other0' }),
    ];
    assert.equal(undeclaredRoute(t, f, ok), undefined);
    assert.equal(undeclaredRoute(t, f, [route('10.1.0.0/24', { dev: 'br0', protocol: 'kernel' })])?.to, '10.1.0.0/24');
    assert.equal(undeclaredRoute(t, f, [route('default', { via: '10.0.0.254', dev: 'br0' })])?.to, 'default');
  });

  it('never takes a bridge with a port that is not adopted (docker0, cni0); the adopted pair on it is still taken', () => {
    const l = handMade();
    l.host.links.push(link('vethd1', { master: 'br0', peer: { ns: null, name: 'vethd1-c' } }), link('vethd1-c', { peer: { ns: null, name: 'vethd1' } }));
    const p = adoptable(article(), l, USER, none);
    assert.match(reasonOf(p, 'br0'), /port 'vethd1' is not adopted/);
    assert.deepEqual(names(p.take), ['namespace ns1', 'namespace ns2', 'veth veth1', 'veth veth1-br', 'veth veth2', 'veth veth2-br']);
  });

  it('a namespace with processes of another user: refused unless root asks; the caller\'s own processes are fine', () => {
    const t = topo({ namespaces: [{ name: 'victimns' }] });
    const l = handMade();
    l.namespaces.push(ns('victimns', { links: [lo()] }));
    const procs = { processUids: new Map([['victimns', [65534]]]) };
    assert.match(reasonOf(adoptable(t, l, USER, procs), 'victimns'), /processes of another user \(uid 65534\)/);
    assert.deepEqual(names(adoptable(t, l, ROOT, procs).take), ['namespace victimns']);
    assert.deepEqual(names(adoptable(t, l, { uid: 65534 }, procs).take), ['namespace victimns']);
  });

  it('refusals spread: a namespace with an interface that is not adopted refuses the veth into it, and the bridge loses that port', () => {
    const l = handMade();
    l.namespaces.find((n) => n.name === 'ns1')!.links.push(link('extra0', { kind: 'vxlan' }));
    const p = adoptable(article(), l, USER, none);
    assert.match(reasonOf(p, 'ns1'), /interface 'extra0' \(vxlan\) is not adopted/);
    assert.match(reasonOf(p, 'veth1'), /namespace 'ns1' is not adopted/);
    assert.match(reasonOf(p, 'veth1-br'), /peer 'veth1' in namespace 'ns1' is not adopted/);
    assert.match(reasonOf(p, 'br0'), /port 'veth1-br' is not adopted/);
    assert.deepEqual(names(p.take), ['namespace ns2', 'veth veth2', 'veth veth2-br']);
  });

  it('a veth whose peer is not the declared other end is refused', () => {
    const l = handMade();
    const v = l.host.links.find((x) => x.name === 'veth2-br')!;
    v.peer = { ns: 'ns9', name: 'eth0' };
    assert.match(reasonOf(adoptable(article(), l, USER, none), 'veth2-br'), /peer is 'eth0' in namespace 'ns9', not the other end/);
  });

  it('objects owned by another topology are clashes (the whole adoption is refused)', () => {
    const l = handMade();
    l.namespaces[0]!.owner = 'other';
    assert.deepEqual(adoptable(article(), l, USER, none).clashes, ["namespace 'ns1' is owned by 'other'"]);
  });

  it('the preview text lists every object taken and every refusal with its reason; the digest follows the list', () => {
    const l = handMade();
    l.host.links.push(link('eth0', { kind: 'device' }));
    const p = adoptable({ ...article(), bridges: [...article().bridges!, { name: 'eth0' }] }, l, USER, none);
    const text = previewText('article', { lines: p.take.map((o) => `${o.kind} ${o.name}`), refuse: p.refuse, digest: '' });
    assert.equal(text.split('\n').filter((x) => x.startsWith('  take')).length, 7);
    assert.match(text, /refuse {2}bridge 'eth0' in the host: it is a physical \(or kindless\) device/);
    assert.notEqual(adoptDigest(p.take), adoptDigest(p.take.slice(1)));
  });
});

describe('importer: a bridge shared with namespaces that are not imported stays out (issue 13, finding 4)', () => {
  it('import of ns1 alone leaves br0 (which ns2 uses) out with a note; both are kept when both are imported', () => {
    const l = handMade();
    const one = importLive(l, { name: 'c1', namespaces: ['ns1'] });
    assert.deepEqual(one.topology.bridges, []);
    assert.ok(one.notes.some((n) => /host\/br0: bridge also has ports that are not imported \(veth2-br\)/.test(n)), one.notes.join('\n'));
    assert.deepEqual(one.topology.links!.map((x) => [x.a.node, x.a.name, x.b.node, x.b.name]), [['ns1', 'veth1', 'host', 'veth1-br']]);
    assert.deepEqual(importLive(l, { name: 'both', namespaces: ['ns1', 'ns2'] }).topology.bridges!.map((b) => b.name), ['br0']);
  });
});

describe('intent journal: claims only with evidence (issue 13, finding 3)', () => {
  const NS_AT = 1_700_000_000_000;
  const bornAt = (ms: number) => String(BigInt(ms) * 1_000_000n);
  const withNs = (born: string, ino = '4026532248', links: LiveLink[] = [lo()]): LiveState => {
    const l = handMade();
    l.namespaces = [ns('sa', { born, ino, links })];
    return l;
  };
  const claim = (it: Intent, l: LiveState) => applyIntents(l, [it]);

  it('a namespace with recorded evidence: only that inode and birth time (an inode is reused, a birth time is not)', () => {
    const it: Intent = { topology: 'stale', namespaces: [{ name: 'sa', at: NS_AT, ino: '4026532248', born: bornAt(NS_AT + 5) }], links: [] };
    assert.equal(claim(it, withNs(bornAt(NS_AT + 5))).namespaces[0]!.owner, 'stale');
    assert.equal(claim(it, withNs(bornAt(NS_AT + 60_000))).namespaces[0]!.owner, undefined, 'made again later, same inode');
  });

  it('a namespace without evidence (killed between create and record): only one born after the entry', () => {
    const it: Intent = { topology: 'stale', namespaces: [{ name: 'sa', at: NS_AT }], links: [] };
    assert.equal(claim(it, withNs(bornAt(NS_AT + 3))).namespaces[0]!.owner, 'stale');
    assert.equal(claim(it, withNs(bornAt(NS_AT - 5000))).namespaces[0]!.owner, undefined, 'older than the entry');
    const noId = handMade();
    noId.namespaces = [ns('sa', { links: [lo()] })];
    assert.equal(claim(it, noId).namespaces[0]!.owner, undefined, 'no identity read: no claim');
  });

  it('a link: the recorded ifindex only; without it, only above the scope\'s highest ifindex when the entry was written', () => {
    const l = handMade();
    l.host.links.push(link('sbr0', { kind: 'bridge', ifindex: 40 }));
    const exact = (ifindex?: number): Intent => ({ topology: 'stale', namespaces: [], links: [{ ns: null, name: 'sbr0', above: 30, ...(ifindex ? { ifindex } : {}) }] });
    const owner = (it: Intent) => claim(it, structuredClone(l)).host.links.find((x) => x.name === 'sbr0')!.owner;
    assert.equal(owner(exact(40)), 'stale');
    assert.equal(owner(exact(41)), undefined);
    assert.equal(owner(exact()), 'stale');
    assert.equal(owner({ ...exact(), links: [{ ns: null, name: 'sbr0', above: 40 }] }), undefined);
  });

  it('a link inside a namespace that is not the topology\'s (made again by someone else) is not claimed; a tagged object never', () => {
    const it: Intent = { topology: 'stale', namespaces: [{ name: 'sa', at: NS_AT, ino: '1', born: bornAt(NS_AT) }], links: [{ ns: 'sa', name: 'eth0', above: 0, ifindex: 2 }] };
    const l = withNs(bornAt(NS_AT + 99_000), '1', [lo(), link('eth0', { ifindex: 2 })]);
    assert.equal(claim(it, l).namespaces[0]!.links[1]!.owner, undefined);
    const tagged = withNs(bornAt(NS_AT), '1', [lo('other'), link('eth0', { ifindex: 2, owner: 'other' })]);
    tagged.namespaces[0]!.owner = 'other';
    assert.equal(claim(it, tagged).namespaces[0]!.owner, 'other');
    assert.equal(claim(it, tagged).namespaces[0]!.links[1]!.owner, 'other');
  });

  it('entries of the old format (names only) or torn ones claim nothing', () => {
    assert.equal(parseIntent(JSON.stringify({ topology: 't', namespaces: ['sa'], links: [{ ns: null, name: 'sbr0' }] }), 't'), undefined);
    assert.equal(parseIntent('{"topology":"t","namespa', 't'), undefined);
    assert.ok(parseIntent(JSON.stringify({ topology: 't', namespaces: [{ name: 'sa', at: 1 }], links: [] }), 't'));
  });

  it('intentOf records the time and each scope\'s highest ifindex; recordEvidence keeps what was created, drops the rest', async () => {
    const l = handMade();
    l.host.links.push(link('x', { ifindex: 17 }));
    const steps = [
      { op: 'netns-add', name: 'sa' }, { op: 'bridge-add', ns: null, name: 'sbr0' }, { op: 'veth-add', a: { ns: 'sa', name: 'eth0' }, b: { ns: null, name: 'sa-p' } },
    ].map((step) => ({ phase: Phase.Create, step, summary: '' })) as Parameters<typeof intentOf>[1];
    const it = intentOf('stale', steps, l, NS_AT);
    assert.deepEqual(it.namespaces, [{ name: 'sa', at: NS_AT }]);
    assert.deepEqual(it.links.map((x) => x.above), [17, 0, 17]);
    const sys = fakeSystem((argv) => (argv.join(' ') === 'ip -j -b -'
      ? { code: 0, stdout: `${JSON.stringify([{ ifindex: 1, ifname: 'lo' }, { ifindex: 18, ifname: 'sbr0' }])}\n`, stderr: '' } : undefined));
    sys.files.set(`${JOURNAL_DIR}/stale.json`, JSON.stringify(it));
    // the bridge was created; the namespace and the veth were not (a failure before them)
    await recordEvidence(sys, 'stale', steps.map((s) => s.step), [steps[1]!.step]);
    const [after] = await readIntents(sys);
    assert.deepEqual(after!.namespaces, []);
    assert.deepEqual(after!.links, [{ ns: null, name: 'sbr0', above: 17, ifindex: 18 }]);
    // the bridge is gone (removed): prune drops its entry, and with it the file
    const gone = fakeSystem((argv) => (argv[0] === 'ip' ? { code: 0, stdout: '[{"ifindex":1,"ifname":"lo"}]\n', stderr: '' } : undefined));
    gone.files.set(`${JOURNAL_DIR}/stale.json`, JSON.stringify(after));
    await pruneIntent(gone, 'stale');
    assert.deepEqual(await readIntents(gone), []);
  });
});



describe('helper: adopt in two steps', () => {
  async function ask(req: Record<string, unknown>) {
    const runner = emptyHost();
    const out: Response[] = [];
    const srv = createServer({ runner, send: (r) => out.push(r), lockWaitMs: 0 });
    await srv.onLine(JSON.stringify({ v: 1, id: 1, op: 'adopt', ...req }));
    return { final: out.find((r) => !('event' in r))!, runner };
  }
  const eth0 = topo({ bridges: [{ name: 'eth0' }] });

  it('refuses an adoption without the digest of a preview, before any process runs', async () => {
    const { final, runner } = await ask({ topology: eth0 });
    assert.ok('ok' in final && !final.ok && final.error.code === 'bad-request', JSON.stringify(final));
    assert.deepEqual(runner.calls, []);
  });

  it('a preview only reads, and shows the host\'s eth0 (with the default route) refused', async () => {
    const { final, runner } = await ask({ topology: eth0, preview: true });
    assert.ok('ok' in final && final.ok, JSON.stringify(final));
    const r = final.result as { take: unknown[]; refuse: { name: string; reason: string }[]; digest: string };
    assert.deepEqual(r.take, []);
    assert.match(r.refuse[0]!.reason, /physical \(or kindless\) device/);
    assert.match(r.digest, /^[0-9a-f]{64}$/);
    for (const c of runner.calls) assert.ok(isReadCall(c.argv, c.input), `ran ${c.argv.join(' ')}`);
  });

  it('an adoption whose digest differs from the helper\'s fresh list is refused (plan-changed), nothing written', async () => {
    const { final, runner } = await ask({ topology: eth0, expect: { digest: 'f'.repeat(64) } });
    assert.ok('ok' in final && !final.ok && final.error.code === 'plan-changed', JSON.stringify(final));
    for (const c of runner.calls) assert.ok(isReadCall(c.argv, c.input), `ran ${c.argv.join(' ')}`);
  });
});
