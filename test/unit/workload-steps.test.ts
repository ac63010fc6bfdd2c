/**
 * The workload steps in plans (issue 16): their place in the Step union and the phases, the
 * planner composed in plan(), the script and summary lines, and root approval's digest.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Topology } from '../../src/core/model/model.js';
import type { LiveState } from '../../src/core/observe/observe.js';
import { emptyTopology, plan } from '../../src/core/plan/plan.js';
import { renderArgv, renderScript } from '../../src/core/plan/render.js';
import { applierIsRoot, rootApproval, rootRefusal } from '../../src/core/plan/root-approval.js';
import { Phase, Step, executorKey, touchedScopes } from '../../src/core/plan/steps.js';
import { rootCommandsDigest, serviceDigest, type LiveService } from '../../src/core/model/workloads.js';
import { article, articleLive, bareHost, live } from '../support/fixtures.js';

const web = { name: 'web', command: ['python3', '-m', 'http.server', '8080'], user: 'nobody', ready: { tcp: 8080 } };
function withWorkloads(): Topology {
  const t = article();
  t.namespaces = t.namespaces!.map((n) => (n.name === 'ns2' ? { ...n, services: [web] } : n.name === 'ns1' ? { ...n, exec: [{ command: 'echo hi > /tmp/x', user: 'nobody' }] } : n));
  return t;
}
const running = (digest: string, o: Partial<LiveService> = {}): LiveService => ({ ns: 'ns2', name: 'web', state: 'running', pid: 4242, digest, restarts: 0, user: 'nobody', ...o });
const withServices = (l: LiveState, services: LiveService[]): LiveState => ({ ...l, services });
const ops = (t: Topology, l: LiveState) => plan(t, l).steps.map((s) => `${s.phase}:${s.step.op}${'ns' in s.step && s.step.ns ? `:${s.step.ns}` : ''}`);

describe('workload steps in the Step union', () => {
  const steps: Step[] = [
    { op: 'exec-run', topology: 'lab', ns: 'ns1', index: 0, command: ['true'] },
    { op: 'service-start', topology: 'lab', ns: 'ns2', service: web, digest: serviceDigest(web) },
    { op: 'service-restart', topology: 'lab', ns: 'ns2', service: web, digest: serviceDigest(web), reason: 'changed' },
    { op: 'service-stop', topology: 'lab', ns: 'ns2', name: 'web' },
  ];
  it('parse, touch only their namespace and run one at a time per namespace; no argv of their own', () => {
    for (const s of steps) {
      assert.ok(Step.safeParse(s).success, s.op);
      assert.deepEqual(touchedScopes(s, () => undefined), [(s as { ns: string }).ns]);
      assert.equal(executorKey(s), `workload:${(s as { ns: string }).ns}`);
      assert.equal(renderArgv(s), undefined);
    }
    assert.equal(Step.safeParse({ op: 'exec-run', topology: 'lab', ns: 'ns1', index: 0, command: ['true'], extra: 1 }).success, false);
  });
  it('the script runs an exec and a service as their user inside the namespace, every word quoted', () => {
    const text = renderScript([{ phase: Phase.Exec, step: { op: 'exec-run', topology: 'lab', ns: 'ns1', index: 0, command: "echo 'a b'", user: 'nobody' }, summary: '' },
      { phase: Phase.Services, step: steps[1]!, summary: '' }], 'x');
    assert.match(text, /# Commands run once in new namespaces \(exec\)\nip netns exec ns1 setpriv --reuid=nobody --regid=nobody --init-groups -- \/bin\/sh -c 'echo '\\''a b'\\'''\n/);
    assert.match(text, /# Services\n# service web .*\nsetsid ip netns exec ns2 setpriv --reuid=nobody --regid=nobody --init-groups -- python3 -m http.server 8080 >\/dev\/null 2>&1 < \/dev\/null &\n/);
  });
});

describe('plan(): the workloads after the network', () => {
  it('from scratch: the exec of a new namespace after Shape, then the service', () => {
    const p = plan(withWorkloads(), live({ host: bareHost() }));
    assert.deepEqual(p.errors, []);
    const w = p.steps.filter((s) => s.phase >= Phase.Exec);
    assert.deepEqual(w.map((s) => [s.phase, s.step.op, s.summary]), [
      [Phase.Exec, 'exec-run', 'run in ns1 as nobody: echo hi > /tmp/x'],
      [Phase.Services, 'service-start', 'start service web in ns2 as nobody: ["python3","-m","http.server","8080"]'],
    ]);
    assert.equal(p.steps.at(-1)!.step.op, 'service-start');
  });
  it('in sync: an unchanged running service is nothing; an existing namespace does not run its exec again', () => {
    assert.deepEqual(plan(withWorkloads(), withServices(articleLive(), [running(serviceDigest(web))])).steps, []);
  });
  it('a changed port restarts only that service; an exited one starts', () => {
    const t = withWorkloads();
    const changed = { ...web, command: ['python3', '-m', 'http.server', '8081'], ready: { tcp: 8081 } };
    t.namespaces!.find((n) => n.name === 'ns2')!.services = [changed];
    const p = plan(t, withServices(articleLive(), [running(serviceDigest(web))]));
    assert.deepEqual(p.steps.map((s) => [s.step.op, (s.step as { reason?: string }).reason]), [['service-restart', 'changed']]);
    assert.deepEqual(ops(withWorkloads(), withServices(articleLive(), [running(serviceDigest(web), { state: 'exited', code: 143, pid: undefined })])), [`${Phase.Services}:service-start:ns2`]);
  });
  it('destroy: every service stops first, before the namespaces go', () => {
    const p = plan(emptyTopology('article'), withServices(articleLive(), [running(serviceDigest(web))]));
    assert.deepEqual(p.steps[0]!.step, { op: 'service-stop', topology: 'article', ns: 'ns2', name: 'web' });
    assert.equal(p.steps[0]!.summary, 'stop service web in ns2');
    assert.ok(p.steps.findIndex((s) => s.step.op === 'netns-del') > 0);
  });
});

describe('root approval', () => {
  const t = withWorkloads();
  const rootT = (): Topology => {
    const x = withWorkloads();
    x.namespaces!.find((n) => n.name === 'ns1')!.exec = [{ command: ['sysctl', '-w', 'net.ipv4.ip_forward=1'], user: 'root' }, 'echo plain'];
    return x;
  };
  it('root applying directly is root; through sudo or pkexec it is not', () => {
    assert.equal(applierIsRoot(0, {}), true);
    assert.equal(applierIsRoot(0, { SUDO_UID: '1000' }), false);
    assert.equal(applierIsRoot(0, { PKEXEC_UID: '1000' }), false);
    assert.equal(applierIsRoot(1000, {}), false);
  });
  it('no root command: nothing to approve', () => {
    const a = rootApproval(t, 0, { SUDO_UID: '1000' });
    assert.deepEqual(a.rootCommands, []);
    assert.equal(rootRefusal(a, undefined), undefined);
  });
  it('a root command needs the digest of exactly the list; an entry without a user counts when root applies', () => {
    const viaSudo = rootApproval(rootT(), 0, { SUDO_UID: '1000' });
    assert.deepEqual(viaSudo.rootCommands.map((r) => r.text), ['["sysctl","-w","net.ipv4.ip_forward=1"]']);
    assert.equal(viaSudo.rootDigest, rootCommandsDigest(viaSudo.rootCommands));
    assert.match(rootRefusal(viaSudo, undefined)!, /1 command\(s\) as root that were not approved: exec #1 in ns1: \["sysctl"/);
    assert.equal(rootRefusal(viaSudo, viaSudo.rootDigest), undefined);
    const direct = rootApproval(rootT(), 0, {});
    assert.deepEqual(direct.rootCommands.map((r) => r.text), ['["sysctl","-w","net.ipv4.ip_forward=1"]', 'echo plain']);
    assert.notEqual(direct.rootDigest, viaSudo.rootDigest);
    assert.ok(rootRefusal(direct, viaSudo.rootDigest), 'an approval of another list does not count');
  });
});

describe('the CLI lines of services', async () => {
  const { serviceLines, withServicesStatus } = await import('../../src/cli-workloads.js');
  it('one line per service: running with pid, user and uptime; exited with its code; not started', () => {
    const now = 1_000_000;
    assert.deepEqual(serviceLines([
      { ns: 'ns2', name: 'web', state: 'running', pid: 42, user: 'nobody', since: now - 180_000, restarts: 1 },
      { ns: 'ns2', name: 'db', state: 'exited', code: 143, restarts: 0 },
      { ns: 'ns1', name: 'poll', state: 'not-started', restarts: 0 },
    ], now), [
      'ns2/web                  running  pid 42 (nobody) since 3 min, 1 restart(s)',
      'ns2/db                   exited   code 143',
      'ns1/poll                 not started',
    ]);
  });
  it('status is drifted while a service of the file does not run', () => {
    assert.equal(withServicesStatus('in-sync', [{ ns: 'a', name: 'b', state: 'exited', restarts: 0 }]), 'drifted');
    assert.equal(withServicesStatus('in-sync', [{ ns: 'a', name: 'b', state: 'running', restarts: 0 }]), 'in-sync');
    assert.equal(withServicesStatus('clash', []), 'clash');
  });
});

describe('logs -f: the new part of a re-read log', async () => {
  const { newPart } = await import('../../src/cli-workloads.js');
  it('grown at its end, unchanged, slid past its window, and rotated away', () => {
    assert.equal(newPart('', 'a\n'), 'a\n');
    assert.equal(newPart('a\nb\n', 'a\nb\nc\n'), 'c\n');
    assert.equal(newPart('a\nb\n', 'a\nb\n'), '');
    const old = 'x'.repeat(1000) + 'tail-of-old\n';
    assert.equal(newPart(old, old.slice(100) + 'new\n'), 'new\n');
    assert.equal(newPart(old, 'fresh\n'), 'fresh\n');
  });
});
