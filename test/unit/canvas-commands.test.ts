/**
 * One vocabulary for the canvas: the commands table (src/shared/canvas-commands.ts) against
 * package.json's contributions, and the edit policy (src/core/edit/edit-policy.ts) that the VS Code
 * provider and the webview harness both use.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decideEdit, newErrors } from '../../src/core/edit/edit-policy.js';
import { minimalEdit } from '../../src/core/edit/edits.js';
import { SETTABLE } from '../../src/core/edit/gestures.js';
import { CANVAS_ACTIONS, CANVAS_ACTION_NAMES, CANVAS_COMMANDS, CANVAS_COMMAND_NAMES, TOOLBAR_COMMANDS } from '../../src/shared/canvas-commands.js';
import { FromWebview, SETTABLE as PROTOCOL_SETTABLE, ToWebview, parseMessage } from '../../src/shared/protocol.js';

interface Contributes { commands: { command: string }[]; menus: { commandPalette: { command: string; when?: string }[] } }
const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { contributes: Contributes };
const contributed = new Set(pkg.contributes.commands.map((c) => c.command));
const TEXT = readFileSync(new URL('../../../examples/article.netns.json', import.meta.url), 'utf8');

describe('the canvas commands table', () => {
  it('names only commands that package.json contributes', () => {
    for (const c of CANVAS_COMMAND_NAMES) assert.ok(contributed.has(CANVAS_COMMANDS[c].command), `${c}: ${CANVAS_COMMANDS[c].command}`);
    for (const id of Object.values(CANVAS_ACTIONS)) if (id) assert.ok(contributed.has(id), id);
  });

  it('has an action for each palette command that needs the canvas editor (but Export Image, a message of its own)', () => {
    const gated = pkg.contributes.menus.commandPalette
      .filter((m) => m.when === 'activeCustomEditorId == netnsLab.topology' && m.command !== 'netnsLab.exportImage')
      .map((m) => m.command).sort();
    assert.deepEqual(gated, Object.values(CANVAS_ACTIONS).filter(Boolean).sort());
  });

  it('is what the protocol accepts: every command and action, nothing else', () => {
    for (const command of CANVAS_COMMAND_NAMES) assert.equal(parseMessage(FromWebview, { type: 'command', id: 1, command }).ok, true, command);
    assert.equal(parseMessage(FromWebview, { type: 'command', id: 1, command: 'layoutSaved' }).ok, false);
    for (const action of CANVAS_ACTION_NAMES) assert.equal(parseMessage(ToWebview, { type: 'action', action }).ok, true, action);
    assert.equal(parseMessage(ToWebview, { type: 'action', action: 'exec' }).ok, false);
  });

  it('gives the toolbar the buttons it had, in order, with unique ids', () => {
    assert.deepEqual(TOOLBAR_COMMANDS, ['validate', 'plan', 'apply', 'destroy', 'exportScript', 'ping']);
    const ids = TOOLBAR_COMMANDS.map((c) => CANVAS_COMMANDS[c].button.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(TOOLBAR_COMMANDS.filter((c) => 'needsTrust' in CANVAS_COMMANDS[c].button), ['apply', 'destroy']);
  });

  it('the protocol carries core\'s settable fields (one list)', () => {
    assert.equal(PROTOCOL_SETTABLE, SETTABLE);
  });
});

describe('the edit policy', () => {
  it('turns a gesture into the minimal edit of the text', () => {
    const d = decideEdit(TEXT, { kind: 'add-node', node: 'bridge', position: { x: 10, y: 20 } });
    assert.equal(d.ok, true);
    const e = d.ok ? d.edit : undefined;
    assert.ok(e);
    const next = TEXT.slice(0, e.offset) + e.text + TEXT.slice(e.offset + e.length);
    assert.deepEqual(minimalEdit(TEXT, next), e);
    assert.match(e.text, /"position"/);
  });

  it('changes nothing for a gesture that changes nothing', () => {
    assert.deepEqual(decideEdit(TEXT, { kind: 'rename', from: 'ns1', to: 'ns1' }), { ok: true, edit: undefined });
  });

  it('refuses a field the panel does not have, whatever the webview sends', () => {
    const d = decideEdit(TEXT, { kind: 'set', target: { type: 'namespace', name: 'ns1' }, field: 'commands', value: ['id'] });
    assert.deepEqual(d, { ok: false, message: "'commands' cannot be set from the canvas" });
  });

  it('refuses any edit of a file that is not JSON', () => {
    const d = decideEdit('{ "name": ', { kind: 'add-node', node: 'namespace', position: { x: 0, y: 0 } });
    assert.equal(d.ok, false);
    assert.match(d.ok ? '' : d.message, /not valid JSON/);
  });

  it('refuses what the edits reject, with their reason', () => {
    assert.deepEqual(decideEdit(TEXT, { kind: 'add-link', a: 'ns1', b: 'nowhere' }), { ok: false, message: "no node 'nowhere'" });
  });

  it('refuses an edit that adds an error, and says which', () => {
    const d = decideEdit(TEXT, { kind: 'set', target: { type: 'link', index: 0, side: 'a' }, field: 'addresses', value: ['10.0.0.1/24'] });
    assert.equal(d.ok, false);
    assert.ok(!d.ok && d.diagnostics?.length && d.diagnostics.every((x) => x.severity === 'error'));
  });

  it('counts as new only the errors the text did not have', () => {
    const e = { severity: 'error' as const, code: 'x', message: 'm', path: ['a'] };
    const w = { ...e, severity: 'warning' as const, code: 'w' };
    assert.deepEqual(newErrors([e], [e, w]), []);
    assert.deepEqual(newErrors([], [e, w]), [e]);
  });
});
