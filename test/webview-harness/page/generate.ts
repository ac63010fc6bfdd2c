/**
 * A large topology for benchmarks: `lans` bridges in the host, each a /24 LAN of namespaces with
 * a default route via the bridge, laid out in blocks (every node has a position, as a file saved
 * by the canvas does). generate(1000) = 1000 namespaces on 50 bridges, 1000 links, plus the host.
 */
export function generateTopology(namespaces: number, perLan = 20): Record<string, unknown> {
  const lans = Math.max(1, Math.ceil(namespaces / perLan));
  const cols = Math.ceil(Math.sqrt(lans));
  const bridges: unknown[] = [];
  const nss: unknown[] = [];
  const links: unknown[] = [];
  let made = 0;
  for (let k = 0; k < lans; k++) {
    const bx = (k % cols) * 900;
    const by = 200 + Math.floor(k / cols) * 760;
    const br = `br${k}`;
    const net = `10.${Math.floor(k / 250)}.${k % 250}`;
    bridges.push({ name: br, addresses: [`${net}.1/24`], position: { x: bx + 360, y: by } });
    for (let j = 0; j < perLan && made < namespaces; j++, made++) {
      const name = `ns${made}`;
      nss.push({ name, routes: [{ to: 'default', via: `${net}.1` }], position: { x: bx + (j % 5) * 180, y: by + 160 + Math.floor(j / 5) * 140 } });
      links.push({ a: { node: name, name: 'eth0', addresses: [`${net}.${j + 2}/24`] }, b: { node: br, name: `v${made}-p` } });
    }
  }
  return {
    version: 1,
    name: `bench${namespaces}`,
    host: { uplink: 'auto', position: { x: (cols * 900) / 2, y: 0 } },
    bridges,
    namespaces: nss,
    links,
  };
}
