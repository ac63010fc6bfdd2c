/**
 * Review findings of issue 13 (5, 6, 7, 8, 9) that a unit can show: what runs as root is
 * found in the fixed system directories only; paths pkexec and the installer would run as
 * root must be root's alone; link-state/remove check ownership inside the owner's lock.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN_DIRS, FIXED_PATH, systemBinary } from '../../src/helper/bin.js';
import { lockFile, lockHolder } from '../../src/helper/flock.js';
import { createSystemRunner } from '../../src/helper/runner.js';
import { createServer } from '../../src/helper/server.js';
import { dropTo, inProc, shellArgv } from '../../src/helper/shell.js';
import { pingArgv } from '../../src/helper/ops/ping.js';
import type { Response } from '../../src/helper/protocol.js';
import { installProblems, pathProblems, pkexecProblems, type PathFs, type PathStat } from '../../src/engine/privilege.js';
import { writePrivateScript } from '../../src/engine/install-file.js';
import { emptyHost, fakeSystem } from '../support/fake-system.js';

const ARTICLE = JSON.parse(readFileSync(new URL('../../../examples/article.netns.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const fixed = (p: string | undefined) => !!p && BIN_DIRS.some((d) => p.startsWith(`${d}/`) && !p.slice(d.length + 1).includes('/'));

describe('finding 8: every program run as root comes from the fixed system directories', () => {
  it('systemBinary looks in /usr/sbin, /usr/bin, /sbin, /bin only, never /usr/local or PATH', () => {
    assert.equal(FIXED_PATH, '/usr/sbin:/usr/bin:/sbin:/bin');
    assert.equal(systemBinary('ip', (p) => p === '/usr/local/sbin/ip' || p === '/bin/ip'), '/bin/ip');
    assert.throws(() => systemBinary('setpriv', (p) => p.startsWith('/usr/local/')), /was not found in \/usr\/sbin, \/usr\/bin, \/sbin, \/bin/);
    for (const bad of ['/usr/local/sbin/setpriv', '../setpriv', 'set priv', './ip', '']) assert.throws(() => systemBinary(bad, () => true), /refusing to run/);
  });

  it('the shell command: ip, setpriv and env by absolute path from the fixed dirs, the directory one argument', () => {
    const bin = (c: string) => systemBinary(c, (p) => p === '/usr/sbin/ip' || (p.startsWith('/usr/bin/') && p !== '/usr/bin/ip'));
    const argv = shellArgv({ ns: 'ns1', drop: dropTo(1000, 1000, bin), dir: '/home/a b/$(id)', shellArgv: ['/bin/bash', '-i'] }, bin);
    assert.deepEqual(argv, ['/usr/sbin/ip', 'netns', 'exec', 'ns1', '/usr/bin/setpriv', '--reuid=1000', '--regid=1000', '--init-groups', '--',
      '/usr/bin/env', '--chdir=/home/a b/$(id)', '--', '/bin/bash', '-i']);
    // every program in the chain that runs as root (ip, setpriv) or picks the next one (env)
    for (const i of [0, 4, 9]) assert.ok(fixed(argv[i]), argv[i]);
    assert.deepEqual(dropTo(0, 0, bin), []);
  });

  it('an apply, a ping and a destroy run plain program names only (resolved by systemBinary), also after ip netns exec', async () => {
    const runner = emptyHost();
    const srv = createServer({ runner, send: () => undefined, lockWaitMs: 0 });
    await srv.onLine(JSON.stringify({ v: 1, id: 1, op: 'apply', topology: ARTICLE }));
    await srv.onLine(JSON.stringify({ v: 1, id: 2, op: 'destroy', name: 'article' }));
    const argvs = [...runner.calls.map((c) => c.argv), pingArgv({ from: 'ns1', target: '10.0.0.1' } as never)];
    assert.ok(argvs.length > 5);
    for (const argv of argvs) {
      assert.match(argv[0]!, /^[a-z0-9-]+$/, argv.join(' '));
      const exec = argv.indexOf('exec');
      if (argv[0] === 'ip' && argv[1] === 'netns' && exec === 2) assert.match(argv[4]!, /^[a-z0-9-]+$/, argv.join(' '));
    }
  });

  it('the system runner ignores its caller\'s PATH: a planted ip is not run, children get the fixed PATH', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netns-lab-plant-'));
    const mark = join(dir, 'ran');
    for (const name of ['ip', 'env', 'ping']) writeFileSync(join(dir, name), `#!/bin/sh\necho "$0" >> ${mark}\n`, { mode: 0o755 });
    const saved = process.env.PATH;
    process.env.PATH = `${dir}:${saved}`;
    try {
      const r = createSystemRunner();
      const env = await r.run(['env']);
      assert.equal(env.stdout.split('\n').filter((l) => l.startsWith('PATH=')).join(), `PATH=${FIXED_PATH}`);
      assert.match((await r.run(['ip', '-V'])).stdout, /ip utility/);
      assert.equal(existsSync(mark), false, 'a planted program ran');
    } finally {
      process.env.PATH = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('finding 5: the shell never enters /proc', () => {
  it('refuses /proc and everything under it, however written', () => {
    for (const p of ['/proc', '/proc/', '/proc/1/root', '//proc/1/cwd', '/./proc/self/root/etc']) assert.equal(inProc(p), true, p);
    for (const p of ['/procfs', '/home/proc', '/', '/tmp/proc/x']) assert.equal(inProc(p), false, p);
  });
});

/** a file system from a table: path -> [uid, mode] or a symlink target */
function tableFs(t: Record<string, [number, number] | string>): PathFs {
  return {
    lstat: (p): PathStat | undefined => {
      const e = t[p];
      if (e === undefined) return undefined;
      return typeof e === 'string' ? { uid: 0, mode: 0o777, isSymbolicLink: true } : { uid: e[0], mode: e[1], isSymbolicLink: false };
    },
    readlink: (p) => t[p] as string,
  };
}
const SYSTEM: Record<string, [number, number] | string> = {
  '/': [0, 0o755], '/usr': [0, 0o755], '/usr/bin': [0, 0o755], '/usr/bin/node': [0, 0o755],
  '/usr/local': [0, 0o755], '/usr/local/lib': [0, 0o755], '/usr/local/lib/netns-lab': [0, 0o755], '/usr/local/lib/netns-lab/helper-1.js': [0, 0o755],
  '/home': [0, 0o755], '/home/alice': [1000, 0o750], '/home/alice/ext': [1000, 0o755], '/home/alice/ext/helper.js': [1000, 0o644],
  '/tmp': [0, 0o1777], '/opt': [0, 0o755], '/opt/shared': [0, 0o775], '/opt/shared/node': [0, 0o755],
};

describe('finding 6: what pkexec and the installer run as root must be root\'s alone', () => {
  const cases: [string, Record<string, [number, number] | string>, string, RegExp | null][] = [
    ['a root-owned node in root-owned directories', {}, '/usr/bin/node', null],
    ['a node the user owns', { '/usr/bin/node': [1000, 0o755] }, '/usr/bin/node', /\/usr\/bin\/node is owned by uid 1000/],
    ['a node others may write', { '/usr/bin/node': [0, 0o757] }, '/usr/bin/node', /writable by others/],
    ['a node in a group-writable directory', {}, '/opt/shared/node', /\/opt\/shared is writable by its group/],
    ['a node in a directory of the user', { '/usr/bin': [1000, 0o755] }, '/usr/bin/node', /\/usr\/bin is owned by uid 1000/],
    ['a symlink to the user\'s node', { '/usr/bin/node': '/home/alice/ext/helper.js' }, '/usr/bin/node', /\/home\/alice is owned by uid 1000/],
    ['a relative symlink through ..', { '/usr/bin/node': '../../tmp/node', '/tmp/node': [0, 0o755] }, '/usr/bin/node', /\/tmp is writable by others/],
    ['a symlink loop', { '/usr/bin/node': '/usr/bin/node' }, '/usr/bin/node', /too many symbolic links/],
    ['a missing file', {}, '/usr/bin/nodejs', /does not exist/],
    ['a helper in the user\'s extension directory', {}, '/home/alice/ext/helper.js', /owned by uid 1000/],
    ['a relative path', {}, 'node', /not an absolute path/],
  ];
  for (const [what, extra, p, problem] of cases) {
    it(`${problem ? 'refuses' : 'accepts'} ${what}`, () => {
      const found = pathProblems(p, tableFs({ ...SYSTEM, ...extra }));
      if (problem) assert.match(found.join('; '), problem);
      else assert.deepEqual(found, []);
    });
  }

  it('pkexec: the node and the helper are checked; sudo and direct commands are not pkexec\'s', () => {
    const fs = tableFs(SYSTEM);
    assert.match(pkexecProblems(['pkexec', '/usr/bin/node', '/home/alice/ext/helper.js'], fs).join(), /owned by uid 1000/);
    assert.deepEqual(pkexecProblems(['pkexec', '/usr/bin/node', '/usr/local/lib/netns-lab/helper-1.js'], fs), []);
    assert.deepEqual(pkexecProblems(['sudo', '-n', '--', '/usr/bin/node', '/home/alice/ext/helper.js'], fs), []);
  });

  it('the installer: the source may be the user\'s own; node and the helper\'s place must be root\'s', () => {
    const ok = { node: '/usr/bin/node', source: '/home/alice/ext/helper.js', uid: 1000, version: '1' };
    assert.deepEqual(installProblems(ok, tableFs(SYSTEM)), []);
    assert.match(installProblems({ ...ok, uid: 1001 }, tableFs(SYSTEM)).join(), /\/home\/alice is owned by uid 1000/);
    assert.match(installProblems(ok, tableFs({ ...SYSTEM, '/usr/local/lib/netns-lab': [1000, 0o755] })).join(), /netns-lab is owned by uid 1000/);
    const fresh = Object.fromEntries(Object.entries(SYSTEM).filter(([k]) => !k.startsWith('/usr/local/lib/netns-lab')));
    assert.match(installProblems(ok, tableFs({ ...fresh, '/usr/local/lib': [0, 0o777] })).join(), /\/usr\/local\/lib is writable by others/);
    assert.match(installProblems({ ...ok, node: '/opt/shared/node' }, tableFs(SYSTEM)).join(), /writable by its group/);
  });

  it('the install script is written into a new private directory, exclusively, never at a name another user can guess', () => {
    const base = mkdtempSync(join(tmpdir(), 'netns-lab-base-'));
    chmodSync(base, 0o1777);
    // what the old installer used: another user could create it first and append to it
    const planted = join(base, `netns-lab-install-helper-${process.pid}.sh`);
    writeFileSync(planted, 'echo planted\n');
    try {
      const s = writePrivateScript('echo hello\n', base);
      assert.notEqual(s.file, planted);
      assert.equal(readFileSync(s.file, 'utf8'), 'echo hello\n');
      assert.equal(statSync(s.file).mode & 0o777, 0o600);
      assert.equal(statSync(join(s.file, '..')).mode & 0o777, 0o700);
      assert.equal(readFileSync(planted, 'utf8'), 'echo planted\n');
      s.remove();
      assert.equal(existsSync(s.file), false);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe('finding 7: lock files and their holder', () => {
  it('lock names map to files in the root-only lock directory, nothing else', () => {
    assert.equal(lockFile('topology/article'), '/run/netns-lab/locks/topology.article.lock');
    assert.equal(lockFile('ip-forward'), '/run/netns-lab/locks/ip-forward.lock');
    for (const bad of ['topology/../x', 'topology/a/b', '../x', 'topology/-n', '']) assert.throws(() => lockFile(bad), /bad lock name/);
  });

  it('the holder is read from /proc/locks: the parent of the flock child, with its command line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netns-lab-lock-'));
    const f = join(dir, 'x.lock');
    writeFileSync(f, '');
    try {
      const st = statSync(f);
      const dev = `${((st.dev >> 8) & 0xfff).toString(16).padStart(2, '0')}:${((st.dev & 0xff) | ((st.dev >> 12) & 0xfff00)).toString(16).padStart(2, '0')}`;
      const locks = `1: FLOCK  ADVISORY  WRITE 900 ${dev}:${st.ino + 1} 0 EOF\n2: -> FLOCK  ADVISORY  WRITE 901 ${dev}:${st.ino} 0 EOF\n3: FLOCK  ADVISORY  WRITE 902 ${dev}:${st.ino} 0 EOF\n`;
      const proc: Record<string, string> = { '/proc/902/stat': '902 (cat) S 777 902 1 0', '/proc/777/cmdline': 'node\0/x/cli.js\0apply\0a.json\0' };
      assert.equal(lockHolder(f, () => locks, (p) => proc[p]!), 'pid 777 (node /x/cli.js apply a.json)');
      assert.equal(lockHolder(f, () => locks.split('\n')[0]!, (p) => proc[p]!), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('finding 9: link-state and remove look at the object again inside its owner\'s lock', () => {
  /** a host with br0 tagged by owners[i] at its i-th read (the last one repeats) */
  function host(owners: (string | undefined)[], events: string[]) {
    let reads = 0;
    const sys = fakeSystem((argv, input) => {
      if (argv.join(' ') === 'ip -j netns list') return { code: 0, stdout: '[]', stderr: '' };
      if (argv[0] === 'ip' && argv.includes('-b') && argv.includes('-j')) {
        const owner = owners[Math.min(reads++, owners.length - 1)];
        events.push(`read ${owner ?? 'none'}`);
        return { code: 0, stdout: JSON.stringify([{ ifindex: 3, ifname: 'br0', flags: ['UP'], mtu: 1500, operstate: 'UP', link_type: 'ether', ...(owner ? { ifalias: `netns-lab:${owner}` } : {}), linkinfo: { info_kind: 'bridge' }, addr_info: [] }]) + '[][]', stderr: '' };
      }
      events.push(`${argv.join(' ')} ${input}`.trim());
      return undefined;
    }, { '/etc/resolv.conf': '', '/proc/sys/net/ipv4/ip_forward': '0\n' });
    sys.lock = async (name) => { events.push(`lock ${name}`); return { release: async () => { events.push(`unlock ${name}`); } }; };
    return sys;
  }
  async function remove(owners: (string | undefined)[]) {
    const events: string[] = [];
    const out: Response[] = [];
    await createServer({ runner: host(owners, events), send: (r) => out.push(r), lockWaitMs: 0 }).onLine('{"v":1,"id":1,"op":"remove","ns":null,"name":"br0"}');
    return { events, answer: out.at(-1) as { ok: boolean; error?: { code: string } } };
  }

  it('an object still owned: read, lock, read again, change, unlock', async () => {
    const { events, answer } = await remove(['theirs']);
    assert.equal(answer.ok, true);
    assert.deepEqual(events.filter((e) => !e.startsWith('iptables')), ['read theirs', 'lock topology/theirs', 'read theirs', 'ip -b - link del dev br0', 'unlock topology/theirs']);
  });

  it('an object that lost its tag while the lock was awaited: refused, nothing removed', async () => {
    const { events, answer } = await remove(['theirs', undefined]);
    assert.equal(answer.error?.code, 'not-owned');
    assert.ok(!events.some((e) => e.includes('link del')), events.join('\n'));
  });

  it('an object another topology took meanwhile: refused, nothing removed', async () => {
    const { events, answer } = await remove(['theirs', 'other']);
    assert.equal(answer.error?.code, 'changed');
    assert.ok(!events.some((e) => e.includes('link del')), events.join('\n'));
  });
});
