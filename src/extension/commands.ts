/**
 * The Netns commands. One handler per command; each takes an optional document URI (editor
 * title, canvas) and falls back to the active topology editor, then to a quick pick (target.ts).
 * The handlers live by concern: network-commands.ts (Show Plan, Apply, Destroy), file-commands.ts
 * (Validate, exports, opening), new-topology.ts; the canvas actions go to the active canvas.
 */
import * as vscode from 'vscode';
import { CANVAS_ACTIONS, type CanvasActionName } from '../shared/canvas-commands.js';
import { fileCommands } from './file-commands.js';
import { networkCommands } from './network-commands.js';
import { newTopology } from './new-topology.js';
import type { CommandDeps, Handlers } from './command-deps.js';

export { PLAN_SCHEME, PlanDocuments } from './plan-documents.js';
export type { CommandDeps } from './command-deps.js';

export function registerCommands(deps: CommandDeps): void {
  const handlers: Handlers = { 'netnsLab.newTopology': newTopology, ...fileCommands(deps), ...networkCommands(deps) };
  // the canvas actions (shared/canvas-commands.ts) go to the active canvas
  for (const [action, id] of Object.entries(CANVAS_ACTIONS)) if (id) handlers[id] = async () => deps.provider.action(action as CanvasActionName);
  for (const [id, fn] of Object.entries(handlers)) deps.context.subscriptions.push(vscode.commands.registerCommand(id, fn));
}
