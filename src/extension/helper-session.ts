/** One privileged helper per window, started on first use (one authentication), restarted if it dies. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { HelperFailure, helperApi, startHelper, type Call, type Elevation, type HelperApi, type HelperClient } from '../engine/helper-client.js';

export class HelperSession implements vscode.Disposable {
  private client: Promise<HelperClient> | undefined;

  constructor(private readonly extensionPath: string) {}

  get(): Promise<HelperClient> {
    if (!this.client) {
      const cfg = vscode.workspace.getConfiguration('netnsLab');
      const custom = cfg.get<string>('helperPath')?.trim();
      const p = startHelper({
        helperPath: custom || path.join(this.extensionPath, 'dist', 'helper.js'),
        elevation: cfg.get<Elevation>('elevation') ?? 'auto',
      });
      this.client = p;
      p.catch(() => { if (this.client === p) this.client = undefined; });
    }
    return this.client;
  }

  /** a request; a helper that died is started again once */
  private readonly call: Call = async (op, params, onProgress) => {
    let c = await this.get();
    try {
      return await c.call(op, params, onProgress);
    } catch (e) {
      if (e instanceof HelperFailure && e.error.code === 'helper-exited') {
        this.client = undefined;
        c = await this.get();
        return await c.call(op, params, onProgress);
      }
      throw e;
    }
  };

  /** the helper's typed operations, through this session */
  readonly api: HelperApi = helperApi(this.call);

  dispose(): void {
    const c = this.client;
    this.client = undefined;
    void c?.then((x) => x.close()).catch(() => undefined);
  }
}
