/** Names VS Code knows the extension's contributions by (package.json), for the activation shell and the rest. */
import type { FromWebview } from '../shared/protocol.js';

export const VIEW_TYPE = 'netnsLab.topology';
export const EDITOR_OPTIONS = { webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: true } as const;
export const TREE_VIEWS = { namespaces: 'netnsLab.namespaces', bridges: 'netnsLab.bridges', topologies: 'netnsLab.topologies' } as const;
export const TERMINAL_PROFILE = 'netnsLab.namespaceShell';

/** a command the canvas asks for (its toolbar and panel) */
export type CanvasCommandName = Extract<FromWebview, { type: 'command' }>['command'];
/**
 * The command each canvas button runs: the palette's own, given the canvas's document (or, for
 * `arg: 'node'`, the node the canvas names). A new canvas command is a line here and in the
 * protocol's list.
 */
export const CANVAS_COMMANDS: Record<CanvasCommandName, { command: string; arg?: 'uri' | 'node' }> = {
  validate: { command: 'netnsLab.validate' },
  plan: { command: 'netnsLab.showPlan' },
  apply: { command: 'netnsLab.apply' },
  destroy: { command: 'netnsLab.destroy' },
  exportScript: { command: 'netnsLab.exportScript' },
  ping: { command: 'netnsLab.testConnectivity' },
  doctor: { command: 'netnsLab.diagnose' },
  openText: { command: 'netnsLab.openAsText' },
  openTerminal: { command: 'netnsLab.openTerminal', arg: 'node' },
};
