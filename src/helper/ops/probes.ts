/** The lab tests' probes (src/helper/probe-ops.ts) as handlers of the protocol's operations. */
import { httpGet, probeIcmp, probeTcp, probeUdp, resolveName, routeGet } from '../probe-ops.js';
import { probeLatency, probeRate } from '../perf-probes.js';
import type { Handler } from './context.js';

export const probeIcmpOp: Handler<'probe-icmp'> = (req, ctx) => probeIcmp(ctx.runner, req);
export const probeTcpOp: Handler<'probe-tcp'> = (req, ctx) => probeTcp(ctx.runner, req);
export const probeUdpOp: Handler<'probe-udp'> = (req, ctx) => probeUdp(ctx.runner, req);
export const routeGetOp: Handler<'route-get'> = (req, ctx) => routeGet(ctx.runner, req);
export const resolveOp: Handler<'resolve'> = (req, ctx) => resolveName(ctx.runner, req);
export const httpGetOp: Handler<'http-get'> = (req, ctx) => httpGet(ctx.runner, req);
export const probeLatencyOp: Handler<'probe-latency'> = (req, ctx) => probeLatency(ctx.runner, req);
export const probeRateOp: Handler<'probe-rate'> = (req, ctx) => probeRate(ctx.runner, req);
