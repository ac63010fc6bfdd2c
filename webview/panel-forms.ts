/**
 * The properties panel's forms, one per kind of target: the topology (nothing selected), a
 * multiple selection, a namespace or router, a bridge, the host and a link; and the sections
 * they share (interfaces, note, actions, DNS, impairments). Each committed field posts one
 * gesture through the Form; nothing here keeps state.
 */
import type { Target } from '../src/shared/protocol.js';
import { impairSummary } from '../src/core/model/impair.js';
import { parseCidr, subnetOf } from '../src/core/model/ip.js';
import {
  checkCidr, checkCidrList, checkIfName, checkImpairField, checkMac, checkMtu, checkNsName, checkServers, checkTopoName, checkUplink,
} from './fields.js';
import { HOST_ID, KIND_TEXT, summary, type Impairment, type JsonPath, type ViewLink, type ViewNode } from './model.js';
import { routes } from './panel-routes.js';
import { button, h, header, isObj, type Form, type PanelContext, type PanelTarget } from './panel-widgets.js';

export function interfaces(f: Form, parent: HTMLElement, ctx: PanelContext, n: ViewNode): void {
  const ends = ctx.view.links.flatMap((l) => [[l, l.a, l.b], [l, l.b, l.a]] as const).filter(([, mine]) => mine.node === n.ref);
  const title = n.kind === 'bridge' ? 'Ports' : 'Interfaces';
  f.section(parent, title, (body) => {
    if (!ends.length) body.append(h('p', { className: 'hint', text: 'Not connected. Drag from this node to another one (or use "Connect to" below) to add a veth link.' }));
    const list = h('div', { className: 'iface-list', attrs: { role: 'list' } });
    for (const [l, mine, other] of ends) {
      const row = h('div', { className: 'iface', attrs: { role: 'listitem', tabindex: '0', title: 'Select this link' } },
        h('span', { className: 'iface-name mono', text: mine.name || '?' }),
        h('span', { className: 'iface-addr mono', text: mine.addresses.join(', ') }),
        h('span', { className: 'iface-peer', text: `→ ${other.node}` }),
      );
      const go = () => f.host.select(l.id);
      row.addEventListener('click', go);
      row.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); go(); } });
      list.append(row);
    }
    body.append(list);
    // keyboard (and mouse) alternative to dragging a link
    const others = ctx.view.nodes.filter((x) => x.ref !== n.ref);
    if (others.length) {
      const sel = h('vscode-single-select', { className: 'connect-select' });
      if (others.length > 20) sel.combobox = true;
      for (const x of others) sel.append(h('vscode-option', { props: { value: x.ref }, attrs: { value: x.ref }, text: `${x.ref} (${KIND_TEXT[x.kind]})` }));
      // the likely partner: a bridge for a namespace, a namespace for a bridge, not yet connected
      const linked = new Set(ends.map(([, , other]) => other.node));
      const wanted = (x: ViewNode) => (n.kind === 'bridge' ? x.kind === 'namespace' || x.kind === 'router' : x.kind === 'bridge');
      sel.value = (others.find((x) => wanted(x) && !linked.has(x.ref)) ?? others.find((x) => !linked.has(x.ref)) ?? others[0]!).ref;
      sel.setAttribute('aria-label', 'Node to connect to');
      body.append(h('div', { className: 'field' }, h('vscode-label', { text: 'Connect to' }),
        h('div', { className: 'inline' }, sel, button('Link', () => {
          if (sel.value) f.host.edit({ kind: 'add-link', a: n.ref, b: sel.value });
        }, { secondary: true, icon: 'link', title: 'Add a veth link to the chosen node' }))));
    }
  }, true, ends.length ? String(ends.length) : undefined);
}

export function actions(f: Form, parent: HTMLElement, n: ViewNode | undefined): void {
  const row = h('div', { className: 'panel-actions' });
  if (n && n.kind !== 'bridge') row.append(button('Open Terminal', () => f.host.openTerminal(n.ref), { secondary: true, icon: 'terminal', title: `A shell inside ${n.ref === HOST_ID ? 'the host' : n.ref}` }));
  row.append(button('Delete', () => f.host.deleteSelection(), { secondary: true, icon: 'trash' }));
  parent.append(row);
}

export function note(f: Form, parent: HTMLElement, path: JsonPath, value: unknown, target: Target): void {
  f.text(parent, {
    key: 'note', label: 'Note', path: [...path, 'note'], value: typeof value === 'string' ? value : '', multiline: true,
    placeholder: 'Free-form note',
    check: (s) => ({ ok: true, value: s.trim() ? s : null }),
    commit: (v) => ({ kind: 'set', target, field: 'note', value: v }),
  });
}

export function topologyPanel(f: Form, body: HTMLElement, ctx: PanelContext): void {
  f.setTarget([]);
  const v = ctx.view;
  body.append(header(v.name || 'Topology', 'topology'));
  body.append(h('p', { className: 'summary', text: summary(v) }));
  f.text(body, {
    key: 'name', label: 'Topology name', path: ['name'], value: v.name, mono: true,
    help: 'Marks every object apply creates (1-20 letters, digits, _ or -).',
    check: checkTopoName,
    commit: (name) => ({ kind: 'set', target: { type: 'topology' }, field: 'name', value: name }),
  });
  const all = ctx.diagnostics;
  f.section(body, 'Problems', (b) => {
    f.problems(b);
    if (!all.length) b.append(h('p', { className: 'hint', text: 'No problems.' }));
  }, true, all.length ? String(all.length) : undefined);
  f.section(body, 'How to', (b) => {
    const tips: [string, string][] = [
      ['Add', 'drag a kind from the toolbar onto the canvas, or click it and then click the canvas'],
      ['Link', 'drag the handle that appears on a node onto another node, or turn on link mode'],
      ['Routes', 'a namespace without a default route gets one when linked: via the bridge\'s address, or via the router\'s address on the new link (a router forwards: IP forwarding on)'],
      ['Select', 'click; Shift+click or Shift+drag for more'],
      ['Move', 'drag, or the arrow keys (one grid step)'],
      ['Delete', 'Delete or Backspace, or right-click'],
      ['Copy', 'Ctrl+C / Ctrl+V copies nodes with the links among them'],
      ['View', '+ / - zoom, F fits, Escape clears'],
    ];
    b.append(h('dl', { className: 'tips' }, ...tips.flatMap(([k, t]) => [h('dt', { text: k }), h('dd', { text: t })])));
  }, v.nodes.length === 0);
  f.setTarget([]);
}

export function multiPanel(f: Form, body: HTMLElement, ctx: PanelContext, t: Extract<PanelTarget, { type: 'multi' }>): void {
  f.setTarget(['\u0000none']);
  const parts = [];
  if (t.nodes.length) parts.push(`${t.nodes.length} node${t.nodes.length === 1 ? '' : 's'}`);
  if (t.links.length) parts.push(`${t.links.length} link${t.links.length === 1 ? '' : 's'}`);
  body.append(header(`${parts.join(', ')} selected`, 'selection'));
  const names = t.nodes.slice(0, 12).join(', ') + (t.nodes.length > 12 ? ', …' : '');
  if (names) body.append(h('p', { className: 'summary mono', text: names }));
  body.append(h('p', { className: 'hint', text: 'Ctrl+C copies the selected nodes with the links among them; arrow keys move them.' }));
  actions(f, body, undefined);
  void ctx;
}

export function namespacePanel(f: Form, body: HTMLElement, ctx: PanelContext, n: ViewNode): void {
  const raw = n.raw;
  const target: Target = { type: 'namespace', name: n.ref };
  f.setTarget(n.path);
  body.append(header(n.ref, n.kind));
  f.problems(body);
  f.text(body, {
    key: 'name', label: 'Name', path: [...n.path, 'name'], value: n.ref, mono: true,
    help: 'Renaming keeps links and bridges pointing at it.',
    check: checkNsName,
    commit: (to) => ({ kind: 'rename', from: n.ref, to }),
  });
  const sysctls = isObj(raw.sysctls) ? raw.sysctls : {};
  f.checkbox(body, {
    key: 'sysctls', label: 'IP forwarding (a router)', path: [...n.path, 'sysctls'], checked: n.kind === 'router',
    help: 'net.ipv4.ip_forward = 1 inside the namespace',
    commit: (on) => {
      const next: Record<string, unknown> = { ...sysctls };
      if (on) next['net.ipv4.ip_forward'] = 1; else delete next['net.ipv4.ip_forward'];
      return { kind: 'set', target, field: 'sysctls', value: Object.keys(next).length ? next : null };
    },
  });
  f.checkbox(body, {
    key: 'internet', label: 'Internet access', path: [...n.path, 'internet'], checked: raw.internet === true,
    help: 'Needs a default route and a masqueraded subnet in the host',
    commit: (on) => ({ kind: 'set', target, field: 'internet', value: on ? true : null }),
  });
  routes(f, body, n.path, raw, target);
  dns(f, body, n, target);
  interfaces(f, body, ctx, n);
  note(f, body, n.path, raw.note, target);
  actions(f, body, n);
}

export function dns(f: Form, parent: HTMLElement, n: ViewNode, target: Target): void {
  const dns = n.raw.dns;
  const mode = dns === 'inherit' ? 'inherit' : isObj(dns) ? 'servers' : 'none';
  const servers = isObj(dns) && Array.isArray(dns.servers) ? (dns.servers as unknown[]).filter((x) => typeof x === 'string').join(', ') : '';
  f.section(parent, 'DNS', (body) => {
    const serversField = h('div');
    f.select(body, {
      key: 'dns', label: 'Resolver', path: [...n.path, 'dns'], value: mode,
      options: [['none', 'None (use the host\'s /etc/resolv.conf)'], ['inherit', 'Inherit the host\'s upstream servers'], ['servers', 'These servers…']],
      commit: (v) => {
        serversField.hidden = v !== 'servers';
        if (v === 'none') return mode === 'none' ? undefined : { kind: 'set', target, field: 'dns', value: null };
        if (v === 'inherit') return { kind: 'set', target, field: 'dns', value: 'inherit' };
        // servers: wait for the addresses
        if (mode !== 'servers') f.field('dns.servers')?.el.focus();
        return undefined;
      },
    });
    f.text(serversField, {
      key: 'dns.servers', label: 'Servers', path: [...n.path, 'dns', 'servers'], value: servers, mono: true,
      placeholder: '1.1.1.1, 9.9.9.9', help: 'Up to 3 addresses, written to /etc/netns/NAME/resolv.conf',
      check: checkServers,
      commit: (list) => ({ kind: 'set', target, field: 'dns', value: { ...(isObj(dns) ? dns : {}), servers: list } }),
    });
    serversField.hidden = mode !== 'servers';
    body.append(serversField);
  }, mode !== 'none');
}

export function bridgePanel(f: Form, body: HTMLElement, ctx: PanelContext, n: ViewNode): void {
  const raw = n.raw;
  const target: Target = { type: 'bridge', name: n.ref };
  f.setTarget(n.path);
  body.append(header(n.ref, 'bridge', n.in ? `in ${n.in}` : undefined));
  f.problems(body);
  f.text(body, {
    key: 'name', label: 'Name', path: [...n.path, 'name'], value: n.ref, mono: true,
    help: 'An interface name: at most 15 bytes',
    check: checkIfName,
    commit: (to) => ({ kind: 'rename', from: n.ref, to }),
  });
  f.text(body, {
    key: 'addresses', label: 'Addresses', path: [...n.path, 'addresses'], mono: true,
    value: (Array.isArray(raw.addresses) ? raw.addresses : []).join(', '),
    placeholder: '10.0.0.1/24', help: 'The gateway of the LAN behind the bridge',
    check: checkCidrList,
    commit: (v) => ({ kind: 'set', target, field: 'addresses', value: v }),
  });
  f.text(body, {
    key: 'mtu', label: 'MTU', path: [...n.path, 'mtu'], mono: true,
    value: typeof raw.mtu === 'number' ? String(raw.mtu) : '', placeholder: '1500',
    check: checkMtu,
    commit: (v) => ({ kind: 'set', target, field: 'mtu', value: v }),
  });
  const namespaces = ctx.view.nodes.filter((x) => x.kind === 'namespace' || x.kind === 'router');
  f.select(body, {
    key: 'in', label: 'Lives in', path: [...n.path, 'in'], value: n.in ?? HOST_ID,
    options: [[HOST_ID, 'the host'], ...namespaces.map((x) => [x.ref, x.ref] as [string, string])],
    commit: (v) => ({ kind: 'set', target, field: 'in', value: v === HOST_ID ? null : v }),
  });
  interfaces(f, body, ctx, n);
  note(f, body, n.path, raw.note, target);
  actions(f, body, n);
}

export function hostPanel(f: Form, body: HTMLElement, ctx: PanelContext, n: ViewNode): void {
  const raw = n.raw;
  const target: Target = { type: 'host' };
  f.setTarget(['host']);
  body.append(header('host', 'host'));
  body.append(h('p', { className: 'hint', text: 'The root network namespace of this machine.' }));
  f.problems(body);
  f.text(body, {
    key: 'uplink', label: 'Uplink', path: ['host', 'uplink'], mono: true,
    value: typeof raw.uplink === 'string' ? raw.uplink : '', placeholder: 'auto',
    help: '"auto" (the interface of the default route) or an interface such as eth0',
    check: checkUplink,
    commit: (v) => ({ kind: 'set', target, field: 'uplink', value: v }),
  });
  f.text(body, {
    key: 'masquerade', label: 'Masquerade (NAT) subnets', path: ['host', 'masquerade'], mono: true,
    value: (Array.isArray(raw.masquerade) ? raw.masquerade : []).join(', '), placeholder: '10.0.0.0/24',
    help: 'Source subnets NATed out of the uplink',
    check: checkCidrList,
    commit: (v) => ({ kind: 'set', target, field: 'masquerade', value: v }),
  });
  f.select(body, {
    key: 'ipForward', label: 'IP forwarding', path: ['host', 'ipForward'],
    value: raw.ipForward === true ? 'on' : raw.ipForward === false ? 'off' : 'default',
    options: [['default', 'Default (on when masquerading)'], ['on', 'On'], ['off', 'Off']],
    commit: (v) => ({ kind: 'set', target, field: 'ipForward', value: v === 'on' ? true : v === 'off' ? false : null }),
  });
  routes(f, body, ['host'], raw, target);
  interfaces(f, body, ctx, n);
  actions(f, body, n);
}

/**
 * The impairment fields: key, label, placeholder, help. An empty field means "none": the
 * placeholder says so and gives an example, so it does not read as a value already set.
 */
export const IMPAIR_FIELDS: [keyof Impairment, string, string, string][] = [
  ['delay', 'Delay (ms)', 'none (e.g. 100)', 'Added one-way delay'],
  ['jitter', 'Jitter (ms)', 'none (e.g. 10)', '± this much around the delay (needs a delay)'],
  ['loss', 'Loss (%)', 'none (e.g. 1)', 'Share of packets dropped'],
  ['corrupt', 'Corruption (%)', 'none (e.g. 0.1)', 'Share of packets with a flipped bit'],
  ['duplicate', 'Duplication (%)', 'none (e.g. 1)', 'Share of packets sent twice'],
  ['rate', 'Rate (kbit/s)', 'no limit (e.g. 10000)', 'Bandwidth limit: 10000 = 10 Mbit/s'],
];

/** delay, jitter, loss, corruption, duplication and rate of what one end sends (tc netem / tbf) */
export function impairments(f: Form, parent: HTMLElement, l: ViewLink, side: 'a' | 'b', target: Target, p: JsonPath): void {
  const e = l[side];
  const end = l.raw[side];
  const cur: Record<string, unknown> = isObj(end) && isObj(end.impair) ? end.impair : {};
  const summary = impairSummary(e.impair);
  f.section(parent, `Impairments of ${e.node}:${e.name || '?'}`, (b) => {
    for (const [key, label, placeholder, help] of IMPAIR_FIELDS) {
      const v = cur[key];
      f.text(b, {
        key: `${side}.impair.${key}`, label, path: [...p, 'impair', key], mono: true,
        value: typeof v === 'number' ? String(v) : '', placeholder, help,
        check: (s) => checkImpairField(key, s),
        commit: (n) => {
          if ((typeof v === 'number' ? v : null) === n) return undefined;
          const next: Record<string, unknown> = { ...cur, [key]: n };
          const empty = Object.values(next).every((x) => x === null || x === undefined);
          return { kind: 'set', target, field: 'impair', value: empty ? null : next };
        },
      });
    }
  }, summary !== '', summary || 'none (tc netem / tbf on what this end sends)');
}

/** "Change subnet": a point-to-point link's ends and the routes through them, renumbered in one edit */
function subnetField(f: Form, body: HTMLElement, ctx: PanelContext, l: ViewLink): void {
  if ([l.a.node, l.b.node].some((n) => ctx.view.byRef.get(n)?.kind === 'bridge')) return;
  const c = [...l.a.addresses, ...l.b.addresses].map((a) => parseCidr(a)).find((x) => x?.family === 4);
  if (!c) return;
  f.text(body, {
    key: 'subnet', label: 'Subnet (both ends)', path: ['links', l.index, '\u0000subnet'], mono: true, value: subnetOf(c),
    help: 'Change it to renumber both ends and the routes through them in one edit',
    check: checkCidr,
    commit: (v) => ({ kind: 'renumber', link: l.index, cidr: v }),
  });
}

export function linkPanel(f: Form, body: HTMLElement, ctx: PanelContext, l: ViewLink): void {
  const base: JsonPath = ['links', l.index];
  f.setTarget(base);
  body.append(header(`${l.a.node} ⟷ ${l.b.node}`, 'link', 'veth'));
  f.problems(body);
  subnetField(f, body, ctx, l);
  for (const side of ['a', 'b'] as const) {
    const e = l[side];
    const target: Target = { type: 'link', index: l.index, side };
    const onBridge = ctx.view.byRef.get(e.node)?.kind === 'bridge';
    const p: JsonPath = [...base, side];
    f.section(body, `End on ${e.node}`, (b) => {
      f.text(b, {
        key: `${side}.name`, label: 'Interface name', path: [...p, 'name'], value: e.name, mono: true,
        check: checkIfName,
        commit: (v) => ({ kind: 'set', target, field: 'name', value: v }),
      });
      f.text(b, {
        key: `${side}.addresses`, label: 'Addresses', path: [...p, 'addresses'], mono: true, value: e.addresses.join(', '),
        placeholder: onBridge ? '' : '10.0.0.2/24', disabled: onBridge && !e.addresses.length,
        help: onBridge ? `A port of bridge ${e.node}: no address (put it on the bridge)` : undefined,
        check: checkCidrList,
        commit: (v) => ({ kind: 'set', target, field: 'addresses', value: v }),
      });
      f.text(b, {
        key: `${side}.mtu`, label: 'MTU (this end)', path: [...p, 'mtu'], mono: true,
        value: e.mtu !== undefined ? String(e.mtu) : '', placeholder: l.mtu !== undefined ? String(l.mtu) : '1500',
        check: checkMtu,
        commit: (v) => ({ kind: 'set', target, field: 'mtu', value: v }),
      });
      f.text(b, {
        key: `${side}.mac`, label: 'MAC address', path: [...p, 'mac'], mono: true,
        value: e.mac ?? '', placeholder: 'the kernel\'s (random)',
        help: 'e.g. 02:00:00:00:00:01; empty keeps the MAC the interface has',
        check: checkMac,
        commit: (v) => ({ kind: 'set', target, field: 'mac', value: v }),
      });
    });
    impairments(f, body, l, side, target, p);
  }
  const target: Target = { type: 'link', index: l.index };
  f.text(body, {
    key: 'mtu', label: 'MTU (both ends)', path: [...base, 'mtu'], mono: true,
    value: l.mtu !== undefined ? String(l.mtu) : '', placeholder: '1500',
    check: checkMtu,
    commit: (v) => ({ kind: 'set', target, field: 'mtu', value: v }),
  });
  note(f, body, base, l.note, target);
  actions(f, body, undefined);
}