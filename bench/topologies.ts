/** Generated topologies for benchmarks and scale tests: the article's LAN scaled, a router chain. */
import type { Topology } from '../src/core/model/model.js';

/** N namespaces, each with a veth to one host bridge, an address and a default route */
export function lan(n: number, name = `lan${n}`): Topology {
  const ns = Array.from({ length: n }, (_, i) => `n${i + 1}`);
  const addr = (i: number) => `10.${100 + Math.floor((i + 2) / 250)}.${(i + 2) % 250}.${1}`;
  void addr;
  // one /16: 10.200.0.1 is the bridge, namespaces from 10.200.0.2 on
  const ip = (k: number) => `10.200.${Math.floor(k / 256)}.${k % 256}`;
  return {
    version: 1,
    name,
    bridges: [{ name: 'lanbr0', addresses: [`${ip(1)}/16`] }],
    namespaces: ns.map((x) => ({ name: x, routes: [{ to: 'default', via: ip(1) }] })),
    links: ns.map((x, i) => ({
      a: { node: x, name: 'eth0', addresses: [`${ip(i + 2 + Math.floor((i + 2) / 255))}/16`] },
      b: { node: 'lanbr0', name: `v${x}` },
    })),
  };
}

/** a chain of N router namespaces r1 - r2 - ... - rN, each pair on its own /30, all forwarding */
export function chain(n: number, name = `chain${n}`): Topology {
  const routers = Array.from({ length: n }, (_, i) => `r${i + 1}`);
  const net = (i: number) => [10, 201 + Math.floor(i / 16384), Math.floor((i % 16384) / 64), (i % 64) * 4] as const;
  const a = (i: number, h: number) => { const [w, x, y, z] = net(i); return `${w}.${x}.${y}.${z + h}`; };
  return {
    version: 1,
    name,
    namespaces: routers.map((r, i) => ({
      name: r,
      sysctls: { 'net.ipv4.ip_forward': 1 },
      routes: [
        ...(i > 0 ? [{ to: 'default', via: a(i - 1, 1) }] : []),
        ...(i < n - 1 && i === 0 ? [{ to: '10.201.0.0/16', via: a(0, 2) }] : []),
      ],
    })),
    links: routers.slice(0, -1).map((r, i) => ({
      a: { node: r, name: 'right', addresses: [`${a(i, 1)}/30`] },
      b: { node: routers[i + 1]!, name: 'left', addresses: [`${a(i, 2)}/30`] },
    })),
  };
}
