/**
 * `apply --allow-root-commands` (issue 16): a file that runs commands as root is applied only when
 * the person asked for it, after every such command was printed in full; the helper checks the
 * digest of that list again.
 */
import type { Topology } from './core/model/model.js';
import { rootApproval } from './core/plan/root-approval.js';
import { describeRootCommand } from './core/model/workloads.js';

/** the digest to send (undefined: nothing runs as root), or null: refused (printed why) */
export function rootApprovalFor(t: Topology, allowed: boolean): string | undefined | null {
  const a = rootApproval(t, process.getuid?.(), process.env);
  if (!a.rootCommands.length) return undefined;
  const lines = a.rootCommands.map((r) => `  ${describeRootCommand(r)}\n`).join('');
  if (!allowed) {
    process.stderr.write(`'${t.name}' runs ${a.rootCommands.length} command(s) as root:\n${lines}apply refused: nothing was changed; read them and apply with --allow-root-commands to run them\n`);
    return null;
  }
  process.stderr.write(`running as root (approved with --allow-root-commands):\n${lines}`);
  return a.rootDigest;
}

export function printRootRefusal(message: string): void {
  process.stderr.write(`apply refused by the helper: ${message}\napply refused: nothing was changed\n`);
}
