/**
 * The helper trusts no caller: raw protocol lines go to the server with a recording runner.
 * Hostile or malformed requests are refused with an error naming why, and start no process.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createServer } from '../../src/helper/server.js';
import type { Response } from '../../src/helper/protocol.js';
import { emptyHost, fakeSystem, type FakeSystem } from '../support/fake-system.js';
import { isObserveWrite, isReadCall } from '../support/reads.js';

const ARTICLE = JSON.parse(readFileSync(new URL('../../../examples/article.netns.json', import.meta.url), 'utf8')) as Record<string, unknown>;

const recorder = emptyHost;

async function ask(line: string, runner = recorder()): Promise<{ final: Response; events: Response[]; runner: ReturnType<typeof recorder> }> {
  const out: Response[] = [];
  const srv = createServer({ runner, send: (r) => out.push(r), lockWaitMs: 0 });
  await srv.onLine(line);
  const final = out.filter((r) => !('event' in r));
  assert.equal(final.length, 1, 'exactly one answer per request');
  return { final: final[0]!, events: out.filter((r) => 'event' in r), runner };
}

function errorOf(r: Response): { code: string; message: string } {
  assert.ok('ok' in r && !r.ok, `expected an error, got ${JSON.stringify(r).slice(0, 300)}`);
  return (r as { error: { code: string; message: string } }).error;
}

describe('helper: malformed requests', () => {
  const cases: [string, string, RegExp][] = [
    ['garbage bytes', '\u0000\u00ff{not json', /bad-json/],
    ['a JSON string', '"apply"', /bad-request/],
    ['no version', '{"id":1,"op":"hello"}', /bad-version/],
    ['wrong protocol version', '{"v":2,"id":1,"op":"hello"}', /bad-version/],
    ['unknown op', '{"v":1,"id":1,"op":"exec","argv":["sh","-c","id"]}', /bad-request/],
    ['argv smuggled into a known op', '{"v":1,"id":1,"op":"hello","argv":["sh"]}', /bad-request/],
    ['negative id', '{"v":1,"id":-1,"op":"hello"}', /bad-request/],
    ['destroy with an option-like name', '{"v":1,"id":1,"op":"destroy","name":"-n"}', /bad-request/],
    ['destroy with shell text', '{"v":1,"id":1,"op":"destroy","name":"a;reboot"}', /bad-request/],
    ['observe with a traversal namespace', '{"v":1,"id":1,"op":"observe","namespaces":["../../etc"]}', /bad-request/],
    ['apply without topology fields', '{"v":1,"id":1,"op":"apply","topology":{}}', /invalid-topology/],
    ['apply with a plan digest that is not one', '{"v":1,"id":1,"op":"apply","topology":{},"expect":{"steps":1,"digest":"x"}}', /bad-request/],
  ];
  for (const [what, line, code] of cases) {
    it(`refuses ${what}, runs nothing`, async () => {
      const { final, runner } = await ask(line);
      assert.match(errorOf(final).code, code);
      assert.ok(errorOf(final).message.length > 10);
      assert.deepEqual(runner.calls, []);
      assert.deepEqual(runner.writes, []);
    });
  }
  it('echoes the id of a refused request so the caller can match it', async () => {
    const { final } = await ask('{"v":9,"id":42,"op":"hello"}');
    assert.equal((final as { id: number }).id, 42);
  });
  it('answers hello with its protocol version', async () => {
    const { final } = await ask('{"v":1,"id":7,"op":"hello"}');
    assert.ok('ok' in final && final.ok);
    assert.equal((final as { result: { protocol: number } }).result.protocol, 1);
  });
});

/** every path to a string in a JSON value */
function stringPaths(v: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof v === 'string') return [path];
  if (Array.isArray(v)) return v.flatMap((x, i) => stringPaths(x, [...path, i]));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => stringPaths(x, [...path, k]));
  return [];
}
function setAt(obj: unknown, path: (string | number)[], value: string): unknown {
  const copy = JSON.parse(JSON.stringify(obj)) as Record<string | number, unknown>;
  let cur = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  cur[path[path.length - 1]!] = value;
  return copy;
}

describe('helper: injection in every string field of a topology', () => {
  const HOSTILE = ['x; reboot', '$(id)', '`id`', '-n', '--help', '../../etc', 'a/b', 'eth0 -j ACCEPT', 'x\ny', 'x\u0000y', 'a'.repeat(70), ' ns1', 'ns1\t'];
  // free-form text (notes, $schema) is never rendered into a command; everything else is checked
  const paths = stringPaths(ARTICLE).filter((p) => p[0] !== '$schema' && p[p.length - 1] !== 'note');
  it('covers every string field of the article example', () => {
    assert.ok(paths.length >= 15, `only ${paths.length} string fields found`);
  });
  for (const p of paths) {
    it(`refuses hostile values at ${p.join('.')} before running anything`, async () => {
      for (const bad of HOSTILE) {
        const topology = setAt(ARTICLE, p, bad);
        const { final, runner } = await ask(JSON.stringify({ v: 1, id: 1, op: 'apply', topology }));
        // "inherit" and "auto" are keywords: a hostile value there is a wrong value, also refused
        assert.equal(errorOf(final).code, 'invalid-topology', `${p.join('.')} = ${JSON.stringify(bad)}`);
        assert.deepEqual(runner.calls, [], `${p.join('.')} = ${JSON.stringify(bad)} started a process`);
        assert.deepEqual(runner.writes, [], `${p.join('.')} = ${JSON.stringify(bad)} wrote a file`);
      }
    });
  }
});

describe('helper: a valid apply', () => {
  it('plans from its own observation and runs only whitelisted programs with argv arrays', async () => {
    const { final, events, runner } = await ask(JSON.stringify({ v: 1, id: 3, op: 'apply', topology: ARTICLE }));
    assert.ok('ok' in final && final.ok, JSON.stringify(final));
    assert.ok(events.length >= 3, 'progress events are streamed');
    const programs = new Set(runner.calls.map((c) => c.argv[0]));
    for (const p of programs) assert.ok(['ip', 'iptables-save', 'iptables-restore', 'nsenter', 'sysctl'].includes(p!), `ran ${p}`);
    // a handful of processes for the whole article: batches, not one process per command
    const applyCalls = runner.calls.filter((c) => c.argv[0] === 'ip' && c.input && !c.argv.includes('-j'));
    assert.ok(applyCalls.length <= 4, `${applyCalls.length} ip batches`);
    assert.ok(applyCalls.some((c) => c.input.includes('netns add ns1\n')));
    // files go through the same door: resolv.conf per namespace, ip_forward, the intent journal
    assert.equal(runner.files.get('/etc/netns/ns1/resolv.conf')?.includes('nameserver 192.0.2.53'), true);
    assert.equal(runner.files.get('/proc/sys/net/ipv4/ip_forward'), '1\n');
    assert.ok(runner.writes.includes('write /run/netns-lab/intent/article.json'));
    assert.ok(runner.writes.includes('unlink /run/netns-lab/intent/article.json'));
  });

  it('refuses to run a plan that differs from the one the caller showed the user', async () => {
    const { final, runner } = await ask(JSON.stringify({ v: 1, id: 4, op: 'apply', topology: ARTICLE, expect: { steps: 3, digest: '0'.repeat(64) } }));
    assert.equal(errorOf(final).code, 'plan-changed');
    assert.ok(runner.calls.every((c) => c.argv.includes('-j') || c.argv[0] === 'iptables-save' || c.argv.join(' ') === 'ip -j netns list'), 'only reads ran');
  });
});

describe('helper: parallel groups', () => {
  it('start nothing new after a failure and settle the running ones before reporting it', async () => {
    const { pool } = await import('../../src/helper/observe.js');
    const started: number[] = [];
    const finished: number[] = [];
    const p = pool([1, 2, 3, 4, 5, 6], 2, async (i) => {
      started.push(i);
      await new Promise((r) => setTimeout(r, i === 1 ? 5 : 20));
      if (i === 1) throw new Error('boom');
      finished.push(i);
      return i;
    });
    await assert.rejects(p, /boom/);
    // 1 fails while 2 runs: 2 is awaited, 3..6 never start
    assert.deepEqual(started, [1, 2]);
    assert.deepEqual(finished, [2]);
  });
});

/**
 * A host with things that are not the caller's: its own eth0, a namespace nobody made with
 * netns-lab ("foreign"), and a namespace and bridge another topology ("theirs") owns.
 */
function crowdedHost(): FakeSystem {
  const lo = (alias?: string) => ({ ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP'], mtu: 65536, operstate: 'UNKNOWN', link_type: 'loopback', ...(alias ? { ifalias: alias } : {}), addr_info: [] });
  const host = JSON.stringify([
    lo(),
    { ifindex: 2, ifname: 'eth0', flags: ['UP'], mtu: 1500, operstate: 'UP', link_type: 'ether', addr_info: [{ family: 'inet', local: '192.0.2.10', prefixlen: 24, scope: 'global' }] },
    { ifindex: 3, ifname: 'br0', flags: ['UP'], mtu: 1500, operstate: 'UP', link_type: 'ether', ifalias: 'netns-lab:theirs', linkinfo: { info_kind: 'bridge' }, addr_info: [] },
  ]) + JSON.stringify([{ dst: 'default', gateway: '192.0.2.1', dev: 'eth0', protocol: 'boot' }]) + '[]';
  const nsJson = (alias?: string) => JSON.stringify([lo(alias)]) + '[]';
  return fakeSystem((argv) => {
    if (argv.join(' ') === 'ip -j netns list') return { code: 0, stdout: JSON.stringify([{ name: 'foreign' }, { name: 'ns1' }]), stderr: '' };
    if (argv[0] === 'ip' && argv.includes('-b') && argv.includes('-j')) {
      const ns = argv[1] === '-n' ? argv[2] : null;
      return { code: 0, stdout: ns === null ? host : nsJson(ns === 'ns1' ? 'netns-lab:theirs' : undefined), stderr: '' };
    }
    return undefined;
  }, { '/etc/resolv.conf': 'nameserver 192.0.2.53\n', '/proc/sys/net/ipv4/ip_forward': '0\n' });
}

/** only observation ran: `ip -j` reads, iptables-save, `sysctl -n` (and observe's own batch file) */
function onlyReads(runner: FakeSystem): void {
  for (const c of runner.calls) assert.ok(isReadCall(c.argv, c.input), `ran ${c.argv.join(' ')} ${JSON.stringify(c.input)}`);
  assert.deepEqual(runner.writes.filter((w) => !isObserveWrite(w)), []);
}

describe('helper: raw protocol lines from a hostile client', () => {
  const refused: [string, string, RegExp][] = [
    ['half a message', '{"v":1,"id":1,"op":"apply","topology":{"version":1', /bad-json/],
    ['two messages on one line', '{"v":1,"id":1,"op":"hello"}{"v":1,"id":2,"op":"hello"}', /bad-json/],
    ['a byte order mark before the message', '\ufeff{"v":1,"id":1,"op":"hello"}', /bad-json/],
    ['a message with NaN', '{"v":1,"id":NaN,"op":"hello"}', /bad-json/],
    ['an empty line', '', /bad-json/],
    ['an array', '[{"v":1,"id":1,"op":"hello"}]', /bad-version|bad-request/],
    ['null', 'null', /bad-request/],
    ['the version as a string', '{"v":"1","id":1,"op":"hello"}', /bad-version/],
    ['the id as a string', '{"v":1,"id":"1","op":"hello"}', /bad-request/],
    ['a fractional id', '{"v":1,"id":1.5,"op":"hello"}', /bad-request/],
    ['an id beyond 2^53', '{"v":1,"id":9007199254740993,"op":"hello"}', /bad-request/],
    ['the op in another case', '{"v":1,"id":1,"op":"APPLY","topology":{}}', /bad-request/],
    ['__proto__ smuggling an op', '{"v":1,"id":1,"op":"hello","__proto__":{"op":"apply"}}', /bad-request/],
    ['a constructor field', '{"v":1,"id":1,"op":"hello","constructor":{"prototype":{"x":1}}}', /bad-request/],
    ['observe with an option-like namespace', '{"v":1,"id":1,"op":"observe","namespaces":["-n"]}', /bad-request/],
    ['link-state on an option-like namespace', '{"v":1,"id":1,"op":"link-state","ns":"-all","name":"lo","up":false}', /bad-request/],
    ['link-state on an option-like interface', '{"v":1,"id":1,"op":"link-state","ns":null,"name":"--help","up":false}', /bad-request/],
    ['remove with a traversal namespace', '{"v":1,"id":1,"op":"remove","ns":"../../run/netns/x"}', /bad-request/],
    ['capture on an option-like interface', '{"v":1,"id":1,"op":"capture","ns":null,"iface":"-w","format":"text"}', /bad-request/],
    ['capture with shell in the filter', '{"v":1,"id":1,"op":"capture","ns":null,"iface":"eth0","format":"text","filter":"$(id)"}', /bad-request/],
    ['capture in another format', '{"v":1,"id":1,"op":"capture","ns":null,"iface":"eth0","format":"../../x"}', /bad-request/],
    ['ping an option-like target', '{"v":1,"id":1,"op":"ping","topology":{"version":1,"name":"t"},"outside":["-f"]}', /bad-request/],
    ['ping a target with shell', '{"v":1,"id":1,"op":"ping","topology":{"version":1,"name":"t"},"outside":["8.8.8.8;id"]}', /bad-request/],
    ['ping with a flood of concurrency', '{"v":1,"id":1,"op":"ping","topology":{"version":1,"name":"t"},"concurrency":100000}', /bad-request/],
    ['doctor fixing a made-up code with shell', '{"v":1,"id":1,"op":"doctor","topology":{"version":1,"name":"t"},"fix":["$(id)"]}', /bad-request/],
    ['unwatch of a watch that does not exist', '{"v":1,"id":1,"op":"unwatch","watch":12345}', /bad-request/],
    ['apply with a negative step count', '{"v":1,"id":1,"op":"apply","topology":{"version":1,"name":"t"},"expect":{"steps":-1,"digest":"' + '0'.repeat(64) + '"}}', /bad-request/],
    ['apply of a topology given as text', '{"v":1,"id":1,"op":"apply","topology":"{\\"version\\":1,\\"name\\":\\"t\\"}"}', /invalid-topology/],
    ['apply of a 16 MB note', JSON.stringify({ v: 1, id: 1, op: 'apply', topology: { version: 1, name: 't', namespaces: [{ name: 'n', note: 'x'.repeat(16 * 1024 * 1024) }] } }), /invalid-topology/],
  ];
  for (const [what, line, code] of refused) {
    it(`refuses ${what}, runs nothing`, async () => {
      const { final, runner } = await ask(line);
      assert.match(errorOf(final).code, code);
      assert.deepEqual(runner.calls, []);
      assert.deepEqual(runner.writes, []);
    });
  }

  it('accepts the version written as 1.0 (the same JSON number)', async () => {
    const { final } = await ask('{"v":1.0,"id":1,"op":"hello"}');
    assert.ok('ok' in final && final.ok);
  });

  const unowned: [string, string, string][] = [
    ['sets the host\'s eth0 down', '{"v":1,"id":1,"op":"link-state","ns":null,"name":"eth0","up":false}', 'not-owned'],
    ['removes the host\'s eth0', '{"v":1,"id":1,"op":"remove","ns":null,"name":"eth0"}', 'not-owned'],
    ['removes the host itself', '{"v":1,"id":1,"op":"remove","ns":null}', 'bad-request'],
    ['removes a namespace nobody made with netns-lab', '{"v":1,"id":1,"op":"remove","ns":"foreign"}', 'not-owned'],
    ['sets the loopback of that namespace down', '{"v":1,"id":1,"op":"link-state","ns":"foreign","name":"lo","up":false}', 'not-owned'],
    ['removes a namespace that does not exist', '{"v":1,"id":1,"op":"remove","ns":"ghost"}', 'not-found'],
    ['removes an interface that does not exist', '{"v":1,"id":1,"op":"remove","ns":null,"name":"ghost0"}', 'not-found'],
    ['captures on an interface that does not exist', '{"v":1,"id":1,"op":"capture","ns":null,"iface":"ghost0","format":"text"}', 'not-found'],
    ['captures in a namespace that does not exist', '{"v":1,"id":1,"op":"capture","ns":"ghost","iface":"lo","format":"pcap"}', 'not-found'],
  ];
  for (const [what, line, code] of unowned) {
    it(`refuses a request that ${what}, after only reading`, async () => {
      const { final, runner } = await ask(line, crowdedHost());
      assert.equal(errorOf(final).code, code);
      onlyReads(runner);
    });
  }

  it('refuses to apply over another topology\'s namespace and bridge, after only reading', async () => {
    const mine = { version: 1, name: 'mine', bridges: [{ name: 'br0' }], namespaces: [{ name: 'ns1' }] };
    const { final, runner } = await ask(JSON.stringify({ v: 1, id: 1, op: 'apply', topology: mine }), crowdedHost());
    const e = errorOf(final);
    assert.equal(e.code, 'plan-refused');
    assert.match(e.message, /namespace 'ns1' already exists and is owned by topology 'theirs'/);
    assert.match(e.message, /interface 'br0' already exists in the host and is owned by topology 'theirs'/);
    onlyReads(runner);
  });

  it('destroys nothing it does not own: a topology named like the host\'s interface or another topology\'s object', async () => {
    for (const name of ['eth0', 'foreign', 'ns1', 'lo']) {
      const { final, runner } = await ask(JSON.stringify({ v: 1, id: 1, op: 'destroy', name }), crowdedHost());
      assert.ok('ok' in final && final.ok, JSON.stringify(final));
      assert.equal((final as { result: { steps: number } }).result.steps, 0);
      // the one change: its own journal entry for that name is cleared (there was none)
      assert.deepEqual(runner.writes.filter((w) => !isObserveWrite(w)), [`unlink /run/netns-lab/intent/${name}.json`]);
      runner.writes.length = 0;
      onlyReads(runner);
    }
  });

  it('passes a capture filter that looks like an option after "--", as one word', async () => {
    const runner = crowdedHost();
    const out: Response[] = [];
    const srv = createServer({ runner, send: (r) => out.push(r), lockWaitMs: 0 });
    const done = srv.onLine('{"v":1,"id":9,"op":"capture","ns":null,"iface":"eth0","format":"text","filter":"-w /etc/passwd"}');
    for (let i = 0; i < 100 && !runner.streams.length; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(runner.streams[0]?.argv, ['tcpdump', '-i', 'eth0', '-n', '-l', '--', '-w /etc/passwd']);
    await srv.close();
    await done;
    assert.deepEqual(runner.writes, []);
  });
});
