/**
 * The canvas's vocabulary, defined once: the kinds of node it draws, what a property edit
 * targets, which fields the canvas may set, and the gestures it sends. The protocol
 * (src/shared/protocol.ts) carries these schemas between the webview and the host; the edits
 * (edits.ts) and the edit policy (edit-policy.ts) take the types inferred from them.
 */
import { z } from 'zod';

const Name = z.string().min(1).max(64);
const Coord = z.number().finite().min(-1e6).max(1e6);

export const Pos = z.strictObject({ x: Coord, y: Coord });
export type Pos = z.infer<typeof Pos>;

/** a node on the canvas: a namespace or bridge name, or "host" */
export const NodeRef = Name;

export const NODE_KINDS = ['namespace', 'router', 'bridge', 'host'] as const;
export const NodeKind = z.enum(NODE_KINDS);
export type NodeKind = z.infer<typeof NodeKind>;

/** what a property edit targets (by name, so a concurrent text edit cannot redirect it) */
export const Target = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('namespace'), name: Name }),
  z.strictObject({ type: z.literal('bridge'), name: Name }),
  z.strictObject({ type: z.literal('host') }),
  z.strictObject({ type: z.literal('link'), index: z.int().min(0).max(100000), side: z.enum(['a', 'b']).optional() }),
  z.strictObject({ type: z.literal('topology') }),
]);
export type Target = z.infer<typeof Target>;

/** fields the properties panel may set, per target type */
export const SETTABLE: Record<Target['type'], readonly string[]> = {
  namespace: ['routes', 'sysctls', 'dns', 'internet', 'note'],
  bridge: ['in', 'addresses', 'mtu', 'note'],
  host: ['uplink', 'masquerade', 'ipForward', 'routes'],
  link: ['name', 'addresses', 'mtu', 'mac', 'note', 'up', 'impair'],
  topology: ['name'],
};

export const Gesture = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('add-node'), node: NodeKind, position: Pos }),
  z.strictObject({ kind: z.literal('move'), moves: z.array(z.strictObject({ node: NodeRef, position: Pos })).min(1).max(20000) }),
  z.strictObject({ kind: z.literal('add-link'), a: NodeRef, b: NodeRef }),
  z.strictObject({
    kind: z.literal('delete'),
    nodes: z.array(NodeRef).max(20000),
    links: z.array(z.int().min(0).max(100000)).max(20000),
  }),
  z.strictObject({ kind: z.literal('rename'), from: NodeRef, to: z.string().max(256) }),
  /** a property: undefined value (null here) removes the field */
  z.strictObject({ kind: z.literal('set'), target: Target, field: z.string().max(32), value: z.unknown() }),
  /** "Change subnet…" of a link: both ends and the routes through them, in one edit */
  z.strictObject({ kind: z.literal('renumber'), link: z.int().min(0).max(100000), cidr: z.string().max(64) }),
  /** paste copied nodes (as they are in a topology file) and the links among them */
  z.strictObject({
    kind: z.literal('paste'),
    namespaces: z.array(z.unknown()).max(5000),
    bridges: z.array(z.unknown()).max(5000),
    links: z.array(z.unknown()).max(10000),
    offset: Pos,
  }),
]);
export type Gesture = z.infer<typeof Gesture>;
