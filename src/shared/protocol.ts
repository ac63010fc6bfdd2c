/**
 * Messages between the extension host and the canvas webview: versioned, discriminated
 * unions, validated with these schemas on BOTH sides. The webview is untrusted: it can only
 * ask for edits of its own document (as gestures the host turns into minimal text edits) and
 * for commands the user could run from the palette anyway.
 */
import { z } from 'zod';
import { Gesture, NodeKind, NodeRef, Pos, SETTABLE, Target } from '../core/edit/gestures.js';
import { CANVAS_ACTION_NAMES, CANVAS_COMMAND_NAMES } from './canvas-commands.js';

export const WEBVIEW_PROTOCOL = 1;
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

// the canvas's vocabulary is core's (src/core/edit/gestures.ts): one definition, carried here
export { Gesture, NodeKind, NodeRef, Pos, SETTABLE, Target };

const Name = z.string().min(1).max(64);

/** webview -> host */
export const FromWebview = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready'), v: z.literal(WEBVIEW_PROTOCOL) }),
  /** insist: the person saw the refusal and wants the change anyway (it may leave errors in the file) */
  z.strictObject({ type: z.literal('edit'), id: z.int().min(0), gesture: Gesture, insist: z.literal(true).optional() }),
  z.strictObject({ type: z.literal('command'), id: z.int().min(0), command: z.enum(CANVAS_COMMAND_NAMES), node: NodeRef.optional() }),
  z.strictObject({
    type: z.literal('export-image'), id: z.int().min(0), format: z.enum(['png', 'svg']),
    /** PNG: base64 without the data: prefix; SVG: the document text */
    data: z.string().max(MAX_MESSAGE_BYTES),
  }),
  z.strictObject({ type: z.literal('error'), message: z.string().max(4096) }),
  /** set one end of a drawn link down or up on the machine (not in the file) */
  z.strictObject({ type: z.literal('link-state'), id: z.int().min(0), link: z.int().min(0).max(100000), side: z.enum(['a', 'b']), up: z.boolean() }),
  /** the user cleared the connectivity paint (the host then does not send it again) */
  z.strictObject({ type: z.literal('clear-matrix') }),
]);
export type FromWebview = z.infer<typeof FromWebview>;

const Diag = z.strictObject({
  severity: z.enum(['error', 'warning']),
  code: z.string(),
  message: z.string(),
  path: z.array(z.union([z.string(), z.number()])),
  line: z.number().optional(),
  column: z.number().optional(),
  offset: z.number().optional(),
  length: z.number().optional(),
});

export const ViewSettings = z.strictObject({
  labels: z.enum(['all', 'names', 'none']),
  gridSnap: z.boolean(),
  gridSize: z.int().min(5).max(200),
});
export type ViewSettings = z.infer<typeof ViewSettings>;

export const LiveMark = z.strictObject({
  state: z.enum(['in-sync', 'missing', 'drifted', 'unowned-clash', 'extra']),
  /** link ends: admin/oper state on the machine */
  up: z.boolean().optional(),
  detail: z.string().max(512).optional(),
  /** a namespace's services (issue 16): the badge's text, its state, one line per service */
  services: z.strictObject({ text: z.string().max(200), state: z.enum(['ok', 'starting', 'exited', 'stopped']), detail: z.string().max(8192) }).optional(),
});
export type LiveMark = z.infer<typeof LiveMark>;

const PaintState = z.enum(['ok', 'fail', 'mixed']);
const Count = z.int().min(0).max(10_000_000);
/** the connectivity matrix painted on the drawing (src/core/diagnose/reach-paint.ts) */
export const MatrixPaint = z.strictObject({
  probes: Count,
  failed: Count,
  unplaced: Count,
  durationMs: z.number().finite().min(0),
  /** when it ran (ISO time) */
  at: z.string().max(64),
  /** by link index: every probe crossing it succeeded (ok), failed (fail), or both (mixed) */
  links: z.record(z.string().regex(/^\d{1,6}$/), z.strictObject({ state: PaintState, ok: Count, failed: Count, detail: z.string().max(4096) })),
  /** by source namespace */
  nodes: z.record(Name, z.strictObject({
    state: PaintState, ok: Count, failed: Count,
    maxRttMs: z.number().finite().min(0).optional(),
    failing: z.array(z.string().max(512)).max(100000),
    detail: z.string().max(4096),
  })),
});
export type MatrixPaint = z.infer<typeof MatrixPaint>;

/** host -> webview */
export const ToWebview = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('document'),
    v: z.literal(WEBVIEW_PROTOCOL),
    /** document version: edits answer with the version they produced */
    version: z.int(),
    /** the parsed file (structure may be invalid: the canvas draws what it can) */
    topology: z.unknown(),
    diagnostics: z.array(Diag),
    /** the file is not JSON at all: nothing to draw */
    unreadable: z.boolean(),
    settings: ViewSettings,
    trusted: z.boolean(),
  }),
  z.strictObject({
    type: z.literal('edit-result'), id: z.int(), ok: z.boolean(),
    message: z.string().optional(),
    diagnostics: z.array(Diag).optional(),
    /** refused only for the errors it would add: the canvas may offer to make it anyway */
    insistable: z.literal(true).optional(),
  }),
  z.strictObject({ type: z.literal('export-image'), format: z.enum(['png', 'svg']) }),
  z.strictObject({ type: z.literal('command-result'), id: z.int(), ok: z.boolean(), message: z.string().optional() }),
  z.strictObject({ type: z.literal('action'), action: z.enum(CANVAS_ACTION_NAMES) }),
  /** how the machine compares to the drawing, while the topology is applied */
  z.strictObject({
    type: z.literal('live'),
    /** false: nothing of this topology runs (no live decoration) */
    applied: z.boolean(),
    /** by node name ("host" included): in-sync / missing / drifted / unowned-clash */
    nodes: z.record(z.string(), LiveMark),
    /** by link index: each end */
    links: z.record(z.string(), z.strictObject({ a: LiveMark, b: LiveMark })),
  }),
  /** the last Test Connectivity of this topology painted on the drawing; null: clear it (stale or cleared) */
  z.strictObject({ type: z.literal('matrix'), paint: MatrixPaint.nullable() }),
]);
export type ToWebview = z.infer<typeof ToWebview>;

/** parse an incoming message; returns undefined (and the reason) when it is not one of ours */
export function parseMessage<T>(schema: z.ZodType<T>, raw: unknown): { ok: true; msg: T } | { ok: false; reason: string } {
  const r = schema.safeParse(raw);
  if (r.success) return { ok: true, msg: r.data };
  const iss = r.error.issues[0]!;
  return { ok: false, reason: `${iss.path.join('.') || '(message)'}: ${iss.message}` };
}
