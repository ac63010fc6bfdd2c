/**
 * The helper's request handling. It trusts no caller: every line is size-limited, parsed,
 * checked against the versioned Request schema; topologies are validated again with the same
 * schemas and semantic checks; plans are computed here from a fresh observation, never taken
 * from the caller; only typed steps are executed.
 */
import { hasErrors } from '../core/diagnostics.js';
import { emptyTopology, linksNotRunning, observeScope, plan, type Plan } from '../core/plan.js';
import { Phase, touchedScopes, type PlannedStep, type Step } from '../core/steps.js';
import { mergeObservation, needNsidMap, withLinkStates, type LiveState } from '../core/observe.js';
import { inNetns, summarize } from '../core/render.js';
import { validateValue } from '../core/validate.js';
import { parsePing, probes, type Probe, type ProbeResult } from '../core/reach.js';
import { DOCTOR_HOST_SYSCTLS, DOCTOR_NS_SYSCTLS, doctor } from '../core/doctor.js';
import type { Topology } from '../core/model.js';
import { AdoptError, callerOf, previewAdopt, runAdopt } from './adopt.js';
import { execute } from './execute.js';
import { clearIntent, startJournal } from './journal.js';
import { LockBusy, withLock } from './lock.js';
import { listNamespaces, observe, pool, readLinkStates } from './observe.js';
import { ownedChange } from './owned.js';
import { startWatch, type Watch } from './watch.js';
import { MAX_REQUEST_BYTES, PROTOCOL_VERSION, Request, planDigest, type HelperError, type Response } from './protocol.js';
import type { Runner } from './runner.js';
import { MATRIX_FANOUT, MATRIX_MIN_PROBES, pingMatrix } from './ping-matrix.js';
import { fpingPath } from './fping.js';
import { httpGet, probeIcmp, probeTcp, probeUdp, resolveName, routeGet } from './probe-ops.js';

export interface ServerOptions {
  runner: Runner;
  send: (r: Response) => void;
  faultAt?: number;
  /** test hook: SIGKILL the helper before this step index of an apply or destroy */
  killAt?: number;
  lockWaitMs?: number;
}

/** the longest an apply waits for its links to start running (the kernel takes up to ~1 s) */
const SETTLE_MS = 3000;

/** pings at a time: a probe is mostly a process start and a wait (-W 1 for a failure) */
export const PING_FANOUT = 32;
/** ENOBUFS from ping: the kernel's neighbour table is full */
const NO_BUFFER = /No buffer space available/;
const OVERFLOW = /No buffer space available|no reply/;

/** one process per probe; ip netns exec: /etc/netns/NS/resolv.conf applies to names; -n: no reverse lookups */
export function pingArgv(p: Probe): string[] {
  return ['ip', 'netns', 'exec', p.from, 'ping', '-c', '1', '-W', '1', '-n', '--', p.target];
}

class RequestError extends Error {
  constructor(readonly detail: HelperError) { super(detail.message); }
}

function fail(code: string, message: string, extra: Partial<HelperError> = {}): never {
  throw new RequestError({ code, message, ...extra });
}

/**
 * The namespaces whose read-back after an apply must include their nsid map: those that have
 * or will have a veth to another namespace (observe pairs such veths through the map).
 */
export function nsidMapsAfter(live: LiveState, steps: PlannedStep[]): Set<string> {
  const out = new Set(needNsidMap(live));
  for (const n of live.namespaces) if (n.links.some((l) => l.peer && l.peer.ns !== null && l.peer.ns !== n.name)) out.add(n.name!);
  for (const { step: s } of steps) {
    if (s.op === 'veth-add' && s.a.ns !== null && s.b.ns !== null && s.a.ns !== s.b.ns) { out.add(s.a.ns); out.add(s.b.ns); }
  }
  return out;
}

export function createServer(opts: ServerOptions) {
  const { runner, send } = opts;
  const watches = new Map<number, { watch: Pick<Watch, 'stop'>; done: () => void }>();

  const validTopology = (value: unknown): Topology => {
    const v = validateValue(value);
    if (!v.topology || hasErrors(v.diagnostics)) {
      fail('invalid-topology', `the topology is invalid: ${v.diagnostics.filter((d) => d.severity === 'error').slice(0, 5).map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`).join('; ')}`, { diagnostics: v.diagnostics });
    }
    return v.topology;
  };

  const planFor = async (t: Topology, preread?: ReadonlyMap<string, unknown[]>): Promise<{ p: Plan; live: Awaited<ReturnType<typeof observe>> }> => {
    const live = await observe(runner, { ...observeScope(t), ...(preread ? { preread } : {}) });
    return { p: plan(t, live), live };
  };

  /**
   * Plan again after an apply, re-reading only the namespaces the steps touched (plus the host,
   * firewall and DNS): at 200 namespaces, changing one address re-reads one namespace, not 200.
   * Namespaces the apply read back at the end of their batch (`reads`) are not read again.
   */
  const verifyPlan = async (t: Topology, before: LiveState, steps: PlannedStep[], reads?: ReadonlyMap<string, unknown[]>): Promise<{ p: Plan; live: LiveState }> => {
    const peerOf = (ns: string | null, name: string) => {
      const l = (ns === null ? before.host : before.namespaces.find((n) => n.name === ns))?.links.find((x) => x.name === name);
      return l?.peer?.ns;
    };
    const touched = new Set<string>();
    for (const s of steps) {
      for (const sc of touchedScopes(s.step, peerOf)) if (sc !== null) touched.add(sc);
      // a deleted namespace takes the other ends of its veths with it
      if (s.step.op === 'netns-del') {
        const gone = s.step.name;
        for (const l of before.namespaces.find((n) => n.name === gone)?.links ?? []) if (l.peer?.ns) touched.add(l.peer.ns);
      }
    }
    if (touched.size * 2 >= Math.max(2, before.namespaces.length)) return planFor(t, reads);
    const fresh = await observe(runner, { ...observeScope(t), namespaces: [...touched], ...(reads ? { preread: reads } : {}) });
    const live = mergeObservation(before, fresh, touched);
    return { p: plan(t, live), live };
  };

  /**
   * Wait (at most SETTLE_MS) until the links the file wants up are running, re-reading only the
   * state of the links of the scopes still waiting (and the host, whose veth ends speak for
   * their peers: see linksNotRunning). The first look is at once: the verify took a while.
   */
  const settle = async (t: Topology, live: LiveState, id: number): Promise<void> => {
    const deadline = Date.now() + SETTLE_MS;
    for (let round = 0, waiting = linksNotRunning(t, live); waiting.length && Date.now() < deadline; round++, waiting = linksNotRunning(t, live)) {
      send({ v: PROTOCOL_VERSION, id, event: 'progress', done: 0, total: 0, message: `waiting for ${waiting.length} link(s) to come up` });
      if (round) await new Promise((r) => setTimeout(r, 50));
      const scopes = new Set<string | null>(waiting.map((w) => w.scope));
      if (live.host.links.some((l) => l.peer && l.peer.ns !== null && scopes.has(l.peer.ns))) scopes.add(null);
      live = withLinkStates(live, await readLinkStates(runner, [...scopes]));
    }
  };

  const runPlan = async (id: number, t: Topology, expect?: { steps: number; digest: string }) => {
    return withLock(runner, `topology/${t.name}`, opts.lockWaitMs ?? 30_000,
      (holder) => send({ v: PROTOCOL_VERSION, id, event: 'progress', done: 0, total: 0, message: `waiting for another apply of '${t.name}' to finish${holder ? ` (the lock is held by ${holder})` : ''}` }),
      async () => {
        const t0 = Date.now();
        // where the time went (ms): shown by the CLI, recorded by the benchmark
        const phases: Record<string, number> = {};
        let mark = t0;
        const lap = (name: string) => { const now = Date.now(); phases[name] = (phases[name] ?? 0) + now - mark; mark = now; };
        const { p, live } = await planFor(t);
        lap('read');
        if (p.errors.length) fail('plan-refused', p.errors.map((e) => e.message).join('; '), { diagnostics: p.errors });
        if (expect && (expect.steps !== p.steps.length || expect.digest !== planDigest(p.steps))) {
          fail('plan-changed', `the live state changed since the plan was shown (${expect.steps} step(s) then, ${p.steps.length} now); review the plan again`);
        }
        // nothing to do: no journal, no execution, no second read
        if (!p.steps.length) { await clearIntent(runner, t.name); return { steps: 0, processes: 0, durationMs: Date.now() - t0, remaining: [], phases }; }
        // the intent journal: what this apply creates, and right after, the evidence of it
        const journal = await startJournal(runner, t.name, p.steps, live);
        const r = await execute(p.steps, {
          runner, live, created: journal.created, onCreated: journal.onCreated, readBack: { nsidMaps: nsidMapsAfter(live, p.steps) }, ...(opts.faultAt !== undefined ? { faultAt: opts.faultAt } : {}),
          ...(opts.killAt !== undefined ? { killAt: opts.killAt } : {}),
          onProgress: (done, total, message) => send({ v: PROTOCOL_VERSION, id, event: 'progress', done, total, message }),
        });
        if (!r.ok) {
          const f = r.failure!;
          await journal.failed(p.steps[f.step]!.phase);
          fail('step-failed', `step ${f.step + 1} of ${p.steps.length} failed: ${f.argv.join(' ')}: ${f.kernel}`, { step: f.step, argv: f.argv, kernel: f.kernel });
        }
        // every object this topology made now carries its tag: the journal has done its job
        await clearIntent(runner, t.name);
        lap('execute');
        const verify = await verifyPlan(t, live, p.steps, r.reads);
        lap('verify');
        if (!verify.p.steps.length) await settle(t, verify.live, id);
        lap('settle');
        return {
          steps: p.steps.length, processes: r.processes, durationMs: Date.now() - t0,
          remaining: verify.p.steps.map((s) => s.summary), phases,
          /** namespaces the apply's own batches read back (the verify read none of them again) */
          readBack: r.reads?.size ?? 0,
        };
      });
  };

  const adopt = async (req: Extract<Request, { op: 'adopt' }>) => {
    const t = validTopology(req.topology);
    if (!req.preview && !req.expect) fail('bad-request', 'adopt needs the digest of its preview (expect.digest): ask with preview: true first');
    return withLock(runner, `topology/${t.name}`, opts.lockWaitMs ?? 30_000, () => {}, async () => {
      try {
        if (req.preview) { const { take, refuse, clashes, lines, digest } = await previewAdopt(runner, t, callerOf(process.env)); return { take, refuse, clashes, lines, digest }; }
        return await runAdopt(runner, t, callerOf(process.env), req.expect!.digest);
      } catch (e) { if (e instanceof AdoptError) fail(e.code, e.message); throw e; }
    });
  };

  async function handle(req: Request): Promise<unknown> {
    switch (req.op) {
      case 'hello': {
        // test hook for the soak (test/soak/soak.ts): only a helper started with --expose-gc has
        // gc(); it then collects its garbage first and reports the heap that is really in use
        const gc = (globalThis as { gc?: () => void }).gc;
        if (gc) gc();
        return { protocol: PROTOCOL_VERSION, pid: process.pid, uid: process.getuid?.() ?? -1, ...(gc ? { heapUsed: process.memoryUsage().heapUsed } : {}) };
      }
      case 'observe':
        return observe(runner, { ...(req.namespaces ? { namespaces: req.namespaces } : {}), ...(req.forwarding ? { forwarding: true } : {}) });
      case 'plan': {
        const t = validTopology(req.topology);
        const { p } = await planFor(t);
        return { ...p, digest: planDigest(p.steps) };
      }
      case 'apply':
        return runPlan(req.id, validTopology(req.topology), req.expect);
      case 'destroy':
        return runPlan(req.id, emptyTopology(req.name));
      case 'adopt':
        return adopt(req);
      case 'doctor': {
        const t = validTopology(req.topology);
        const examine = async () => {
          const scope = observeScope(t);
          const sysctls = { ...scope.sysctls };
          for (const ns of t.namespaces ?? []) sysctls[ns.name] = [...new Set([...(sysctls[ns.name] ?? []), ...DOCTOR_NS_SYSCTLS])];
          const live = await observe(runner, { sysctls, hostSysctls: DOCTOR_HOST_SYSCTLS });
          return doctor(t, live, plan(t, live));
        };
        const findings = await examine();
        if (!req.fix?.length) return { findings };
        return withLock(runner, `topology/${t.name}`, opts.lockWaitMs ?? 30_000, () => {}, async () => {
          const chosen = findings.filter((f) => req.fix!.includes(f.code) && f.fix);
          const steps = chosen.flatMap((f) => f.fix!.steps);
          // links up before routes through them (the kernel refuses a gateway on a down link)
          const phaseOf = (s: Step): Phase => (s.op.startsWith('fw-') || s.op === 'ip-forward' ? Phase.Firewall
            : s.op === 'sysctl' || s.op.startsWith('dns-') ? Phase.Files : s.op === 'link-set' ? Phase.Create : Phase.Configure);
          const r = await execute(steps.map((step) => ({ phase: phaseOf(step), step, summary: summarize(step) })), {
            runner, onProgress: (done, total, message) => send({ v: PROTOCOL_VERSION, id: req.id, event: 'progress', done, total, message }),
          });
          if (!r.ok) fail('step-failed', `fix failed: ${r.failure!.argv.join(' ')}: ${r.failure!.kernel}`, { ...r.failure! });
          return { fixed: chosen.map((f) => f.code), findings: await examine() };
        });
      }
      case 'ping': {
        const t = validTopology(req.topology);
        const list = probes(t, req.outside ?? []);
        const names = new Set(await listNamespaces(runner));
        const fanout = req.concurrency ?? PING_FANOUT;
        let done = 0;
        const t0 = Date.now();
        // a large matrix: one fping per source, in groups that keep the neighbour table small (ping-matrix.ts)
        const fping = list.length >= MATRIX_MIN_PROBES ? fpingPath() : undefined;
        if (fping) {
          const lab = (t.namespaces ?? []).map((n) => n.name).filter((n) => names.has(n));
          const onProbe = (p: Probe) => send({ v: PROTOCOL_VERSION, id: req.id, event: 'progress', done: ++done, total: list.length, message: `${p.from} -> ${p.target}` });
          return { ...(await pingMatrix(runner, list, names, { fping, labNamespaces: lab, onProbe })), durationMs: Date.now() - t0, fanout: MATRIX_FANOUT, fping: true };
        }
        const probe = async (p: Probe): Promise<ProbeResult> => {
          if (!names.has(p.from)) return { ...p, ok: false, error: `namespace ${p.from} does not exist` };
          const r = await (runner.runQuick ? runner.runQuick(pingArgv(p)) : runner.run(pingArgv(p)));
          return { ...p, ...parsePing(r.code, r.stdout, r.stderr) };
        };
        const results = await pool(list, fanout, async (p) => {
          const r = await probe(p);
          send({ v: PROTOCOL_VERSION, id: req.id, event: 'progress', done: ++done, total: list.length, message: `${p.from} -> ${p.target}` });
          return r;
        });
        // Failures are tried again, after the others. A full mesh of N namespaces needs ~N²
        // neighbour entries, and the kernel's ARP table is one for all namespaces (gc_thresh3,
        // 1024 by default): past it a new entry is refused ("sendmsg: No buffer space
        // available", or no reply when the answer could not be sent) until old ones have aged
        // 5 s. So: once more at once (a real failure fails twice), then, while the table was full,
        // after a pause, up to 3 more rounds.
        let retried = 0;
        let overflow = 0;
        for (let round = 0; round < 4; round++) {
          const again = results.flatMap((r, i) => (!r.ok && names.has(r.from) && (round === 0 || OVERFLOW.test(r.error ?? '')) ? [i] : []));
          if (!again.length || (round > 0 && !results.some((r) => !r.ok && NO_BUFFER.test(r.error ?? '')))) break;
          if (round === 0) overflow = results.filter((r) => NO_BUFFER.test(r.error ?? '')).length;
          if (round > 0) await new Promise((r) => setTimeout(r, 2000));
          retried += again.length;
          const next = await pool(again, fanout, (i) => probe(list[i]!));
          again.forEach((i, k) => { if (next[k]!.ok || !OVERFLOW.test(next[k]!.error ?? '')) results[i] = next[k]!; });
        }
        return { results, durationMs: Date.now() - t0, fanout, retried, overflow };
      }
      case 'probe-icmp': return probeIcmp(runner, req);
      case 'probe-tcp': return probeTcp(runner, req);
      case 'probe-udp': return probeUdp(runner, req);
      case 'route-get': return routeGet(runner, req);
      case 'resolve': return resolveName(runner, req);
      case 'http-get': return httpGet(runner, req);
      case 'link-state':
      case 'remove':
        return ownedChange(runner, req, opts.lockWaitMs ?? 30_000, fail);
      case 'capture': {
        if (watches.size >= 8) fail('too-many', 'at most 8 watches and captures at a time');
        const names = await listNamespaces(runner);
        if (req.ns !== null && !names.includes(req.ns)) fail('not-found', `there is no namespace '${req.ns}'`);
        const live = await observe(runner, { namespaces: req.ns === null ? [] : [req.ns] });
        const ns = req.ns === null ? live.host : live.namespaces.find((n) => n.name === req.ns);
        if (!ns?.links.some((l) => l.name === req.iface)) fail('not-found', `there is no interface '${req.iface}' in ${req.ns ?? 'the host'}`);
        // -U/-l: flush per packet; -n: no lookups; "--" ends the options, the filter is one word
        const argv = inNetns(req.ns, ['tcpdump', '-i', req.iface, '-n', ...(req.format === 'pcap' ? ['-U', '-w', '-'] : ['-l']), '--', ...(req.filter?.trim() ? [req.filter.trim()] : [])]);
        const emit = (data: string) => send({ v: PROTOCOL_VERSION, id: req.id, event: 'capture', data });
        let finish: (code: number | undefined) => void = () => {};
        const exited = new Promise<number | undefined>((r) => { finish = r; });
        const s = req.format === 'pcap'
          ? runner.streamRaw(argv, (chunk) => emit(chunk.toString('base64')), (code) => finish(code))
          : runner.stream(argv, (line) => emit(line), (code) => finish(code));
        let failedCode: number | undefined;
        await new Promise<void>((resolve) => {
          watches.set(req.id, { watch: s, done: resolve });
          void exited.then((code) => {
            // tcpdump ended by itself (not stopped by us): a filter it cannot compile, a vanished interface
            if (watches.get(req.id)?.watch === s) { watches.delete(req.id); failedCode = code; resolve(); }
          });
        });
        if (failedCode !== undefined && failedCode !== 0) fail('capture-failed', `tcpdump exited with code ${failedCode} (is the filter valid?)`);
        return { stopped: true };
      }
      case 'watch': {
        if (watches.has(req.id)) fail('bad-request', `watch ${req.id} is already running`);
        if (watches.size >= 8) fail('too-many', 'at most 8 watches at a time');
        const w = await startWatch(runner, (change) => send({ v: PROTOCOL_VERSION, id: req.id, event: 'live', change }));
        await new Promise<void>((resolve) => watches.set(req.id, { watch: w, done: resolve }));
        return { stopped: true };
      }
      case 'unwatch': {
        const w = watches.get(req.watch);
        if (!w) fail('bad-request', `no watch ${req.watch}`);
        await stopWatch(req.watch);
        return { stopped: req.watch };
      }
    }
  }

  async function stopWatch(id: number): Promise<void> {
    const w = watches.get(id);
    if (!w) return;
    watches.delete(id);
    await w.watch.stop();
    w.done();
  }

  /** handle one raw line; always answers exactly once */
  async function onLine(line: string): Promise<void> {
    let id: number | null = null;
    try {
      let msg: unknown;
      try { msg = JSON.parse(line); } catch { fail('bad-json', 'request is not valid JSON'); }
      if (msg && typeof msg === 'object' && Number.isSafeInteger((msg as { id?: unknown }).id)) id = (msg as { id: number }).id;
      if (msg && typeof msg === 'object' && (msg as { v?: unknown }).v !== PROTOCOL_VERSION) {
        fail('bad-version', `protocol version ${JSON.stringify((msg as { v?: unknown }).v)} is not supported; this helper speaks ${PROTOCOL_VERSION}`);
      }
      const parsed = Request.safeParse(msg);
      if (!parsed.success) {
        const iss = parsed.error.issues[0]!;
        fail('bad-request', `invalid request at ${iss.path.join('.') || '(root)'}: ${iss.message}`);
      }
      const result = await handle(parsed.data);
      send({ v: PROTOCOL_VERSION, id, ok: true, result });
    } catch (e) {
      const error: HelperError = e instanceof RequestError ? e.detail
        : e instanceof LockBusy ? { code: 'locked', message: e.message }
          : { code: 'internal', message: (e as Error).message };
      send({ v: PROTOCOL_VERSION, id, ok: false, error });
    }
  }

  /** stop every watch and capture, waiting for their processes to end (their requests then answer) */
  async function close(): Promise<void> {
    await Promise.all([...watches.keys()].map((id) => stopWatch(id)));
  }

  return { onLine, close, MAX_REQUEST_BYTES };
}
