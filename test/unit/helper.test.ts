/**
 * The helper trusts no caller: raw protocol lines go to the server with a recording runner.
 * Hostile or malformed requests are refused with an error naming why, and start no process.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createServer } from '../../src/helper/server.js';
import type { Response } from '../../src/helper/protocol.js';
import { fakeSystem, type FakeSystem } from '../support/fake-system.js';

const ARTICLE = JSON.parse(readFileSync(new URL('../../../examples/article.netns.json', import.meta.url), 'utf8')) as Record<string, unknown>;

/** answers like an empty host with an uplink and a default route; records every argv, keeps files in memory */
function recorder(): FakeSystem {
  const hostJson = JSON.stringify([
    { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP'], mtu: 65536, operstate: 'UNKNOWN', link_type: 'loopback', addr_info: [] },
    { ifindex: 2, ifname: 'eth0', flags: ['UP'], mtu: 1500, operstate: 'UP', link_type: 'ether', addr_info: [{ family: 'inet', local: '192.0.2.10', prefixlen: 24, scope: 'global' }] },
  ]) + JSON.stringify([{ dst: 'default', gateway: '192.0.2.1', dev: 'eth0', protocol: 'boot' }]) + '[]';
  return fakeSystem((argv) => {
    if (argv.join(' ') === 'ip -j netns list') return { code: 0, stdout: '', stderr: '' };
    if (argv[0] === 'ip' && argv.includes('-b') && argv.includes('-j')) return { code: 0, stdout: hostJson, stderr: '' };
    return undefined;
  }, { '/etc/resolv.conf': 'nameserver 192.0.2.53\n', '/proc/sys/net/ipv4/ip_forward': '0\n' });
}

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
