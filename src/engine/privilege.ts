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
    `${user} ALL=(root) NOPASSWD: ${node} ${helper}, ${node} ${helper} --shell *`,
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
