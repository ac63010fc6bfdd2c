/** The handler of every operation of the protocol (src/helper/protocol.ts OPS), by name. */
import type { Handlers } from './context.js';
import { adopt } from './adopt.js';
import { doctor } from './doctor.js';
import { linkState, remove } from './owned.js';
import { ping } from './ping.js';
import { httpGetOp, probeIcmpOp, probeLatencyOp, probeRateOp, probeTcpOp, probeUdpOp, resolveOp, routeGetOp } from './probes.js';
import { hello, observe } from './read.js';
import { capture, unwatch, watch } from './streams.js';
import { apply, destroy, planOp } from './topology.js';
import { logs, restart, services } from './workloads.js';
import { serviceStop } from './service-stop.js';

export const HANDLERS: Handlers = {
  hello, observe, plan: planOp, apply, destroy, 'link-state': linkState, remove, doctor, ping, capture, watch, unwatch, adopt,
  services, logs, restart, 'service-stop': serviceStop,
  'probe-icmp': probeIcmpOp, 'probe-tcp': probeTcpOp, 'probe-udp': probeUdpOp, 'route-get': routeGetOp, resolve: resolveOp, 'http-get': httpGetOp,
  'probe-latency': probeLatencyOp, 'probe-rate': probeRateOp,
  // stop a running apply or destroy of this connection before its next group of steps
  cancel: async (req, ctx) => ({ cancelled: ctx.cancel(req.request) }),
};
