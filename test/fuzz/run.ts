/**
 * `npm run fuzz`: the long run of the property-based fuzzer (test/fuzz/properties.ts) over
 * hostile topologies and texts: 20 000 runs of each, or 5 minutes in all, whichever comes first.
 *   FUZZ_SEED=<n>        replay a run
 *   FUZZ_RUNS=<n>        runs per property (default 20000)
 *   FUZZ_SECONDS=<n>     time budget in seconds (default 300)
 * Exits 1 with the counterexample and the seed when a property fails.
 */
import fc from 'fast-check';
import { hostileText, hostileTopology } from './arbitraries.js';
import { checkLineCol, checkText, checkTopologyValue, newStats, type FuzzStats } from './properties.js';

const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
const runs = Number(process.env.FUZZ_RUNS ?? 20_000);
const budgetMs = Number(process.env.FUZZ_SECONDS ?? 300) * 1000;
const t0 = Date.now();
const left = () => Math.max(1000, budgetMs - (Date.now() - t0));

function codes(s: FuzzStats): string {
  return [...s.codes].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ');
}

async function main(): Promise<number> {
  process.stdout.write(`netns-lab fuzz: seed ${seed}, up to ${runs} runs per property, ${budgetMs / 1000} s in all\n`);
  let failed = false;
  const report = <T>(name: string, d: fc.RunDetails<T>, s: FuzzStats | undefined, ms: number) => {
    process.stdout.write(`\n${name}: ${d.numRuns} runs in ${(ms / 1000).toFixed(1)} s${d.interrupted ? ' (time budget reached)' : ''}, ${d.failed ? 'FAILED' : 'passed'}\n`);
    if (s) process.stdout.write(`  accepted ${s.accepted}, refused ${s.refused}; steps rendered ${s.steps}${s.applied + s.planRefused ? `; helper: applied ${s.applied}, refused by the plan ${s.planRefused}, refused as invalid ${s.refused}` : ''}\n  diagnostics: ${codes(s)}\n`);
    if (d.failed) {
      failed = true;
      process.stdout.write(`${fc.defaultReportMessage(d) ?? ''}\n`);
    }
  };

  // 1. topologies (values): three quarters of the budget
  const topo = newStats();
  let t = Date.now();
  const d1 = await fc.check(fc.asyncProperty(hostileTopology, (v) => checkTopologyValue(v, topo)), {
    seed, numRuns: runs, interruptAfterTimeLimit: Math.floor(left() * 0.75), includeErrorInReport: true,
  });
  report('hostile topologies (validateValue, plan, render, helper apply)', d1, topo, Date.now() - t);

  // 2. texts: most of the rest
  const text = newStats();
  t = Date.now();
  const d2 = fc.check(fc.property(hostileText, (s) => checkText(s, text)), { seed, numRuns: runs, interruptAfterTimeLimit: Math.floor(left() * 0.9), includeErrorInReport: true });
  report('hostile texts (validateText, positions, plan)', d2, text, Date.now() - t);

  // 3. positions
  t = Date.now();
  const d3 = fc.check(fc.property(fc.string({ unit: fc.constantFrom('a', '\n', '\r', '\u00e9', '\u2028'), maxLength: 200 }), fc.nat({ max: 220 }), checkLineCol), {
    seed, numRuns: Math.min(runs, 5000), interruptAfterTimeLimit: left(), includeErrorInReport: true,
  });
  report('line and column of offsets', d3, undefined, Date.now() - t);

  process.stdout.write(`\n${failed ? 'FAILED' : 'passed'}: seed ${seed}, ${d1.numRuns + d2.numRuns + d3.numRuns} runs in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
