/**
 * The helper's input side, per connection (its stdin): request lines assembled from chunks, and
 * a bound on requests in flight. The caller is untrusted: a line costs at most one copy of its
 * bytes (chunks are kept in a list and joined once), a line over the size limit is refused as
 * soon as the limit is passed and the rest of it is dropped unread, and a connection cannot
 * start more than `maxInFlight` requests at a time.
 */
import { PROTOCOL_VERSION, type Response } from './protocol.js';

/** requests one connection may have in flight (watches and captures count while they run) */
export const MAX_IN_FLIGHT = 64;

export interface LineReader {
  push(chunk: Buffer): void;
  /** input ended: true when part of a request was pending (not while dropping an over-size one) */
  end(): boolean;
  /** bytes copied so far to assemble lines (each byte of a line at most once) */
  readonly copied: number;
}

export function createLineReader(max: number, onLine: (line: string) => void, onTooLarge: () => void): LineReader {
  let parts: Buffer[] = [];
  let size = 0;
  let discarding = false;
  let copied = 0;
  const drop = () => { parts = []; size = 0; };
  const refuse = () => { drop(); onTooLarge(); };
  return {
    get copied() { return copied; },
    push(chunk: Buffer) {
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(10, start);
        const piece = chunk.subarray(start, nl < 0 ? chunk.length : nl);
        if (nl < 0) {
          if (discarding || !piece.length) return;
          if (size + piece.length > max) { discarding = true; refuse(); return; }
          parts.push(piece);
          size += piece.length;
          return;
        }
        start = nl + 1;
        if (discarding) { discarding = false; continue; }
        if (size + piece.length > max) { refuse(); continue; }
        let line = piece;
        if (parts.length) {
          line = Buffer.concat([...parts, piece], size + piece.length);
          copied += line.length;
        }
        drop();
        onLine(line.toString('utf8'));
      }
    },
    end() { return size > 0 && !discarding; },
  };
}

/** the id of a request line, when it has one (to answer a refused request so the caller can match it) */
function idOf(line: string): number | null {
  try {
    const id = (JSON.parse(line) as { id?: unknown } | null)?.id;
    return Number.isSafeInteger(id) ? (id as number) : null;
  } catch { return null; }
}

export interface RequestGate {
  /** one complete line: handled, or refused with `too-many` when `max` requests are in flight */
  line(line: string): void;
  /** every request still in flight */
  pending(): Promise<unknown>[];
}

export function createRequestGate(handle: (line: string) => Promise<void>, send: (r: Response) => void, max = MAX_IN_FLIGHT): RequestGate {
  const inFlight = new Set<Promise<void>>();
  return {
    line(line: string) {
      if (!line.trim()) return;
      if (inFlight.size >= max) {
        send({ v: PROTOCOL_VERSION, id: idOf(line), ok: false, error: { code: 'too-many', message: `at most ${max} requests may be in flight on one connection; wait for answers before sending more` } });
        return;
      }
      const p = handle(line).finally(() => inFlight.delete(p));
      inFlight.add(p);
    },
    pending: () => [...inFlight],
  };
}
