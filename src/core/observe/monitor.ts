/**
 * Live events: lines of `ip -o monitor [all-nsid] link address route` and `ip netns monitor`.
 * An event only says where something changed (which namespace, which interface, what kind);
 * the views then re-read that namespace. Pure parsing, tested on recorded output.
 */
export type EventKind = 'link' | 'address' | 'route' | 'netns';

export interface MonitorLine {
  /** "current" = the namespace the monitor runs in; a number = an nsid as seen from there */
  nsid: 'current' | number | undefined;
  kind: EventKind;
  ifname: string | undefined;
  deleted: boolean;
}

export interface LiveEvent {
  /** namespace name, null for the host; undefined when it cannot be told (re-read everything) */
  ns: string | null | undefined;
  kind: EventKind;
  ifname?: string;
  deleted?: boolean;
  /** for netns events: the namespace added or removed */
  name?: string;
}

const NSID = /^\[nsid (current|\d+)\]/;

export function parseMonitorLine(raw: string): MonitorLine | undefined {
  let line = raw.trimEnd();
  if (!line) return undefined;
  let nsid: MonitorLine['nsid'];
  const m = NSID.exec(line);
  if (m) {
    nsid = m[1] === 'current' ? 'current' : Number(m[1]);
    line = line.slice(m[0].length);
  }
  let deleted = false;
  if (line.startsWith('Deleted ')) { deleted = true; line = line.slice(8); }
  // "2: v1@if2: <FLAGS> ..." is a link; "2: v1    inet 10.0.0.1/24 ..." an address
  const link = /^\d+: ([^:@\s]+)(?:@[^:\s]*)?: </.exec(line);
  if (link) return { nsid, kind: 'link', ifname: link[1], deleted };
  const addr = /^\d+: (\S+)\s+inet6? /.exec(line);
  if (addr) return { nsid, kind: 'address', ifname: addr[1], deleted };
  // routes: local/broadcast/multicast entries of the local table follow every address change
  if (/^(local|broadcast|multicast|anycast) /.test(line)) return undefined;
  const dev = / dev (\S+)/.exec(line);
  if (/^(default|[0-9a-f.:]+(\/\d+)?|unreachable|blackhole|prohibit) /i.test(line)) return { nsid, kind: 'route', ifname: dev?.[1], deleted };
  return undefined;
}

/** `ip netns monitor`: "add NAME" / "delete NAME" */
export function parseNetnsMonitorLine(raw: string): { added: boolean; name: string } | undefined {
  const m = /^(add|delete) (\S+)$/.exec(raw.trim());
  return m ? { added: m[1] === 'add', name: m[2]! } : undefined;
}

/** resolve a parsed line to an event, given where the monitor runs and the nsid map there */
export function toEvent(l: MonitorLine, monitorNs: string | null, nsids: Record<number, string | null>): LiveEvent {
  let ns: string | null | undefined;
  if (l.nsid === undefined || l.nsid === 'current') ns = monitorNs;
  else ns = nsids[l.nsid] ?? undefined;
  return { ns, kind: l.kind, ...(l.ifname ? { ifname: l.ifname } : {}), ...(l.deleted ? { deleted: true } : {}) };
}
