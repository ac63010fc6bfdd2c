/**
 * The helper's line reader (src/helper/lines.ts) on a 16 MiB request line arriving in 64 KiB
 * chunks (what a pipe delivers), against the reader it replaced, which re-concatenated the whole
 * buffer for every chunk. A measurement, not a test: `node out/bench/line-reader.js`.
 */
import { createLineReader } from '../src/helper/lines.js';
import { MAX_REQUEST_BYTES } from '../src/helper/protocol.js';

const CHUNK = 64 * 1024;
const chunks = MAX_REQUEST_BYTES / CHUNK - 1;

function run(push: (b: Buffer) => void): void {
  const chunk = Buffer.alloc(CHUNK, 0x61);
  for (let i = 0; i < chunks; i++) push(chunk);
  push(Buffer.from('\n'));
}

function measure(name: string, make: (onLine: (l: string) => void) => (b: Buffer) => void): void {
  let got = 0;
  const push = make((l) => { got = l.length; });
  const t0 = process.hrtime.bigint();
  run(push);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  process.stdout.write(`${name}: a ${(got / 1048576).toFixed(0)} MiB line in ${ms.toFixed(0)} ms\n`);
}

/** the reader before issue 13 (src/helper/main.ts): Buffer.concat of everything per chunk */
function oldReader(onLine: (l: string) => void): (b: Buffer) => void {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    const nl = buf.indexOf(10);
    if (nl >= 0) { onLine(buf.subarray(0, nl).toString('utf8')); buf = buf.subarray(nl + 1); }
  };
}

measure('lines.ts (chunks joined once)', (onLine) => { const r = createLineReader(MAX_REQUEST_BYTES, onLine, () => {}); return (b) => r.push(b); });
measure('old reader (concat per chunk)', oldReader);
