/**
 * Apply / re-apply / destroy of the article and of scaled LANs through the real CLI, in the
 * sandbox (run with test/sandbox/run.sh). Prints wall times and the helper's process counts.
 *   test/sandbox/run.sh node out/bench/measure-apply.js [N...]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lan } from './topologies.js';
import { inSandbox } from '../test/support/in-sandbox.js';

const ROOT = join(new URL('.', import.meta.url).pathname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
if (!inSandbox()) { console.error('run inside test/sandbox/run.sh'); process.exit(2); }

function cli(args: string[]): { ms: number; stderr: string; stdout: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  return { ms, stderr: r.stderr, stdout: r.stdout };
}

const dir = mkdtempSync(join(tmpdir(), 'netns-lab-bench-'));
const cases: [string, string][] = [['article', join(ROOT, 'examples', 'article.netns.json')]];
for (const n of (process.argv.slice(2).length ? process.argv.slice(2).map(Number) : [10, 50])) {
  const f = join(dir, `lan${n}.netns.json`);
  writeFileSync(f, JSON.stringify(lan(n)));
  cases.push([`lan${n}`, f]);
}
// the article wants an uplink for "auto"
spawnSync('ip', ['link', 'add', 'uplink0', 'type', 'veth', 'peer', 'name', 'wan0']);
spawnSync('ip', ['addr', 'add', '203.0.113.1/24', 'dev', 'uplink0']);
spawnSync('ip', ['link', 'set', 'uplink0', 'up']);
spawnSync('ip', ['route', 'add', 'default', 'via', '203.0.113.2']);
console.log('case        steps  helper-processes  helper-ms  cli-apply-ms  replan-ms  destroy-ms');
for (const [name, file] of cases) {
  void readFileSync(file);
  const a = cli(['apply', file]);
  const m = /applied '.*': (\d+) step\(s\), (\d+) process\(es\), ([\d.]+) s/.exec(a.stderr)!;
  const p = cli(['plan', file, '--json']);
  if (JSON.parse(p.stdout).steps.length) throw new Error('re-plan not empty');
  const d = cli(['destroy', file]);
  console.log(`${name.padEnd(10)} ${m[1]!.padStart(6)} ${m[2]!.padStart(17)} ${(Number(m[3]) * 1000).toFixed(0).padStart(10)} ${a.ms.toFixed(0).padStart(13)} ${p.ms.toFixed(0).padStart(10)} ${d.ms.toFixed(0).padStart(11)}`);
}
