/**
 * Entry point VS Code's extension host require()s for `extensionTestsPath` (bundled to CommonJS
 * by build/vscode-tests.mjs). Runs the mocha files of the suite named by NETNS_LAB_SUITE
 * (main: trusted workspace; untrusted: restricted mode) and prints a one-line JSON summary the
 * runner (test/vscode/run.ts) reads from the workbench log.
 */
import * as path from 'node:path';
// mocha stays external: the extension host loads it from the repository's node_modules
import Mocha from 'mocha';

const SUITES: Record<string, string[]> = {
  main: ['editor.test.cjs', 'commands.test.cjs', 'diagnostics.test.cjs', 'import-lab.test.cjs', 'run-in-ns.test.cjs', 'services.test.cjs', 'multihost.test.cjs', 'live.test.cjs', 'lab-tests.test.cjs'],
  untrusted: ['untrusted.test.cjs'],
};

export function run(): Promise<void> {
  const suite = process.env.NETNS_LAB_SUITE || 'main';
  const files = SUITES[suite];
  if (!files) return Promise.reject(new Error(`unknown suite '${suite}'`));
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  if (process.env.NETNS_LAB_GREP) mocha.grep(process.env.NETNS_LAB_GREP);
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const s = runner.stats ?? { passes: 0, failures, pending: 0, duration: 0 };
        console.log(`NETNS_LAB_MOCHA ${JSON.stringify({ suite, passes: s.passes, failures: s.failures, pending: s.pending, durationMs: s.duration })}`);
        if (failures) reject(new Error(`${failures} test(s) failed`)); else resolve();
      });
    } catch (e) {
      console.error(e);
      reject(e as Error);
    }
  });
}
