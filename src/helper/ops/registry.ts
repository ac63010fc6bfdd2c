/** The streams (watches and captures) open on one connection, by request id. */
import type { Watch } from '../watch.js';

/** at most this many watches and captures at a time per connection */
export const MAX_STREAMS = 8;

export class Streams {
  private readonly open = new Map<number, { watch: Pick<Watch, 'stop'>; done: () => void }>();

  get size(): number { return this.open.size; }
  has(id: number): boolean { return this.open.has(id); }
  /** the stream of request id, until stopped: resolves when it is stopped */
  hold(id: number, watch: Pick<Watch, 'stop'>): Promise<void> {
    return new Promise<void>((resolve) => this.open.set(id, { watch, done: resolve }));
  }
  /** forget a stream that ended by itself; true if it was still this one */
  ended(id: number, watch: Pick<Watch, 'stop'>): boolean {
    if (this.open.get(id)?.watch !== watch) return false;
    const w = this.open.get(id)!;
    this.open.delete(id);
    w.done();
    return true;
  }
  async stop(id: number): Promise<void> {
    const w = this.open.get(id);
    if (!w) return;
    this.open.delete(id);
    await w.watch.stop();
    w.done();
  }
  /** stop every watch and capture, waiting for their processes to end (their requests then answer) */
  async close(): Promise<void> {
    await Promise.all([...this.open.keys()].map((id) => this.stop(id)));
  }
}
