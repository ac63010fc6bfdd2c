/**
 * The property-based fuzzer, bounded: a few hundred hostile topologies and texts per `npm test`
 * (the long run is `npm run fuzz`, test/fuzz/run.ts). The seed is printed; to replay a failure:
 *   FUZZ_SEED=<seed> node --test out/test/unit/fuzz.test.js
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { hostileText, hostileTopology } from '../fuzz/arbitraries.js';
import { checkLineCol, checkText, checkTopologyValue, newStats } from '../fuzz/properties.js';

const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

describe(`fuzz (seed ${seed}, ${RUNS} runs each)`, () => {
  it('hostile topologies: validateValue never throws; accepted ones are safe and render; refused ones start no process', async (t) => {
    const stats = newStats();
    await fc.assert(fc.asyncProperty(hostileTopology, (v) => checkTopologyValue(v, stats)), { seed, numRuns: RUNS, includeErrorInReport: true });
    t.diagnostic(`seed ${seed}: ${stats.runs} topologies, ${stats.accepted} accepted (${stats.steps} steps rendered), ${stats.refused} refused; through the helper: ${stats.applied} applied, ${stats.planRefused} refused by the plan`);
    // the generator must reach both sides, or the properties prove little
    assert.ok(stats.accepted >= RUNS / 20, `only ${stats.accepted} of ${stats.runs} accepted`);
    assert.ok(stats.refused >= RUNS / 2, `only ${stats.refused} of ${stats.runs} refused`);
  });

  it('hostile texts: validateText never throws and points into the file', (t) => {
    const stats = newStats();
    fc.assert(fc.property(hostileText, (s) => checkText(s, stats)), { seed, numRuns: RUNS, includeErrorInReport: true });
    t.diagnostic(`seed ${seed}: ${stats.runs} texts, ${stats.accepted} accepted, ${stats.refused} refused, codes: ${[...stats.codes.keys()].sort().join(' ')}`);
  });

  it('line and column of an offset agree with counting newlines', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('a', '\n', '\r', '\u00e9', '\u2028'), maxLength: 60 }), fc.nat({ max: 70 }), checkLineCol), { seed, numRuns: RUNS, includeErrorInReport: true });
  });
});
