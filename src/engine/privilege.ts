/**
 * What "Install Privileged Helper" writes, as text a person can read before it runs: a copy of
 * the helper in a root-owned place (a helper the user could edit would make the rule a root
 * shell), and a sudoers drop-in that lets exactly this user run exactly that helper.
 */
export const INSTALL_DIR = '/usr/local/lib/netns-lab';
export const SUDOERS_FILE = '/etc/sudoers.d/netns-lab';

const SAFE_PATH = /^\/[A-Za-z0-9_./+-]+$/;
const SAFE_USER = /^[a-z_][a-z0-9_.-]{0,31}\$?$/;

export class PrivilegeError extends Error {}

export function sudoersText(user: string, node: string, helper: string): string {
  if (!SAFE_USER.test(user)) throw new PrivilegeError(`'${user}' is not a user name this installer can write into sudoers`);
  for (const p of [node, helper]) if (!SAFE_PATH.test(p)) throw new PrivilegeError(`'${p}' is not a plain absolute path`);
  return [
    '# Netns Lab: lets this user start the Netns Lab privileged helper, and nothing else, as root',
    '# without a password. The helper accepts typed operations only (docs/privilege.md).',
    `${user} ALL=(root) NOPASSWD: ${node} ${helper}, ${node} ${helper} --shell *, ${node} ${helper} --exec *`,
    '',
  ].join('\n');
}

/** a bash script that installs the helper copy and the rule, checking the rule with visudo */
export function installScript(opts: { user: string; node: string; source: string; version: string }): { script: string; helper: string } {
  if (!SAFE_PATH.test(opts.source)) throw new PrivilegeError(`'${opts.source}' is not a plain absolute path`);
  if (!/^[0-9A-Za-z.+-]{1,32}$/.test(opts.version)) throw new PrivilegeError('bad version');
  const helper = `${INSTALL_DIR}/helper-${opts.version}.js`;
  const rule = sudoersText(opts.user, opts.node, helper);
  const script = [
    '#!/bin/bash',
    '# Netns Lab: install the privileged helper for sudo. Run with: sudo bash THIS_FILE',
    'set -euo pipefail',
    `install -d -m 0755 -o root -g root ${INSTALL_DIR}`,
    `install -m 0755 -o root -g root ${opts.source} ${helper}`,
    'rule=$(mktemp)',
    "cat > \"$rule\" <<'NETNS_LAB_RULE'",
    rule.trimEnd(),
    'NETNS_LAB_RULE',
    'visudo -cf "$rule"',
    `install -m 0440 -o root -g root "$rule" ${SUDOERS_FILE}`,
    'rm -f "$rule"',
    `echo "Installed ${helper} and ${SUDOERS_FILE}."`,
    '',
  ].join('\n');
  return { script, helper };
}

/** what pathProblems needs to know of a path (lstat: links are not followed) */
export interface PathStat { uid: number; mode: number; isSymbolicLink: boolean }
export interface PathFs {
  lstat(p: string): PathStat | undefined;
  readlink(p: string): string;
}

/**
 * Why a program run as root from path p is not safe, or [] when it is: p, every directory above
 * it and every symbolic link on the way (and what they point to) must be owned by one of
 * `owners` (root; for a file the user installs from, the user too) and writable by no one else
 * (no group or other write bit): otherwise someone else could replace what root runs.
 */
export function pathProblems(p: string, fs: PathFs, owners: readonly number[] = [0]): string[] {
  if (!p.startsWith('/')) return [`'${p}' is not an absolute path`];
  const problems: string[] = [];
  const check = (at: string): PathStat | undefined => {
    const st = fs.lstat(at);
    if (!st) { problems.push(`${at} does not exist`); return undefined; }
    if (!st.isSymbolicLink && !owners.includes(st.uid)) problems.push(`${at} is owned by uid ${st.uid}, not ${owners.map((o) => (o === 0 ? 'root' : `uid ${o}`)).join(' or ')}`);
    else if (!st.isSymbolicLink && (st.mode & 0o022) !== 0) problems.push(`${at} is writable by ${(st.mode & 0o002) ? 'others' : 'its group'} (mode ${(st.mode & 0o7777).toString(8)})`);
    return st;
  };
  check('/');
  let todo = p.split('/').filter(Boolean);
  let at = '';
  for (let hops = 0; todo.length && !problems.length; ) {
    const part = todo.shift()!;
    if (part === '.') continue;
    if (part === '..') { at = at.slice(0, at.lastIndexOf('/')); continue; }
    const next = `${at}/${part}`;
    const st = check(next);
    if (!st) break;
    if (st.isSymbolicLink) {
      if (++hops > 40) { problems.push(`${p}: too many symbolic links`); break; }
      const target = fs.readlink(next);
      todo = [...target.split('/').filter(Boolean), ...todo];
      if (target.startsWith('/')) at = '';
      continue;
    }
    at = next;
  }
  return problems;
}

/** pkexec runs `pkexec NODE HELPER`: both must be safe to run as root (see pathProblems) */
export function pkexecProblems(argv: readonly string[], fs: PathFs): string[] {
  if (argv[0] !== 'pkexec') return [];
  return argv.slice(1, 3).flatMap((p) => pathProblems(p, fs));
}

/**
 * Why "Install Privileged Helper" must not install the rule, or [] when it may: the node binary
 * the rule names and the place of the helper copy must be root's alone; the file the copy is
 * made from must be root's or this user's (no one else may swap it before the copy).
 */
export function installProblems(o: { node: string; source: string; uid: number; version: string }, fs: PathFs): string[] {
  const helper = `${INSTALL_DIR}/helper-${o.version}.js`;
  const place = fs.lstat(helper) ? helper : fs.lstat(INSTALL_DIR) ? INSTALL_DIR : INSTALL_DIR.slice(0, INSTALL_DIR.lastIndexOf('/'));
  return [...pathProblems(o.node, fs), ...pathProblems(place, fs), ...pathProblems(o.source, fs, [0, o.uid])];
}
