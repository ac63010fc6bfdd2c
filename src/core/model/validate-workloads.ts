/**
 * Semantic checks of exec and services (issue 16), beyond what the schema says: service names
 * unique per namespace, root commands flagged (they need the person's approval of their exact
 * text), settings that have no effect, argv words env(1) would misread.
 */
import type { Diagnostic, JsonPath } from './diagnostics.js';
import type { Topology } from './model.js';
import type { Command } from './model-workloads.js';
import { commandText, execCommand, execUser } from './workloads.js';

const short = (s: string) => (s.length > 120 ? `${s.slice(0, 117)}...` : s);

function rootWarning(what: string, c: Command, path: JsonPath): Diagnostic {
  return {
    severity: 'warning', code: 'root-command', path,
    message: `${what} runs as root: ${short(commandText(c))} — it runs only after you approve this exact text (VS Code asks; the CLI needs --allow-root-commands)`,
  };
}

/** env(1) takes a first word with '=' for an assignment: an argv whose program contains '=' cannot be run */
function argvProblem(c: Command, path: JsonPath): Diagnostic[] {
  if (typeof c === 'string' || !c[0]!.includes('=')) return [];
  return [{ severity: 'error', code: 'invalid-command', message: `the program '${short(c[0]!)}' contains '='; name the program without it`, path: [...path, 0] }];
}

export function workloadDiagnostics(t: Topology): Diagnostic[] {
  const d: Diagnostic[] = [];
  (t.namespaces ?? []).forEach((ns, i) => {
    (ns.exec ?? []).forEach((e, j) => {
      const p: JsonPath = ['namespaces', i, 'exec', j];
      const cmdPath = typeof e === 'object' && !Array.isArray(e) ? [...p, 'command'] : p;
      d.push(...argvProblem(execCommand(e), cmdPath));
      if (execUser(e) === 'root') d.push(rootWarning(`exec #${j + 1} in '${ns.name}'`, execCommand(e), [...p, 'user']));
    });
    const seen = new Set<string>();
    (ns.services ?? []).forEach((s, j) => {
      const p: JsonPath = ['namespaces', i, 'services', j];
      if (seen.has(s.name)) d.push({ severity: 'error', code: 'duplicate-name', message: `service '${s.name}' is defined twice in namespace '${ns.name}'`, path: [...p, 'name'] });
      seen.add(s.name);
      d.push(...argvProblem(s.command, [...p, 'command']));
      if (s.user === 'root') d.push(rootWarning(`service '${s.name}' in '${ns.name}'`, s.command, [...p, 'user']));
      if (s.maxRestarts !== undefined && s.restart !== 'on-failure') {
        d.push({ severity: 'warning', code: 'ignored-field', message: `maxRestarts has an effect only with "restart": "on-failure"`, path: [...p, 'maxRestarts'] });
      }
    });
  });
  return d;
}
