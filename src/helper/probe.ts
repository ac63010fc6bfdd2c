/**
 * `helper.js --probe-tcp PORT`: run by the helper inside a namespace (`ip netns exec NS node
 * helper.js --probe-tcp PORT`), it connects once to the port on the namespace's loopback
 * (127.0.0.1, then ::1) and exits 0 when a connection is accepted, 1 otherwise (within 1 s each).
 */
import { connect } from 'node:net';

function tryConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((done) => {
    const s = connect({ host, port });
    const end = (ok: boolean) => { s.destroy(); done(ok); };
    s.setTimeout(timeoutMs, () => end(false));
    s.once('connect', () => end(true));
    s.once('error', () => end(false));
  });
}

export async function runProbeTcp(argv: string[]): Promise<number> {
  const port = Number(argv[0]);
  if (argv.length !== 1 || !Number.isInteger(port) || port < 1 || port > 65535) {
    process.stderr.write('usage: helper.js --probe-tcp PORT\n');
    return 2;
  }
  for (const host of ['127.0.0.1', '::1']) if (await tryConnect(host, port, 1000)) return 0;
  return 1;
}
