/**
 * The webview's end of the protocol: every message out is checked with the shared schemas
 * before it leaves, every message in before it is looked at (a malformed one is reported to
 * the host and dropped). Also the webview's saved state (VS Code keeps it across reloads).
 */
import { FromWebview, ToWebview, parseMessage } from '../src/shared/protocol.js';

export class HostChannel {
  private readonly vscode = acquireVsCodeApi();
  private nextId = 1;

  /** `refused` hears why a message was not sent */
  constructor(private readonly refused: (reason: string) => void) {}

  /** a fresh request id */
  id(): number {
    return this.nextId++;
  }

  post(msg: FromWebview): boolean {
    const r = FromWebview.safeParse(msg);
    if (!r.success) {
      const iss = r.error.issues[0];
      this.refused(iss ? `${iss.path.join('.')}: ${iss.message}` : 'invalid message');
      return false;
    }
    this.vscode.postMessage(r.data);
    return true;
  }

  reportError(message: string): void {
    this.vscode.postMessage({ type: 'error', message: message.slice(0, 4000) });
  }

  /** deliver the host's messages (checked) to `on`; errors of the page go to the host */
  listen(on: (msg: ToWebview) => void): void {
    window.addEventListener('message', (e: MessageEvent) => {
      const parsed = parseMessage(ToWebview, e.data);
      if (parsed.ok) on(parsed.msg);
      else this.reportError(`ignored a malformed message from the host: ${parsed.reason}`);
    });
    window.addEventListener('error', (e) => this.reportError(`${e.message} (${e.filename}:${e.lineno})`));
    window.addEventListener('unhandledrejection', (e) => this.reportError(String((e as PromiseRejectionEvent).reason)));
  }

  getState<T>(): T | undefined {
    return this.vscode.getState() as T | undefined;
  }

  setState(s: unknown): void {
    this.vscode.setState(s);
  }
}
