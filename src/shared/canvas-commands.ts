/**
 * The canvas's commands, in one table: what the webview may ask the host to run (the protocol's
 * 'command' message), the VS Code command each one runs, and the toolbar button it has; and the
 * actions the host sends to the canvas ('action' message) with the VS Code command that sends
 * each. The protocol's enums, the host's dispatch (src/extension/commands.ts) and the webview's
 * toolbar are derived from here; test/unit/canvas-commands.test.ts checks that package.json
 * contributes every command named here.
 */

export interface CanvasButton {
  /** the toolbar button's id (webview/toolbar.ts) */
  id: string;
  label: string;
  /** a codicon name (webview/codicons.ts checks it) */
  icon: string;
  title: string;
  group: 'run' | 'connectivity';
  /** Apply and Destroy change the machine: disabled in an untrusted workspace */
  needsTrust?: boolean;
}

interface CanvasCommand {
  /** the VS Code command that runs it */
  command: string;
  /** what the command is given: the document's URI (default) or the node the canvas names */
  arg?: 'uri' | 'node';
  button?: CanvasButton;
}

/** webview 'command' message name -> what runs it */
export const CANVAS_COMMANDS = {
  validate: { command: 'netnsLab.validate', button: { id: 'validate', label: 'Validate', icon: 'check', title: 'Netns: Validate this topology', group: 'run' } },
  plan: { command: 'netnsLab.showPlan', button: { id: 'plan', label: 'Plan', icon: 'list-ordered', title: 'Netns: Show Plan (the exact commands apply would run)', group: 'run' } },
  apply: { command: 'netnsLab.apply', button: { id: 'apply', label: 'Apply', icon: 'play', title: 'Netns: Apply (build this network on the machine)', group: 'run', needsTrust: true } },
  destroy: { command: 'netnsLab.destroy', button: { id: 'destroy', label: 'Destroy', icon: 'trash', title: 'Netns: Destroy (remove what apply built)', group: 'run', needsTrust: true } },
  exportScript: { command: 'netnsLab.exportScript', button: { id: 'script', label: 'Script', icon: 'terminal', title: 'Netns: Export as Script (a shell script of the plan)', group: 'run' } },
  ping: { command: 'netnsLab.testConnectivity', button: { id: 'ping', label: 'Test', icon: 'pulse', title: 'Netns: Test Connectivity (ping every pair; the results are painted on the drawing)', group: 'connectivity' } },
  doctor: { command: 'netnsLab.diagnose' },
  openText: { command: 'netnsLab.openAsText' },
  openTerminal: { command: 'netnsLab.openTerminal', arg: 'node' },
} as const satisfies Record<string, CanvasCommand>;

export type CanvasCommandName = keyof typeof CANVAS_COMMANDS;
export const CANVAS_COMMAND_NAMES = Object.keys(CANVAS_COMMANDS) as [CanvasCommandName, ...CanvasCommandName[]];

/** the commands that have a toolbar button, in toolbar order */
export type ToolbarCommandName = { [K in CanvasCommandName]: (typeof CANVAS_COMMANDS)[K] extends { button: CanvasButton } ? K : never }[CanvasCommandName];
export const TOOLBAR_COMMANDS = CANVAS_COMMAND_NAMES.filter((c): c is ToolbarCommandName => 'button' in CANVAS_COMMANDS[c]);

/** host 'action' message -> the VS Code command that sends it to the active canvas (none: only the canvas's own keys) */
export const CANVAS_ACTIONS = {
  fit: 'netnsLab.fit',
  layout: 'netnsLab.autoLayout',
  'toggle-labels': 'netnsLab.toggleLabels',
  'select-all': undefined,
  'delete-selection': undefined,
} as const satisfies Record<string, string | undefined>;

export type CanvasActionName = keyof typeof CANVAS_ACTIONS;
export const CANVAS_ACTION_NAMES = Object.keys(CANVAS_ACTIONS) as [CanvasActionName, ...CanvasActionName[]];
