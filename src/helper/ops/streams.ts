/**
 * Requests that stay open: watch (live events) and capture (tcpdump output) run until unwatch,
 * and answer then. At most 8 at a time per connection; close() stops them all.
 */
import { inNetns } from '../../core/plan/render.js';
import { listNamespaces, observe } from '../observe.js';
import { startWatch } from '../watch.js';
import { fail, type Handler } from './context.js';
import { MAX_STREAMS } from './registry.js';

export const watch: Handler<'watch'> = async (req, ctx) => {
  if (ctx.streams.has(req.id)) fail('bad-request', `watch ${req.id} is already running`);
  if (ctx.streams.size >= MAX_STREAMS) fail('too-many', `at most ${MAX_STREAMS} watches at a time`);
  const w = await startWatch(ctx.runner, (change) => ctx.emit({ event: 'live', change }));
  await ctx.streams.hold(req.id, w);
  return { stopped: true };
};

export const unwatch: Handler<'unwatch'> = async (req, ctx) => {
  if (!ctx.streams.has(req.watch)) fail('bad-request', `no watch ${req.watch}`);
  await ctx.streams.stop(req.watch);
  return { stopped: req.watch };
};

export const capture: Handler<'capture'> = async (req, ctx) => {
  const { runner } = ctx;
  if (ctx.streams.size >= MAX_STREAMS) fail('too-many', `at most ${MAX_STREAMS} watches and captures at a time`);
  const names = await listNamespaces(runner);
  if (req.ns !== null && !names.includes(req.ns)) fail('not-found', `there is no namespace '${req.ns}'`);
  const live = await observe(runner, { namespaces: req.ns === null ? [] : [req.ns] });
  const ns = req.ns === null ? live.host : live.namespaces.find((n) => n.name === req.ns);
  if (!ns?.links.some((l) => l.name === req.iface)) fail('not-found', `there is no interface '${req.iface}' in ${req.ns ?? 'the host'}`);
  // -U/-l: flush per packet; -n: no lookups; "--" ends the options, the filter is one word
  const argv = inNetns(req.ns, ['tcpdump', '-i', req.iface, '-n', ...(req.format === 'pcap' ? ['-U', '-w', '-'] : ['-l']), '--', ...(req.filter?.trim() ? [req.filter.trim()] : [])]);
  const emit = (data: string) => ctx.emit({ event: 'capture', data });
  let finish: (code: number | undefined) => void = () => {};
  const exited = new Promise<number | undefined>((r) => { finish = r; });
  const s = req.format === 'pcap'
    ? runner.streamRaw(argv, (chunk) => emit(chunk.toString('base64')), (code) => finish(code))
    : runner.stream(argv, (line) => emit(line), (code) => finish(code));
  let failedCode: number | undefined;
  const held = ctx.streams.hold(req.id, s);
  // tcpdump ended by itself (not stopped by us): a filter it cannot compile, a vanished interface
  void exited.then((code) => { if (ctx.streams.ended(req.id, s)) failedCode = code; });
  await held;
  if (failedCode !== undefined && failedCode !== 0) fail('capture-failed', `tcpdump exited with code ${failedCode} (is the filter valid?)`);
  return { stopped: true };
};
