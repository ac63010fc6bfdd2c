/** The layer rules of DESIGN.md, checked on the import graph. */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'src/core has no side effects: no vscode, no processes, no file system, no network',
      severity: 'error',
      from: { path: '^src/core' },
      to: { path: '^(vscode|execa|node:child_process|child_process|node:fs|fs|node:fs/promises|fs/promises|node:net|net|node:os|os)$|^src/(helper|engine|extension|shared)|^src/cli' },
    },
    {
      name: 'core-no-node-builtins',
      severity: 'error',
      from: { path: '^src/core' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'helper-below-engine',
      comment: 'the helper knows nothing of the engine, the CLI or VS Code',
      severity: 'error',
      from: { path: '^src/helper' },
      to: { path: '^src/(engine|extension|cli)|^vscode$' },
    },
    {
      name: 'helper-one-door',
      comment: 'in the helper, only runner.ts touches processes and files (and shell.ts, which hands a terminal to a shell; bin.ts, which finds system programs; flock.ts, whose locks are held by a child process; procsys.ts, the door to /proc and signals; supervisor.ts, the process that keeps a service), so every side effect of the server can be recorded in tests',
      severity: 'error',
      from: { path: '^src/helper', pathNot: '^src/helper/(runner|shell|bin|flock|procsys|supervisor)\\.ts$' },
      to: { path: '^(execa|node:child_process|child_process|node:fs|fs|node:fs/promises|fs/promises)$' },
    },
    {
      name: 'helper-through-the-engine',
      comment: 'the CLI and the extension reach the helper only through the engine (its typed client, src/engine/helper-client.ts), never around it',
      severity: 'error',
      from: { path: '^src/(cli|extension)' },
      to: { path: '^src/helper' },
    },
    {
      name: 'one-door-to-the-helper',
      comment: 'only the engine\'s client speaks the helper protocol (its operation map, version and request schema); others may import its types (results, error codes)',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/helper/|^src/engine/helper-client\\.ts$' },
      to: { path: '^src/helper/protocol\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'engine-no-vscode',
      severity: 'error',
      from: { path: '^src/engine' },
      to: { path: '^vscode$|^src/(extension|cli)' },
    },
    {
      name: 'webview-runs-nothing',
      severity: 'error',
      from: { path: '^webview' },
      to: { path: '^src/(extension|helper|engine)|^(execa|node:child_process|child_process)$' },
    },
    // the rooms of src/core and which may import which
    // eslint-disable-next-line no-undef, @typescript-eslint/no-require-imports -- a CommonJS file, as dependency-cruiser wants
    ...require('./scripts/core-rooms.depcruise.cjs'),
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
