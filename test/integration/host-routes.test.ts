/**
 * Issue 13, finding 2: a topology's host routes must never replace or delete a route of the
 * host that netns-lab did not make. Each attack runs against the real helper process (started
 * as root with SUDO_UID/SUDO_GID set, as sudo does) or the CLI, and the whole sandbox
 * (interfaces, addresses, routes of every table, rules, sysctls, namespaces, iptables,
 * /etc/netns, the journal, tool processes) is compared with its state before.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { Topology } from '../../src/core/model/model.js';
import { HelperFailure, startHelper, type CallOp, type HelperClient } from '../../src/engine/helper-client.js';
import type { ParamsOf, ResultOf } from '../../src/helper/protocol.js';
import { sandboxState, settledState, stateDiff, toolsLeft, type SandboxState } from './live-state.js';
import { EXAMPLES, ROOT, WAN, cli, resetSandbox, setupInternet, sh } from './sandbox.js';

const HELPER = join(ROOT, 'dist', 'helper.js');
type Topo = Topology & Record<string, any>;
const article = (): Topo => JSON.parse(readFileSync(join(EXAMPLES, 'article.netns.json'), 'utf8')) as Topo;
const withHostRoutes = (routes: unknown[]): Topo => { const t = article(); t.host!.routes = routes as never; return t; };

function assertSame(actual: SandboxState, expected: SandboxState, what: string): void {
  const d = stateDiff(actual, expected);
  assert.ok(d.length === 0, `${what}; differences (actual != expected):\n  ${d.join('\n  ')}`);
}

/** the real helper process, started the way sudo starts it for an unprivileged user */
function helper(): Promise<HelperClient> {
  return startHelper({ helperPath: HELPER, elevation: 'direct', env: { SUDO_UID: '65534', SUDO_GID: '65534', SUDO_USER: 'nobody' } });
}
async function once<K extends CallOp>(op: K, params: ParamsOf<K>): Promise<ResultOf<K>> {
  const h = await helper();
  try { return await h.call(op, params); } finally { await h.close(); }
}
async function refused<K extends CallOp>(op: K, params: ParamsOf<K>): Promise<HelperFailure> {
  const e = await once(op, params).then(() => undefined, (x: unknown) => x);
  assert.ok(e instanceof HelperFailure, `the helper ran ${op}: ${String(e)}`);
  return e;
}
const hostRoutes = (): string[] => (JSON.parse(sh('ip', ['-j', 'route', 'show', 'table', 'all'])) as Record<string, unknown>[])
  .map((r) => `${String(r.dst)} ${String(r.gateway ?? '-')} ${String(r.dev ?? '-')} ${String(r.metric ?? 0)} ${String(r.table ?? 'main')}`);

describe('host routes never replace or delete what netns-lab did not make (issue 13, finding 2)', () => {
  let dir = '';
  let baseline: SandboxState;
  before(async () => { await resetSandbox(); await setupInternet(); dir = mkdtempSync(join(tmpdir(), 'nsl-hostroutes-')); });
  after(async () => { rmSync(dir, { recursive: true, force: true }); await resetSandbox(); });
  beforeEach(async () => { baseline = await settledState(); });
  afterEach(async () => {
    await once('destroy', { name: 'article' }).catch(() => undefined);
    assert.deepEqual(await toolsLeft(), [], 'no tool process left running');
  });
  const file = (t: Topo): string => { const p = join(dir, 'article.netns.json'); writeFileSync(p, JSON.stringify(t)); return p; };

  it('"default via 10.0.0.2": refused before anything runs, and destroy leaves the host its own default route', async () => {
    assert.ok(hostRoutes().includes(`default ${WAN.gateway} ${WAN.uplink} 0 main`), 'the host has its default route');
    const e = await refused('apply', { topology: withHostRoutes([{ to: 'default', via: '10.0.0.2' }]) });
    assert.equal(e.error.code, 'plan-refused');
    assert.match(e.error.message, /the host already has a route to default \(default via 203\.0\.113\.2 dev uplink0\) that is not netns-lab's/);
    assertSame(sandboxState(), baseline, 'a refused apply changed the sandbox');
    await once('destroy', { name: 'article' });
    assertSame(sandboxState(), baseline, 'destroy after a refused apply changed the sandbox');
  });

  it('the same through the CLI: exit 1 naming the clash and the field, nothing changed', () => {
    const r = cli(['apply', file(withHostRoutes([{ to: 'default', via: '10.0.0.2' }]))]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /\(at \$\.host\.routes\[0\]\.to\)/);
    assert.match(r.stderr, /error unowned-clash: the host already has a route to default/);
    assertSame(sandboxState(), baseline, 'a refused apply changed the sandbox');
  });

  it('a hand-made static route to the same destination through the uplink is a clash too, and survives destroy', async () => {
    sh('ip', ['route', 'add', '10.50.0.0/16', 'via', WAN.gateway, 'proto', 'static']);
    try {
      const before = sandboxState();
      const e = await refused('apply', { topology: withHostRoutes([{ to: '10.50.0.0/16', via: '10.0.0.2' }]) });
      assert.equal(e.error.code, 'plan-refused');
      assert.match(e.error.message, /the host already has a route to 10\.50\.0\.0\/16 \(10\.50\.0\.0\/16 via 203\.0\.113\.2 dev uplink0\) that is not netns-lab's/);
      assertSame(sandboxState(), before, 'a refused apply changed the sandbox');
      await once('destroy', { name: 'article' });
      assert.ok(hostRoutes().includes(`10.50.0.0/16 ${WAN.gateway} ${WAN.uplink} 0 main`));
    } finally { sh('ip', ['route', 'del', '10.50.0.0/16']); }
  });

  it('a gateway reachable only through the host\'s uplink is refused (the route would be a change of the host outside the topology)', async () => {
    const t = withHostRoutes([{ to: '10.77.0.0/16', via: WAN.gateway }]);
    const e = await refused('apply', { topology: t });
    assert.equal(e.error.code, 'invalid-topology');
    assert.match(e.error.message, /gateway 203\.0\.113\.2 is not on any subnet connected to the host/);
    assert.equal(cli(['apply', file(t)]).code, 2);
    const e2 = await refused('apply', { topology: withHostRoutes([{ to: '10.77.0.0/16', dev: WAN.uplink }]) });
    assert.match(e2.error.message, /the host has no interface 'uplink0' in this topology/);
    assertSame(sandboxState(), baseline, 'a refused apply changed the sandbox');
  });

  it('an unowned link on the same subnet as the gateway: the route goes through the owned bridge, and destroy leaves nothing', async () => {
    sh('ip', ['addr', 'add', '10.0.0.50/24', 'dev', WAN.uplink]);
    try {
      const before = await settledState();
      await once('apply', { topology: withHostRoutes([{ to: '10.77.0.0/16', via: '10.0.0.2' }]) });
      assert.deepEqual(hostRoutes().filter((r) => r.startsWith('10.77.0.0/16')), ['10.77.0.0/16 10.0.0.2 br0 0 main']);
      await once('destroy', { name: 'article' });
      assertSame(await settledState(before), before, 'destroy left a change');
    } finally { sh('ip', ['addr', 'del', '10.0.0.50/24', 'dev', WAN.uplink]); }
  });

  it('another metric is allowed beside the host\'s default (listed as host-wide); an edit and destroy delete only owned routes', async () => {
    sh('ip', ['route', 'add', '10.61.0.0/16', 'via', WAN.gateway, 'proto', 'static']);
    try {
      const before = await settledState();
      const t = withHostRoutes([{ to: 'default', via: '10.0.0.2', metric: 500 }, { to: '10.60.0.0/16', via: '10.0.0.3' }]);
      const planned = cli(['plan', file(t)]);
      assert.equal(planned.code, 0, planned.stderr);
      const head = planned.stdout.split('# all steps, in order:')[0]!;
      assert.match(head, /step \d+: ip route add 0\.0\.0\.0\/0 via 10\.0\.0\.2 dev br0 metric 500 proto static {2}— adds the host's default route/);
      assert.match(head, /ip_forward/);
      await once('apply', { topology: t });
      const live = hostRoutes();
      for (const r of [`default ${WAN.gateway} ${WAN.uplink} 0 main`, 'default 10.0.0.2 br0 500 main', '10.60.0.0/16 10.0.0.3 br0 0 main', `10.61.0.0/16 ${WAN.gateway} ${WAN.uplink} 0 main`]) {
        assert.ok(live.includes(r), `${r} missing from\n${live.join('\n')}`);
      }
      // the file drops its host routes: only the two through br0 go
      await once('apply', { topology: withHostRoutes([]) });
      const after = hostRoutes();
      assert.deepEqual(after.filter((r) => r.endsWith(' main') && r.includes(' br0 ') && !/^(10\.0\.0\.0\/24|fe80::\/64) /.test(r)), [], 'the routes through br0 are gone');
      assert.ok(after.includes(`default ${WAN.gateway} ${WAN.uplink} 0 main`) && after.includes(`10.61.0.0/16 ${WAN.gateway} ${WAN.uplink} 0 main`));
      await once('destroy', { name: 'article' });
      assertSame(await settledState(before), before, 'destroy left a change');
    } finally { sh('ip', ['route', 'del', '10.61.0.0/16']); }
  });
});
