/** Topology files the VS Code tests open. */

/** n namespaces on one bridge (a LAN), placed on a grid: the "100-node" file of the issue */
export function lanTopology(n: number, name = `lan${n}`): string {
  const cols = Math.ceil(Math.sqrt(n));
  const namespaces = [];
  const links = [];
  for (let i = 1; i <= n; i++) {
    const r = Math.floor((i - 1) / cols);
    const c = (i - 1) % cols;
    namespaces.push({ name: `ns${i}`, routes: [{ to: 'default', via: '10.1.0.1' }], position: { x: c * 140, y: 200 + r * 120 } });
    links.push({ a: { node: `ns${i}`, name: 'eth0', addresses: [`10.1.${Math.floor((i + 1) / 256)}.${(i + 1) % 256}/16`] }, b: { node: 'br0', name: `v${i}-br` } });
  }
  return JSON.stringify({
    version: 1, name,
    bridges: [{ name: 'br0', addresses: ['10.1.0.1/16'], position: { x: (cols - 1) * 70, y: 40 } }],
    namespaces, links,
  }, null, 2) + '\n';
}
