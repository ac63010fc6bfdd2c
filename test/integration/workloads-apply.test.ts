/**
 * Workloads through `netns-lab apply / destroy` (issue 16): the article plus a web server in ns2
 * (as nobody) and an exec in ns1; the page fetched from ns1; re-apply empty with the same pid; a
 * changed port restarts only it; root commands refused without approval, nothing changed; a
 * never-ready service fails naming it; destroy refuses while a `sleep` started by hand runs, and with --kill stops the service, ends the sleep
 * and leaves no process, namespace or service file behind.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Topology } from '../../src/core/model/model.js';
import { startInProcessHelper } from '../../src/engine/in-process-helper.js';
import { HelperFailure } from '../../src/engine/helper-client.js';
import { SERVICES_DIR, recordPath } from '../../src/helper/service-files.js';
import { EXAMPLES, cli, listNetns, resetSandbox, setupInternet } from './sandbox.js';

const dir = mkdtempSync(join(tmpdir(), 'netns-lab-wl-'));
const FILE = join(dir, 'lab.netns.json');
const web = (port: number) => ({ name: 'web', command: ['python3', '-m', 'http.server', String(port)], user: 'nobody', ready: { tcp: port } });
function lab(o: { port?: number; ns1Exec?: unknown[]; ns2Services?: unknown[] } = {}): Topology {
  const t = JSON.parse(readFileSync(join(EXAMPLES, 'article.netns.json'), 'utf8')) as Topology;
  t.namespaces = t.namespaces!.map((n) => (n.name === 'ns1'
    ? { ...n, exec: (o.ns1Exec ?? [{ command: ['sh', '-c', 'test "$(id -u)" = 65534'], user: 'nobody' }]) as never }
    : { ...n, services: (o.ns2Services ?? [web(o.port ?? 8080)]) as never }));
  return t;
}
const write = (t: Topology) => writeFileSync(FILE, JSON.stringify(t));
const record = () => JSON.parse(readFileSync(recordPath({ topology: 'article', ns: 'ns2', name: 'web' }), 'utf8')) as { pid: number; user: string };
const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
const uidOf = (pid: number) => /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1];
function fetchFrom(ns: string, url: string): { code: number | null; out: string } {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'python3', '-c', `import urllib.request;print(urllib.request.urlopen(${JSON.stringify(url)}, timeout=5).read().decode()[:200])`], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

const services = () => JSON.parse(cli(['services', FILE, '--json']).stdout) as { state: string; pid?: number; code?: number; restarts: number }[];
async function until(what: string, f: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!f()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('workloads through apply and destroy', () => {
  before(async () => { await resetSandbox(); await setupInternet(); });
  after(async () => {
    cli(['destroy', '--name', 'article']);
    await resetSandbox();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a root command without approval, nothing changed; the helper refuses a wrong digest too', async () => {
    write(lab({ ns1Exec: [{ command: ['ip', 'addr'], user: 'root' }] }));
    const r = cli(['apply', FILE]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /runs 1 command\(s\) as root:\n {2}exec #1 in ns1 as root: \["ip","addr"\]\napply refused: nothing was changed; .*--allow-root-commands/);
    assert.deepEqual(listNetns(), ['wan']);
    const h = await startInProcessHelper(process.env);
    try {
      await assert.rejects(h.apply({ topology: lab({ ns1Exec: [{ command: ['ip', 'addr'], user: 'root' }] }), approveRoot: 'a'.repeat(64) }),
        (e: unknown) => e instanceof HelperFailure && e.error.code === 'root-not-approved' && /exec #1 in ns1: \["ip","addr"\]/.test(e.error.message));
    } finally { await h.close(); }
    assert.deepEqual(listNetns(), ['wan']);
  });

  it('applies: the exec ran as nobody, the service runs as nobody in ns2 and ns1 fetches its page', () => {
    write(lab());
    const r = cli(['apply', FILE]);
    assert.equal(r.code, 0, r.stderr);
    const rec = record();
    assert.equal(rec.user, 'nobody');
    assert.equal(uidOf(rec.pid), '65534', 'not root');
    const page = fetchFrom('ns1', 'http://10.0.0.3:8080/');
    assert.equal(page.code, 0, page.out);
    assert.match(page.out, /Directory listing/);
  });

  it('re-apply is empty and leaves the same pid', () => {
    const pid = record().pid;
    const p = cli(['plan', FILE, '--json']);
    assert.deepEqual(JSON.parse(p.stdout).steps, []);
    const r = cli(['apply', FILE]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /applied 'article': 0 step\(s\)/);
    assert.equal(record().pid, pid);
  });

  it('a changed port restarts only that service, which then serves on the new port', () => {
    const pid = record().pid;
    write(lab({ port: 8081 }));
    const p = cli(['plan', FILE, '--json']);
    assert.deepEqual((JSON.parse(p.stdout).steps as { op: string; reason?: string }[]).map((s) => [s.op, s.reason]), [['service-restart', 'changed']]);
    const r = cli(['apply', FILE]);
    assert.equal(r.code, 0, r.stderr);
    assert.notEqual(record().pid, pid);
    assert.equal(alive(pid), false, 'the old one is gone');
    assert.equal(fetchFrom('ns1', 'http://10.0.0.3:8081/').code, 0);
  });

  it('a service that never becomes ready fails the apply naming it', () => {
    write(lab({ port: 8081, ns2Services: [web(8081), { name: 'never', command: ['sleep', '300'], user: 'nobody', ready: { tcp: 9999, timeout: 2 } }] }));
    const r = cli(['apply', FILE]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /service 'never' in ns2 was not ready within 2 s: nothing accepted on TCP port 9999/);
    assert.equal(existsSync(recordPath({ topology: 'article', ns: 'ns2', name: 'never' })), false, 'stopped, no record');
    write(lab({ port: 8081 }));
  });

  it('a failing exec stops the apply naming the command, its exit code and its output', () => {
    cli(['destroy', '--name', 'article']);
    write(lab({ ns1Exec: [{ command: ['sh', '-c', 'echo broken-thing >&2; exit 3'], user: 'nobody' }] }));
    const r = cli(['apply', FILE]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /exec in ns1: \["sh","-c","echo broken-thing >&2; exit 3"\] failed with exit code 3: broken-thing/);
    write(lab({ port: 8081 }));
    const again = cli(['apply', FILE]);
    assert.equal(again.code, 0, again.stderr);
  });

  it('status and services show it running as nobody; logs show the request', async () => {
    const pid = record().pid;
    const j = cli(['services', FILE, '--json']);
    assert.equal(j.code, 0, j.stderr);
    assert.deepEqual((JSON.parse(j.stdout) as { ns: string; name: string; state: string; pid: number; user: string }[]).map((x) => [x.ns, x.name, x.state, x.pid, x.user]), [['ns2', 'web', 'running', pid, 'nobody']]);
    const st = cli(['status', FILE]);
    assert.match(st.stdout, new RegExp(`service {8}ns2/web +running  pid ${pid} \\(nobody\\) since \\d+ s`));
    assert.equal(fetchFrom('ns1', 'http://10.0.0.3:8081/').code, 0);
    await until('the request in the log', () => /"GET \/ HTTP/.test(cli(['logs', FILE, 'web']).stdout));
  });

  it('killed by hand: status says exited with its code; restart brings it back', async () => {
    const pid = record().pid;
    process.kill(pid, 'SIGTERM');
    await until('exited', () => services()[0]!.state === 'exited');
    assert.equal(services()[0]!.code, 143);
    assert.match(cli(['status', FILE]).stdout, /service {8}ns2\/web +exited {3}code 143\n(.|\n)*article: drifted/);
    const r = cli(['restart', FILE, 'web']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /restarted service web in ns2: ns2\/web +running {2}pid \d+/);
    assert.notEqual(record().pid, pid);
    assert.equal(fetchFrom('ns1', 'http://10.0.0.3:8081/').code, 0);
  });

  it('restart on-failure brings it back after a SIGKILL', async () => {
    write(lab({ ns2Services: [{ ...web(8081), restart: 'on-failure', maxRestarts: 2 }] }));
    const r = cli(['apply', FILE]);
    assert.equal(r.code, 0, r.stderr);
    const pid = record().pid;
    process.kill(pid, 'SIGKILL');
    await until('running again', () => { const s = services()[0]!; return s.state === 'running' && s.pid !== pid; });
    assert.equal(services()[0]!.restarts, 1);
    assert.equal(fetchFrom('ns1', 'http://10.0.0.3:8081/').code, 0);
  });

  it('destroy refuses while a sleep started by hand runs in ns1 (service untouched); --kill stops the service, ends the sleep, leaves nothing', async () => {
    const svc = record().pid;
    const sleeper = spawn('ip', ['netns', 'exec', 'ns1', 'sleep', '1000'], { stdio: 'ignore', detached: true });
    const gone = new Promise((res) => sleeper.once('exit', res));
    await new Promise((res) => setTimeout(res, 300));
    const refused = cli(['destroy', FILE]);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, new RegExp(`ns1  pid ${sleeper.pid}  root  sleep 1000`));
    assert.doesNotMatch(refused.stderr, /web/, 'the service is no holder: it is the topology\'s own');
    assert.equal(alive(svc), true, 'a refused destroy changes nothing');
    const r = cli(['destroy', FILE, '--kill']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Stopped services:\nns2\/web\n/);
    assert.match(r.stderr, new RegExp(`Ended:\\nns1  pid ${sleeper.pid}  root  sleep 1000`));
    await gone;
    assert.equal(alive(svc), false);
    assert.deepEqual(listNetns(), ['wan']);
    assert.equal(existsSync(SERVICES_DIR), false, 'no service file or directory left');
  });
});
