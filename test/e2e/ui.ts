/**
 * Driving the workbench and the canvas webview, shared by the E2E scripts (workbench.ts,
 * live.ts, quickstart.ts): waiting, the canvas as drawn (read from its cytoscape instance),
 * Quick Open, Apply/Destroy confirmed in the modal dialog, notifications, the color theme.
 */
import { readdirSync, readFileSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { EXTENSION_ID, RESULTS, freePort, log as hlog, runCommand, sleep, waitHttp, waitWorkbench, type RunDir } from '../vscode/harness.js';

let tag = 'e2e';
/** the tag of this module's log lines (the script's own) */
export function setLogTag(t: string): void { tag = t; }
const log = (...a: unknown[]) => hlog(tag, ...a);

export class CheckFailed extends Error { override name = 'CheckFailed'; }
/** how many check() calls of this script passed (each E2E script is its own process) */
export const passed = { count: 0 };
/** one checked fact of an E2E script: logged as "ok - WHAT" and counted, or thrown */
export function check(cond: unknown, what: string): asserts cond {
  if (!cond) throw new CheckFailed(what);
  passed.count++;
  log(`ok - ${what}`);
}

export const LIGHT = 'Default Light Modern';
export const DARK = 'Default Dark Modern';

export async function until<T>(what: string, f: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v) return v;
    } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------------------------------------
// the canvas webview

export interface DrawnNode { ref: string; kind: string; x: number; y: number }
export interface Drawn { version: string | undefined; drawMs: string | undefined; nodes: DrawnNode[]; links: { a: string; b: string }[]; status: string; theme: string }

/**
 * What the canvas has drawn: nodes with their page coordinates, links, the status line.
 * Read-only, from the cytoscape instance registered on its container (cytoscape keeps it on
 * container._cyreg) and from body[data-drawn-version], set by the webview after each draw.
 */
export const READ_DRAWN = `(() => {
  const el = document.getElementById('canvas');
  const cy = el && el._cyreg && el._cyreg.cy;
  if (!cy) return null;
  return {
    version: document.body.dataset.drawnVersion,
    drawMs: document.body.dataset.drawMs,
    nodes: cy.nodes().filter((n) => !n.hasClass('contain') && n.data('ref') !== undefined).map((n) => {
      const p = n.renderedPosition();
      return { ref: n.data('ref'), kind: n.data('kind'), x: p.x, y: p.y };
    }),
    links: cy.edges('.link').map((e) => ({ a: e.source().data('ref'), b: e.target().data('ref') })),
    status: (document.getElementById('status-summary') || {}).textContent || '',
    theme: document.body.className,
  };
})()`;

export async function drawn(frame: Frame): Promise<Drawn> {
  const d = await frame.evaluate(READ_DRAWN) as Drawn | null;
  if (!d) throw new Error('the canvas has no cytoscape instance on #canvas');
  const box = await frame.locator('#canvas').boundingBox();
  if (!box) throw new Error('#canvas is not visible');
  for (const n of d.nodes) { n.x += box.x; n.y += box.y; }
  return d;
}

export function refs(d: Drawn): string[] {
  return d.nodes.map((n) => n.ref).sort();
}
export function node(d: Drawn, ref: string): DrawnNode {
  const n = d.nodes.find((x) => x.ref === ref);
  if (!n) throw new Error(`no node ${ref} drawn (drawn: ${refs(d).join(', ')})`);
  return n;
}
export const linked = (d: Drawn, a: string, b: string) => d.links.some((l) => (l.a === a && l.b === b) || (l.a === b && l.b === a));

/** the visible canvas webview's inner frame, once it has drawn a document */
export async function canvasFrame(page: Page, timeoutMs = 30_000, stages?: Record<string, number>): Promise<Frame> {
  const t0 = Date.now();
  const stage = (name: string) => { if (stages && stages[name] === undefined) stages[name] = Date.now() - t0; };
  return until('the canvas webview to draw', async () => {
    for (const outer of await page.locator(`iframe.webview.ready[src*="extensionId=${EXTENSION_ID}"]`).elementHandles()) {
      if (!await outer.isVisible()) continue;
      stage('webviewVisible');
      const outerFrame = await outer.contentFrame();
      const inner = await outerFrame?.$('iframe#active-frame');
      const frame = await inner?.contentFrame();
      if (!frame) continue;
      stage('innerFrame');
      const v = await frame.evaluate('document.body && (document.getElementById("status-summary") || {}).textContent ? (document.body.dataset.drawnVersion || "loading") : ""').catch(() => undefined);
      if (v) stage('scriptRunning');
      if (v && v !== 'loading') return frame;
    }
    return undefined;
  }, timeoutMs, 25);
}

/** wait until the canvas has drawn a document version other than `after` and pred holds */
export async function waitDrawn(frame: Frame, what: string, pred: (d: Drawn) => boolean, timeoutMs = 15_000): Promise<Drawn> {
  let last: Drawn | undefined;
  try {
    return await until(what, async () => { last = await drawn(frame); return pred(last) ? last : undefined; }, timeoutMs);
  } catch (e) {
    throw new Error(`${(e as Error).message}; drawn: nodes ${last ? refs(last).join(',') : '?'}, links ${last ? JSON.stringify(last.links) : '?'}, status "${last?.status ?? ''}"`);
  }
}

/** a point of the canvas far from every node (page coordinates) */
export async function emptySpot(frame: Frame, d: Drawn): Promise<{ x: number; y: number }> {
  const box = (await frame.locator('#canvas').boundingBox())!;
  let best = { x: box.x + box.width / 2, y: box.y + box.height / 2, dist: -1 };
  for (let fx = 0.15; fx <= 0.85; fx += 0.05) {
    for (let fy = 0.2; fy <= 0.8; fy += 0.05) {
      const x = box.x + fx * box.width;
      const y = box.y + fy * box.height;
      const dist = Math.min(...d.nodes.map((n) => Math.hypot(n.x - x, n.y - y)));
      if (dist > best.dist) best = { x, y, dist };
    }
  }
  return best;
}

export async function shotCanvas(page: Page, name: string): Promise<void> {
  const outer = page.locator(`iframe.webview.ready[src*="extensionId=${EXTENSION_ID}"]`).filter({ visible: true }).first();
  await sleep(150); // let the last frame settle
  await outer.screenshot({ path: join(RESULTS, name) });
  log(`screenshot test-results/${name}`);
}

// ---------------------------------------------------------------------------------------------
// the workbench

/** Quick Open (F1, then the file name instead of the '>' command prefix); resolves when Enter is pressed */
export async function quickOpen(page: Page, name: string, timeoutMs = 30_000): Promise<number> {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  const row = widget.locator('.monaco-list-row', { hasText: name }).first();
  const end = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(name);
    try { await row.waitFor({ state: 'visible', timeout: 3000 }); break; } catch (e) {
      if (Date.now() > end) throw new Error(`"${name}" not found by Quick Open: ${(e as Error).message}`);
    }
    await page.keyboard.press('Escape');
    await sleep(300);
  }
  const t = Date.now();
  await input.press('Enter');
  return t;
}

/** F1 "Netns: Apply", then "Apply" in the modal confirmation; returns the dialog's text */
export async function applyFromPalette(page: Page): Promise<string> {
  return confirmFromPalette(page, 'Netns: Apply', 'Apply');
}

/** a command from the palette that asks in a modal dialog, confirmed with `button`; returns the dialog's text */
export async function confirmFromPalette(page: Page, command: string, button: string, beforeConfirm?: (dialog: Locator) => Promise<void>): Promise<string> {
  await runCommand(page, command);
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 30_000 });
  const text = (await dialog.innerText()).replace(/\s+/g, ' ').trim();
  log(`confirmation: ${text.slice(0, 200)}${text.length > 200 ? '…' : ''}`);
  if (beforeConfirm) await beforeConfirm(dialog);
  await dialog.locator('a.monaco-button, button.monaco-button', { hasText: new RegExp(`^${button}$`) }).first().click();
  await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
  return text;
}

export async function waitNotification(page: Page, re: RegExp, timeoutMs = 60_000): Promise<string> {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: re }).first();
  await toast.waitFor({ state: 'visible', timeout: timeoutMs });
  return (await toast.innerText()).replace(/\s+/g, ' ').trim();
}

/** the workbench's theme, chosen as a person would: F1 "Preferences: Color Theme", pick it */
export async function setTheme(page: Page, theme: string, frame: Frame): Promise<void> {
  await runCommand(page, 'Preferences: Color Theme', 30_000, true);
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  const label = theme.replace(/^Default /, ''); // the picker shows "Dark Modern" for "Default Dark Modern"
  await input.fill(label);
  await widget.locator('.monaco-list-row', { hasText: label }).first().waitFor({ timeout: 10_000 });
  await input.press('Enter');
  await widget.waitFor({ state: 'hidden', timeout: 10_000 });
  const dark = theme === DARK;
  await page.locator(dark ? '.monaco-workbench.vs-dark' : '.monaco-workbench.vs').waitFor({ timeout: 20_000 });
  await until(`the canvas to take the ${dark ? 'dark' : 'light'} theme`, async () =>
    (await frame.evaluate('document.body.className') as string).includes(dark ? 'vscode-dark' : 'vscode-light'), 10_000);
  await sleep(300); // the webview restyles cytoscape on the class change
}


/** code-server on a free port with `folder` open, and a page on it once the workbench is up (page errors logged) */
export async function openWorkbench(run: RunDir, folder: string, viewport: { width: number; height: number }, onPage: (p: Page) => void = () => {}): Promise<Page> {
  const port = await freePort();
  const cs = run.startCodeServer(port, folder);
  await waitHttp(`http://127.0.0.1:${port}/healthz`, 60_000, cs.alive);
  const { page } = await run.browser({ viewport });
  onPage(page);
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`);
  await waitWorkbench(page);
  log(`workbench up (code-server on port ${port})`);
  return page;
}

export function tail(file: string, lines = 30): string {
  try { return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n'); } catch { return `(no ${file})`; }
}
export function findFiles(dir: string, re: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let ents: Dirent[] = [];
    try { ents = readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of ents) { const p = join(d, e.name); if (e.isDirectory()) walk(p); else if (re.test(e.name)) out.push(p); }
  };
  walk(dir);
  return out;
}

// ---------------------------------------------------------------------------------------------
// the Connectivity panel (Test Connectivity)

export interface Cell { from: string; to: string; cls: string; text: string; title: string }

/** the matrix panel's inner frame (the webview whose page is "Connectivity of ...") */
export async function matrixFrame(page: Page): Promise<Frame> {
  return until('the Connectivity panel', async () => {
    for (const outer of await page.locator(`iframe.webview.ready[src*="extensionId=${EXTENSION_ID}"]`).elementHandles()) {
      const f = await (await (await outer.contentFrame())?.$('iframe#active-frame'))?.contentFrame();
      if (f && /^Connectivity of /.test(await f.evaluate('(document.querySelector("h2") || {}).textContent || ""') as string)) return f;
    }
    return undefined;
  }, 30_000, 100);
}

const READ_MATRIX = `(() => {
  const cols = [...document.querySelectorAll('thead th')].slice(1).map((th) => th.textContent);
  const cells = [...document.querySelectorAll('tbody tr')].flatMap((tr) => {
    const from = tr.querySelector('th').textContent;
    return [...tr.querySelectorAll('td')].map((td, i) => ({ from, to: cols[i], cls: td.className, text: td.textContent, title: td.title || '' }));
  });
  return { summary: (document.querySelector('.summary') || {}).textContent || '', cells: cells.filter((c) => c.cls !== 'self' && c.cls !== 'none') };
})()`;

export async function readMatrix(page: Page): Promise<{ summary: string; cells: Cell[] }> {
  return await (await matrixFrame(page)).evaluate(READ_MATRIX) as { summary: string; cells: Cell[] };
}

