/**
 * netns-lab helper: the only privileged part. Runs as root, reads JSON-line requests on stdin,
 * answers on stdout. Started by the extension or the CLI (directly when root, else through
 * pkexec or `sudo -n`). Exits when stdin closes.
 */
import { MAX_REQUEST_BYTES, PROTOCOL_VERSION, type Response } from './protocol.js';
import { createSystemRunner } from './runner.js';
import { createServer } from './server.js';
import { serverHooks } from './hooks.js';
import { runShell } from './shell.js';
import { createLineReader, createRequestGate } from './lines.js';
import { runSupervisor } from './supervisor.js';
import { runProbeTcp } from './probe.js';
import { runExecMode } from './exec-mode.js';

function main(): void {
  // a service's supervisor (started detached by the helper) and the TCP probe (run inside a namespace)
  if (process.argv[2] === '--supervise') { void runSupervisor(process.argv.slice(3)).then((c) => process.exit(c)); return; }
  if (process.argv[2] === '--probe-tcp') { void runProbeTcp(process.argv.slice(3)).then((c) => process.exit(c)); return; }
  if (process.argv[2] === '--exec') {
    if (process.getuid?.() !== 0) { process.stderr.write('netns-lab exec: must run as root (through sudo or pkexec)\n'); process.exit(2); }
    void runExecMode(process.argv.slice(3), process.env).then((c) => process.exit(c));
    return;
  }
  if (process.argv[2] === '--shell') {
    if (process.getuid?.() !== 0) { process.stderr.write('netns-lab shell: must run as root (through sudo or pkexec)\n'); process.exit(2); }
    runShell(process.argv.slice(2));
    return;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('netns-lab-helper: must run as root (it is started through sudo or pkexec)\n');
    process.exit(2);
  }
  const send = (r: Response) => process.stdout.write(JSON.stringify(r) + '\n');
  const server = createServer({ runner: createSystemRunner(), send, ...serverHooks(process.env) });
  const gate = createRequestGate((line) => server.onLine(line), send);
  const reader = createLineReader(MAX_REQUEST_BYTES, (line) => gate.line(line),
    () => send({ v: PROTOCOL_VERSION, id: null, ok: false, error: { code: 'too-large', message: `request longer than ${MAX_REQUEST_BYTES} bytes` } }));
  process.stdin.on('data', (chunk: Buffer) => reader.push(chunk));
  process.stdin.on('end', () => {
    const closing = server.close();
    if (reader.end()) {
      send({ v: PROTOCOL_VERSION, id: null, ok: false, error: { code: 'truncated', message: 'input ended in the middle of a request' } });
    }
    void Promise.allSettled([closing, ...gate.pending()]).then(() => process.exit(0));
  });
}

main();
