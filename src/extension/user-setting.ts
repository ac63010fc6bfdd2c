/**
 * Settings a workspace must not choose (issue 13, 9a): they weaken a confirmation, name a
 * program or path to run, or choose where traffic is sent. package.json gives them the scope
 * `application` or `machine`, so VS Code ignores them in a workspace's .vscode/settings.json;
 * the code also reads them from the user's own (or the default) value only, so a workspace
 * value never counts even where a scope is not enforced. No vscode import: unit-testable.
 */

/** the settings that must never come from a workspace, with the scope package.json gives them */
export const USER_ONLY_SETTINGS: Readonly<Record<string, 'application' | 'machine'>> = {
  'netnsLab.confirmApply': 'application',
  'netnsLab.probeTargets': 'machine',
  'netnsLab.helperPath': 'machine',
  'netnsLab.elevation': 'machine',
  // labs across several machines: what ssh reads and what runs as root on the other hosts
  'netnsLab.sshConfig': 'machine',
  'netnsLab.remoteHelper': 'machine',
  'netnsLab.remoteNode': 'machine',
};

/** the part of vscode's WorkspaceConfiguration.inspect() result read here */
export interface Inspected<T> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

/** the user's value (user settings, or remote machine settings), else the default: never a workspace's */
export function userValue<T>(i: Inspected<T> | undefined, fallback: T): T {
  return i?.globalValue ?? i?.defaultValue ?? fallback;
}
