/**
 * The privileged helper of another machine, reached through OpenSSH: the same JSON-lines
 * protocol over the ssh channel's stdin/stdout. ssh runs as the user with the user's config,
 * agent and known_hosts; BatchMode means it never asks for a password or a host key (a missing
 * or changed key is an error, not a question). On the remote side `sudo -n` runs exactly the
 * installed helper (the sudoers rule the installer writes); a root login runs it directly.
 *
 * ssh joins the remote command into one string for the remote shell: every word of it is
 * checked against a plain-path pattern and single-quoted, and nothing in it comes from the
 * topology file but a validated path.
 */
import { connect, HelperFailure, processTransport, type HelperClient } from './helper-client.js';
import { INSTALL_DIR } from './privilege.js';
import { parseSshTarget as parseTarget, sshTargetProblem } from '../core/model/model-hosts.js';

export interface SshTarget { user: string | undefined; host: string; port: number | undefined }

export class SshSetupError extends Error {}

/** a path that needs no quoting in any shell: no spaces, quotes, $, `, ;, globs */
const PLAIN_PATH = /^\/[A-Za-z0-9_.+-]+(?:\/[A-Za-z0-9_.+-]+)*$/;

/** "user@address[:port]", "address", "user@[v6]:port" (the model's pattern): the parts, or an error naming the field */
export function parseSshTarget(text: string, field = 'ssh'): SshTarget {
  const problem = sshTargetProblem(text);
  const t = problem ? undefined : parseTarget(text);
  if (!t) throw new SshSetupError(`${field}: ${problem ?? `'${text}' is not user@address[:port]`}`);
  return { user: t.user, host: t.address, port: t.port };
}

/** the address part of a target as ssh wants it (IPv6 without brackets) */
export function sshDestination(t: SshTarget): string {
  return t.user ? `${t.user}@${t.host}` : t.host;
}

export interface SshHelperOptions {
  /** node on the remote machine (default /usr/bin/node, the one the sudoers rule names) */
  node?: string;
  /** the helper on the remote machine (default: the installed copy of this version) */
  helper?: string;
  /** the version whose installed helper is the default */
  version?: string;
  connectTimeoutS?: number;
  aliveIntervalS?: number;
  /** more ssh options from the caller, never from the file: e.g. ['-F', CONFIG], ['-i', KEY] */
  extra?: string[];
  /** the ssh program (default ssh from PATH, as the user runs it) */
  ssh?: string;
}

export const DEFAULT_REMOTE_NODE = '/usr/bin/node';

export function installedHelper(version: string): string {
  if (!/^[0-9A-Za-z.+-]{1,32}$/.test(version)) throw new SshSetupError(`bad version '${version}'`);
  return `${INSTALL_DIR}/helper-${version}.js`;
}

function plainPath(p: string, what: string): string {
  if (!PLAIN_PATH.test(p) || p.split('/').includes('..')) throw new SshSetupError(`${what}: '${p}' is not a plain absolute path (letters, digits, _ . + - and /; no '..')`);
  return p;
}

/** the command line the remote shell runs: sudo -n NODE HELPER, or NODE HELPER for root */
export function remoteCommand(t: SshTarget, node: string, helper: string): string {
  const words = [plainPath(node, 'remote node'), plainPath(helper, 'remote helper')].map((w) => `'${w}'`);
  return (t.user === 'root' ? words : ['sudo', '-n', '--', ...words]).join(' ');
}

/** the ssh argv that starts the remote helper (pure: unit-tested by deep equality) */
export function sshArgv(t: SshTarget, o: SshHelperOptions = {}): string[] {
  const connect = o.connectTimeoutS ?? 10;
  const alive = o.aliveIntervalS ?? 5;
  for (const [k, v] of [['connect timeout', connect], ['keep-alive interval', alive]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 600) throw new SshSetupError(`ssh ${k}: ${v} is not 1-600 seconds`);
  }
  for (const x of o.extra ?? []) if (/[\0\n\r]/.test(x)) throw new SshSetupError('an ssh option holds a control character');
  const helper = o.helper ?? installedHelper(o.version ?? '0.0.0');
  return [
    o.ssh ?? 'ssh', '-T',
    '-o', 'BatchMode=yes', '-o', 'PasswordAuthentication=no', '-o', 'KbdInteractiveAuthentication=no',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `ConnectTimeout=${connect}`, '-o', `ServerAliveInterval=${alive}`, '-o', 'ServerAliveCountMax=3',
    // a root session on the other side gets no agent, no X11 and no port forwarding of ours
    '-o', 'ForwardAgent=no', '-o', 'ForwardX11=no', '-o', 'ClearAllForwardings=yes', '-o', 'PermitLocalCommand=no',
    ...(t.port !== undefined ? ['-p', String(t.port)] : []),
    ...(o.extra ?? []),
    '--', sshDestination(t), remoteCommand(t, o.node ?? DEFAULT_REMOTE_NODE, helper),
  ];
}

/** why ssh (or the remote sudo/helper) ended, in words a person can act on */
export function explainSshExit(host: string, r: { exitCode?: number; code?: string; signal?: string }, stderr: string): string {
  const tail = stderr.trim().split('\n').filter((l) => l.trim()).slice(-3).join(' ');
  const said = tail ? ` (${tail})` : '';
  if (r.code === 'ENOENT') return 'ssh is not installed (openssh-client)';
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No [A-Z0-9-]+ host key is known/i.test(tail)) {
    return `the host key of ${host} is not in known_hosts or has changed${said}: connect once with ssh and check its fingerprint`;
  }
  if (/Permission denied/i.test(tail)) return `ssh to ${host} was refused${said}: the key must be in the agent or the ssh config, and in the remote authorized_keys`;
  if (/Connection refused|closed by remote host|timed out|No route to host|Could not resolve|Network is unreachable|Connection closed|Connection reset|Broken pipe/i.test(tail)) return `cannot reach ${host}${said}`;
  if (/sudo: .*(password is required|terminal is required|not allowed|may not run|not in the sudoers)/i.test(tail)) {
    return `sudo -n on ${host} refused${said}: install the helper and its sudoers rule there (docs/multi-host.md)`;
  }
  if (r.exitCode === 127 || /No such file or directory|command not found|Cannot find module/i.test(tail)) return `node or the helper is missing on ${host}${said}`;
  if (r.exitCode === 255) return `ssh to ${host} failed${said}`;
  if (r.signal) return `the connection to ${host} ended (${r.signal})${said}`;
  return r.exitCode === 0 ? `the helper on ${host} exited` : `the helper on ${host} exited with code ${r.exitCode ?? '?'}${said}`;
}

/** how long the hello may take beyond ssh's own connect timeout (sudo, node starting) */
const HELLO_SLACK_MS = 20_000;
/** how long closing may wait for ssh to end before it is killed */
const CLOSE_MS = 5_000;

/**
 * starts the helper of one remote host through ssh and checks it runs as root (connect's hello
 * carries our protocol version: a helper of another version refuses it with bad-version)
 */
export async function startSshHelper(name: string, t: SshTarget, o: SshHelperOptions = {}): Promise<HelperClient> {
  const argv = sshArgv(t, o);
  const where = `host ${name} (${sshDestination(t)})`;
  const transport = processTransport(argv, undefined, (r, stderr) => explainSshExit(where, r, stderr));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HelperFailure({ code: 'helper-exited', message: `${where} did not answer within ${(o.connectTimeoutS ?? 10) + HELLO_SLACK_MS / 1000} s` })), (o.connectTimeoutS ?? 10) * 1000 + HELLO_SLACK_MS);
  });
  let client: HelperClient;
  try {
    client = await Promise.race([connect(transport), timeout]);
    const hello = await Promise.race([client.hello(), timeout]);
    if (hello.uid !== 0) throw new HelperFailure({ code: 'no-privilege', message: `${where}: its helper does not run as root (uid ${hello.uid})` });
  } catch (e) {
    transport.kill();
    throw e;
  } finally {
    clearTimeout(timer);
  }
  const close = async () => {
    const t2 = setTimeout(() => transport.kill(), CLOSE_MS);
    try { await client.close(); } finally { clearTimeout(t2); }
  };
  return { ...client, close };
}
