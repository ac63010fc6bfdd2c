/**
 * The side bar's tree views as rendered (rows: label, description, level) and screenshots for the
 * walkthrough and the README, shared by the E2E scripts (live.ts, workloads.ts).
 */
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { RESULTS, ROOT, log as hlog, sleep } from '../vscode/harness.js';
import { check } from './ui.js';

const log = (...a: unknown[]) => hlog('e2e', ...a);

export interface Row { label: string; description: string; level: number; expanded: string | null }

/** page-side: the rendered rows of the side-bar view titled `title` (null: no such view) */
export const treeRowsJs = (title: string) => `(() => {
  const pane = [...document.querySelectorAll('.part.sidebar .pane')]
    .find((p) => ((p.querySelector('.pane-header .title') || {}).textContent || '').trim().toLowerCase() === ${JSON.stringify(title.toLowerCase())});
  if (!pane) return null;
  return [...pane.querySelectorAll('.pane-body .monaco-list-row')].map((r) => ({
    label: ((r.querySelector('.label-name') || {}).textContent || '').trim(),
    description: ((r.querySelector('.label-description') || {}).textContent || '').trim(),
    level: Number(r.getAttribute('aria-level') || 0),
    expanded: r.getAttribute('aria-expanded'),
  }));
})()`;

export async function treeRows(page: Page, title: string): Promise<Row[]> {
  return (await page.evaluate(treeRowsJs(title)) as Row[] | null) ?? [];
}

/** page-side: true once the row `label` of the view shows a description matching `re`, else false */
export const rowMatchesJs = (title: string, label: string, re: RegExp) => `(() => {
  const rows = ${treeRowsJs(title)};
  const r = rows && rows.find((x) => x.label === ${JSON.stringify(label)});
  return r && new RegExp(${JSON.stringify(re.source)}).test(r.description) ? true : false;
})()`;

export function paneOf(page: Page, title: string) {
  return page.locator('.part.sidebar .pane', { has: page.locator('.pane-header .title', { hasText: new RegExp(`^${title}$`, 'i') }) });
}

export function rowOf(page: Page, title: string, label: string) {
  const exact = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return paneOf(page, title).locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${exact}$`) }) }).first();
}

/** expand the row `label` of a view (a click toggles it: clicked only while it is collapsed) */
export async function expand(page: Page, title: string, label: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = (await treeRows(page, title)).find((x) => x.label === label);
    if (r?.expanded === 'true') return;
    if (Date.now() > end) throw new Error(`the row ${label} of ${title} did not expand (${JSON.stringify(r)})`);
    if (r?.expanded === 'false') await rowOf(page, title, label).click();
    await sleep(300);
  }
}

/** the first visible element of a selector's box */
export async function box(page: Page, selector: string) {
  const b = await page.locator(selector).filter({ visible: true }).first().boundingBox();
  if (!b) throw new Error(`${selector} is not visible`);
  return b;
}
/** drag the sash on the right of the side bar until the side bar is `width` wide */
/** drag the side bar's edge until it is `width` px wide */
export async function widenSidebar(page: Page, width: number): Promise<void> {
  const side = await box(page, '.part.sidebar');
  const x = side.x + side.width;
  const y = side.y + side.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + (width - side.width), y, { steps: 6 });
  await page.mouse.up();
  const now = await box(page, '.part.sidebar');
  if (Math.abs(now.width - width) > 4) log(`WARN the side bar is ${now.width} px wide, not ${width}`);
}

// ---------------------------------------------------------------------------------------------
// screenshots

export const MEDIA = join(RESULTS, 'media');
const COPY = process.env.NETNS_LAB_SCREENSHOTS === '1';
const MAX_IMAGE_BYTES = 150 * 1024;
export const media: Record<string, number> = {};

/** a crop for the walkthrough or the README: test-results/media/<rel>, copied to media/<rel> with NETNS_LAB_SCREENSHOTS=1 */
export async function shootMedia(page: Page, rel: string, clip?: { x: number; y: number; width: number; height: number }): Promise<void> {
  const out = join(MEDIA, rel);
  mkdirSync(dirname(out), { recursive: true });
  await sleep(200);
  const c = clip && { x: Math.max(0, Math.round(clip.x)), y: Math.max(0, Math.round(clip.y)), width: Math.round(clip.width), height: Math.round(clip.height) };
  await page.screenshot({ path: out, ...(c ? { clip: c } : {}) });
  const bytes = statSync(out).size;
  media[rel] = bytes;
  log(`screenshot test-results/media/${rel} (${(bytes / 1024).toFixed(0)} kB)`);
  if (COPY) {
    check(bytes < MAX_IMAGE_BYTES, `media/${rel} is under 150 kB (${(bytes / 1024).toFixed(0)} kB)`);
    mkdirSync(dirname(join(ROOT, 'media', rel)), { recursive: true });
    copyFileSync(out, join(ROOT, 'media', rel));
    log(`copied to media/${rel}`);
  }
}
