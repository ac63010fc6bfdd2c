/**
 * Workloads (issue 16), the pure part: the model and validation of exec/services, the planner's
 * steps for added, changed, removed and unchanged services, root commands and their digest, and
 * the pure SHA-256 the digests use (against node:crypto).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { validateValue, type ValidationResult } from '../../src/core/model/validate.js';
import { topologyJsonSchema, type Topology } from '../../src/core/model/model.js';
import { sha256Hex } from '../../src/core/model/sha256.js';
import {
  WorkloadStep, canonicalJson, describeRootCommand, planWorkloads, rootCommands, rootCommandsDigest, serviceDigest,
  type LiveService,
} from '../../src/core/model/workloads.js';

function topo(ns1: Record<string, unknown> = {}, ns2: Record<string, unknown> = {}): Record<string, unknown> {
  return { version: 1, name: 'lab', namespaces: [{ name: 'ns1', ...ns1 }, { name: 'ns2', ...ns2 }] };
}
const web = { name: 'web', command: ['python3', '-m', 'http.server', '8080'], user: 'nobody', ready: { tcp: 8080 } };

function diag(r: ValidationResult, code: string): { path: (string | number)[]; severity: string; message: string } {
  const d = r.diagnostics.filter((x) => x.code === code);
  assert.equal(d.length, 1, `one '${code}' expected, got ${JSON.stringify(r.diagnostics)}`);
  return d[0]!;
}

describe('workloads in the model', () => {
  it('accepts argv and string commands, exec entries with a user, every service field', () => {
    const r = validateValue(topo({
      exec: ['ip -br addr', ['sysctl', '-n', 'net.ipv4.ip_forward'], { command: 'touch /tmp/x', user: 'alice' }],
      services: [{ ...web, env: { GREETING: 'hi', _X1: 'a=b' }, cwd: '/srv', restart: 'on-failure', maxRestarts: 3 },
        { name: 'flag', command: 'sleep 1000', ready: { file: '/run/flag', timeout: 300 } }],
    }, { services: [{ name: 'web', command: 'sleep 1' }] }));
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.ok, true);
  });

  const bad: [string, Record<string, unknown>, string, (string | number)[], string][] = [
    ['empty argv', { exec: [[]] }, 'out-of-range', ['namespaces', 0, 'exec', 0], ''],
    ['NUL in a string command', { exec: ['echo \0'] }, 'invalid-value', ['namespaces', 0, 'exec', 0], 'NUL'],
    ['257 argv words', { exec: [Array(257).fill('x')] }, 'out-of-range', ['namespaces', 0, 'exec', 0], ''],
    ['a 4097-char command', { services: [{ name: 'a', command: 'x'.repeat(4097) }] }, 'out-of-range', ['namespaces', 0, 'services', 0, 'command'], '4096'],
    ['bad user', { services: [{ name: 'a', command: 'x', user: 'Root;rm' }] }, 'invalid-user', ['namespaces', 0, 'services', 0, 'user'], 'Root;rm'],
    ['bad service name', { services: [{ name: '-x', command: 'x' }] }, 'invalid-name', ['namespaces', 0, 'services', 0, 'name'], '-x'],
    ['bad env key', { services: [{ name: 'a', command: 'x', env: { 'A-B': '1' } }] }, 'invalid-env', ['namespaces', 0, 'services', 0, 'env', 'A-B'], 'A-B'],
    ['65 env entries', { services: [{ name: 'a', command: 'x', env: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`K${i}`, 'v'])) }] }, 'out-of-range', ['namespaces', 0, 'services', 0, 'env'], '65'],
    ['relative cwd', { services: [{ name: 'a', command: 'x', cwd: 'srv' }] }, 'invalid-path', ['namespaces', 0, 'services', 0, 'cwd'], 'absolute'],
    ['cwd under /proc', { services: [{ name: 'a', command: 'x', cwd: '/proc/1/root' }] }, 'invalid-path', ['namespaces', 0, 'services', 0, 'cwd'], '/proc'],
    ['cwd with ..', { services: [{ name: 'a', command: 'x', cwd: '/srv/../proc' }] }, 'invalid-path', ['namespaces', 0, 'services', 0, 'cwd'], '..'],
    ['ready timeout 0', { services: [{ name: 'a', command: 'x', ready: { tcp: 80, timeout: 0 } }] }, 'out-of-range', ['namespaces', 0, 'services', 0, 'ready', 'timeout'], '1 s'],
    ['ready timeout 301', { services: [{ name: 'a', command: 'x', ready: { file: '/x', timeout: 301 } }] }, 'out-of-range', ['namespaces', 0, 'services', 0, 'ready', 'timeout'], '300 s'],
    ['maxRestarts 101', { services: [{ name: 'a', command: 'x', restart: 'on-failure', maxRestarts: 101 }] }, 'out-of-range', ['namespaces', 0, 'services', 0, 'maxRestarts'], '100'],
    ['restart always', { services: [{ name: 'a', command: 'x', restart: 'always' }] }, 'invalid-value', ['namespaces', 0, 'services', 0, 'restart'], 'on-failure'],
    ['unknown service field', { services: [{ name: 'a', command: 'x', image: 'alpine' }] }, 'unknown-field', ['namespaces', 0, 'services', 0, 'image'], 'image'],
    ['65 services', { services: Array.from({ length: 65 }, (_, i) => ({ name: `s${i}`, command: 'x' })) }, 'out-of-range', ['namespaces', 0, 'services'], '64'],
    ['duplicate service', { services: [{ name: 'a', command: 'x' }, { name: 'a', command: 'y' }] }, 'duplicate-name', ['namespaces', 0, 'services', 1, 'name'], "'a'"],
    ['program with =', { exec: [['A=1', 'x']] }, 'invalid-command', ['namespaces', 0, 'exec', 0, 0], 'A=1'],
  ];
  for (const [what, ns1, code, path, includes] of bad) {
    it(`refuses ${what} (${code}, naming the field)`, () => {
      const r = validateValue(topo(ns1));
      assert.equal(r.ok, false);
      const d = diag(r, code);
      assert.deepEqual(d.path, path);
      assert.equal(d.severity, 'error');
      assert.ok(d.message.includes(includes), `${d.message} names ${includes}`);
    });
  }

  it('the same service name in two namespaces is fine', () => {
    assert.deepEqual(validateValue(topo({ services: [web] }, { services: [web] })).diagnostics, []);
  });

  it('flags a root command with a warning naming its text (it does not block)', () => {
    const r = validateValue(topo({ exec: [{ command: ['sysctl', '-w', 'net.core.somaxconn=1024'], user: 'root' }], services: [{ name: 'r', command: 'tcpdump -i any', user: 'root' }] }));
    assert.equal(r.ok, true);
    const ds = r.diagnostics.filter((d) => d.code === 'root-command');
    assert.equal(ds.length, 2);
    assert.deepEqual(ds.map((d) => [d.severity, d.path]), [['warning', ['namespaces', 0, 'exec', 0, 'user']], ['warning', ['namespaces', 0, 'services', 0, 'user']]]);
    assert.ok(ds[0]!.message.includes('["sysctl","-w","net.core.somaxconn=1024"]'));
    assert.ok(ds[1]!.message.includes('tcpdump -i any'));
  });

  it('warns that maxRestarts without on-failure does nothing', () => {
    const d = diag(validateValue(topo({ services: [{ name: 'a', command: 'x', maxRestarts: 2 }] })), 'ignored-field');
    assert.equal(d.severity, 'warning');
  });

  it('the JSON Schema carries exec and services', () => {
    const s = JSON.stringify(topologyJsonSchema());
    for (const k of ['"exec"', '"services"', '"maxRestarts"', '"on-failure"', '"tcp"']) assert.ok(s.includes(k), k);
  });
});

describe('sha256Hex', () => {
  it('equals node:crypto for empty, short, block-boundary, multi-block and non-ASCII text', () => {
    for (const t of ['', 'abc', 'x'.repeat(55), 'x'.repeat(56), 'x'.repeat(64), 'y'.repeat(1000), 'ü€😀 ns1']) {
      assert.equal(sha256Hex(t), createHash('sha256').update(t, 'utf8').digest('hex'), `${t.length} chars`);
    }
  });
});

const parse = (v: Record<string, unknown>): Topology => {
  const r = validateValue(v);
  assert.ok(r.topology, JSON.stringify(r.diagnostics));
  return r.topology;
};
const running = (ns: string, name: string, digest: string, pid = 100): LiveService => ({ ns, name, state: 'running', pid, startTime: 5, nsInode: 7, digest, restarts: 0 });

describe('planWorkloads', () => {
  const t = parse(topo({ exec: ['echo one', { command: ['echo', 'two'], user: 'root' }] }, { services: [web, { name: 'other', command: 'sleep 100' }] }));
  const d = (name: string) => serviceDigest(t.namespaces![1]!.services!.find((s) => s.name === name)!);

  it('a new topology: exec in order in its created namespaces, then every service starts', () => {
    const p = planWorkloads(t, [], new Set(['ns1', 'ns2']));
    assert.deepEqual(p.map((x) => [x.phase, x.step.op, 'index' in x.step ? x.step.index : 'service' in x.step ? x.step.service.name : '']), [
      [6, 'exec-run', 0], [6, 'exec-run', 1], [7, 'service-start', 'web'], [7, 'service-start', 'other'],
    ]);
    assert.deepEqual(p[1]!.step, { op: 'exec-run', topology: 'lab', ns: 'ns1', index: 1, command: ['echo', 'two'], user: 'root' });
    assert.match(p[1]!.summary, /as root: \["echo","two"\]/);
    for (const x of p) WorkloadStep.parse(x.step);
  });

  it('unchanged and running: nothing, and exec does not run again', () => {
    assert.deepEqual(planWorkloads(t, [running('ns2', 'web', d('web')), running('ns2', 'other', d('other'))], new Set()), []);
  });

  it('a changed definition restarts only that service', () => {
    const t2 = parse(topo({}, { services: [{ ...web, command: ['python3', '-m', 'http.server', '8081'] }, { name: 'other', command: 'sleep 100' }] }));
    const p = planWorkloads(t2, [running('ns2', 'web', d('web')), running('ns2', 'other', d('other'))], new Set());
    assert.equal(p.length, 1);
    assert.equal(p[0]!.step.op, 'service-restart');
    assert.deepEqual(p[0]!.step.op === 'service-restart' && [p[0]!.step.service.name, p[0]!.step.reason], ['web', 'changed']);
  });

  it('a removed service stops (in teardown), an exited one starts again, a missing record starts', () => {
    const t3 = parse(topo({}, { services: [web] }));
    const p = planWorkloads(t3, [{ ...running('ns2', 'web', d('web')), state: 'exited', code: 143 }, running('ns2', 'other', d('other')), running('gone', 'x', 'f'.repeat(64))], new Set());
    assert.deepEqual(p.map((x) => [x.phase, x.step.op, x.step.ns]), [[0, 'service-stop', 'ns2'], [0, 'service-stop', 'gone'], [7, 'service-start', 'ns2']]);
  });

  it('a re-created namespace runs its exec again and restarts its running services', () => {
    const p = planWorkloads(t, [running('ns2', 'web', d('web')), running('ns2', 'other', d('other'))], new Set(['ns2']));
    assert.deepEqual(p.map((x) => x.step.op === 'service-restart' ? x.step.reason : x.step.op), ['namespace-recreated', 'namespace-recreated']);
    assert.deepEqual(planWorkloads(t, [], new Set(['ns1'])).map((x) => x.step.op), ['exec-run', 'exec-run', 'service-start', 'service-start']);
  });

  it('the digest ignores key order and spelled-out defaults, and sees every real change', () => {
    const a = serviceDigest({ name: 's', command: 'x', env: { A: '1', B: '2' } });
    assert.equal(a, serviceDigest({ env: { B: '2', A: '1' }, command: 'x', name: 's', restart: 'no' }));
    assert.equal(serviceDigest({ name: 's', command: 'x', restart: 'on-failure' }), serviceDigest({ name: 's', command: 'x', restart: 'on-failure', maxRestarts: 5 }));
    const variants = [{ command: 'y' }, { command: ['x'] }, { env: { A: '1' } }, { user: 'root' }, { cwd: '/' }, { restart: 'on-failure' as const }, { ready: { tcp: 1 } }];
    for (const v of variants) assert.notEqual(serviceDigest({ name: 's', command: 'x', env: { A: '1', B: '2' }, ...v }), a, JSON.stringify(v));
  });
});

describe('rootCommands', () => {
  it('lists every root command with its exact text, env and cwd; nothing for other users', () => {
    const t = parse(topo(
      { exec: ['echo me', { command: 'sysctl -w net.ipv4.ip_forward=1', user: 'root' }] },
      { services: [web, { name: 'dump', command: ['tcpdump', '-i', 'any'], user: 'root', env: { X: '1' }, cwd: '/tmp' }] },
    ));
    const r = rootCommands(t);
    assert.deepEqual(r, [
      { ns: 'ns1', kind: 'exec', which: 1, text: 'sysctl -w net.ipv4.ip_forward=1' },
      { ns: 'ns2', kind: 'service', which: 'dump', text: '["tcpdump","-i","any"]', env: { X: '1' }, cwd: '/tmp' },
    ]);
    assert.equal(describeRootCommand(r[1]!), `service 'dump' in ns2 as root: ["tcpdump","-i","any"] with env {"X":"1"} in /tmp`);
    assert.deepEqual(rootCommands(parse(topo({ services: [web] }))), []);
  });

  it('when root applies directly, entries without a user run as root and are listed too', () => {
    const t = parse(topo({ exec: ['echo me'], services: [web, { name: 'mine', command: 'sleep 9' }] }));
    assert.deepEqual(rootCommands(t), []);
    assert.deepEqual(rootCommands(t, { applierIsRoot: true }).map((r) => [r.kind, r.which, r.text]), [['exec', 0, 'echo me'], ['service', 'mine', 'sleep 9']]);
  });

  it('the digest changes with any text, env or order, and only then', () => {
    const base = [{ ns: 'a', kind: 'exec' as const, which: 0, text: 'x' }, { ns: 'a', kind: 'service' as const, which: 's', text: 'y', env: { A: '1' } }];
    const dg = rootCommandsDigest(base);
    assert.match(dg, /^[0-9a-f]{64}$/);
    assert.equal(rootCommandsDigest(JSON.parse(JSON.stringify(base))), dg);
    assert.notEqual(rootCommandsDigest([base[1]!, base[0]!]), dg);
    assert.notEqual(rootCommandsDigest([base[0]!, { ...base[1]!, env: { A: '2' } }]), dg);
    assert.notEqual(rootCommandsDigest([{ ...base[0]!, text: 'x ' }, base[1]!]), dg);
    assert.equal(canonicalJson({ b: 1, a: [1, { d: 2, c: undefined }] }), '{"a":[1,{"d":2}],"b":1}');
  });
});
