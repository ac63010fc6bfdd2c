/**
 * A type-level test, compiled by `tsc -p .` in the build (never run): the typed helper API
 * rejects a wrong parameter and a wrong use of a result for its operations. Each
 * `@ts-expect-error` fails the build if the line after it compiles.
 */
import type { Topology } from '../../src/core/model/model.js';
import type { HelperApi, HelperClient } from '../../src/engine/helper-client.js';
import type { HelperErrorCode, ParamsOf, ResultOf } from '../../src/helper/protocol.js';

export async function wrongParams(h: HelperApi, t: Topology): Promise<void> {
  // @ts-expect-error a topology must be a Topology, not any value
  await h.plan({ topology: 'article' });
  // @ts-expect-error apply's expect needs its digest
  await h.apply({ topology: t, expect: { steps: 1 } });
  // @ts-expect-error destroy takes a name, not a topology
  await h.destroy({ topology: t });
  // @ts-expect-error link-state needs up
  await h.linkState({ ns: null, name: 'veth1' });
  // @ts-expect-error an unknown parameter
  await h.observe({ forwarding: true, argv: ['sh'] });
  // @ts-expect-error ping's concurrency is a number
  await h.ping({ topology: t, concurrency: '4' });
  // @ts-expect-error there is no such operation
  await h.exec({ argv: ['id'] });
  // @ts-expect-error an adoption is a preview, or carries the digest of one
  await h.adopt({ topology: t });
  // @ts-expect-error a probe takes targets, never argv
  await h.probeIcmp({ ns: 'ns1', argv: ['fping', '10.0.0.1'] });
  // @ts-expect-error a TCP probe needs its port
  await h.probeTcp({ ns: 'ns1', target: '10.0.0.2' });
  // @ts-expect-error http-get runs in a namespace (not null: the host)
  await h.httpGet({ ns: null, url: 'http://10.0.0.2/' });
}

export async function probeResults(h: HelperApi): Promise<void> {
  const r = await h.routeGet({ ns: 'pc1', to: '10.2.0.2' });
  // @ts-expect-error the gateway is via, a string
  const gw: number = r.via;
  void gw;
  const icmp = await h.probeIcmp({ ns: 'pc1', targets: ['10.2.0.2'] });
  // @ts-expect-error answers are in results
  void icmp.answers;
}

export async function wrongResults(h: HelperApi, t: Topology): Promise<void> {
  const p = await h.ping({ topology: t });
  // @ts-expect-error a probe result has no such field
  void p.results[0]?.latency;
  const a = await h.apply({ topology: t });
  // @ts-expect-error remaining is a list of summaries, not a count
  const n: number = a.remaining;
  void n;
  const d = await h.doctor({ topology: t });
  // @ts-expect-error findings is an array
  void d.findings.code;
  const preview = await h.adopt({ topology: t, preview: true });
  // @ts-expect-error a preview lists what it would take; only an adoption says what it took
  void preview.adopted;
  const live = await h.observe();
  // @ts-expect-error a live state's namespaces are objects
  const names: string[] = live.namespaces;
  void names;
}

export function wrongStreams(h: HelperClient): void {
  // @ts-expect-error a capture's format is text or pcap
  h.capture({ ns: null, iface: 'eth0', format: 'json' }, () => undefined);
  // @ts-expect-error the generic call checks the parameters of the operation it names
  void h.call('remove', { name: 'veth1', up: true });
}

export function codes(): void {
  const ok: HelperErrorCode = 'plan-refused';
  void ok;
  // @ts-expect-error error codes are a union, not any string
  const bad: HelperErrorCode = 'plan-refussed';
  void bad;
}

/** what the right uses compile to (so the checks above fail for the reason they name) */
export async function rightUses(h: HelperApi, t: Topology): Promise<ResultOf<'apply'>> {
  const params: ParamsOf<'apply'> = { topology: t, expect: { steps: 1, digest: 'a'.repeat(64) } };
  const p = await h.ping({ topology: t, outside: ['10.0.0.1'], concurrency: 4 }, (ev) => void ev.done);
  void p.results[0]?.rttMs;
  await h.linkState({ ns: null, name: 'veth1', up: true });
  await h.hello();
  return h.apply(params);
}
