/**
 * The canvas in Chromium (playwright-core + Debian's Chromium), through the webview harness
 * (test/webview-harness: the real webview bundle and page, a fake host):
 * - load to first full draw for generated topologies of 100, 500 and 1000 namespaces with links,
 *   against the article (4 nodes) in the same browser: the page's own fixed cost;
 * - frame rate while a node is dragged in the 500-namespace graph (requestAnimationFrame
 *   timestamps in the page), against the same page's frame rate with nothing happening.
 */
import type { Browser, Page } from 'playwright-core';
import { launch } from '../test/webview-harness/shoot.js';
import { startHarness } from '../test/webview-harness/serve.js';
import { median, type Row } from './report.js';

const CY = "document.getElementById('canvas')._cyreg.cy";
/** records, in page time (ms since navigation), when the first document was drawn */
const RECORD_DRAWN = `(() => {
  const mark = () => { if (document.body && document.body.dataset.drawnVersion && window.__drawnAt === undefined) window.__drawnAt = performance.now(); };
  new MutationObserver(mark).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-drawn-version'] });
})();`;

async function loadToDrawn(browser: Browser, url: string): Promise<{ ms: number; drawMs: number; postedAt: number; page: Page }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.addInitScript({ content: RECORD_DRAWN });
  await page.goto(url);
  await page.waitForSelector('body[data-drawn-version]', { timeout: 60_000, state: 'attached' });
  const ms = await page.evaluate('window.__drawnAt') as number;
  const drawMs = Number(await page.evaluate('document.body.dataset.drawMs'));
  const postedAt = await page.evaluate('window.__harness.postedAt') as number;
  if (problems.length) throw new Error(`the canvas page failed: ${problems.join('; ')}`);
  if (typeof ms !== 'number') throw new Error('the page did not record its draw time');
  return { ms, drawMs, postedAt, page };
}

/** rAF frame timestamps for `ms`, while `during` runs */
async function frames(page: Page, during: () => Promise<void>): Promise<number[]> {
  await page.evaluate(`(() => { window.__frames = []; window.__recording = true; const f = (t) => { if (!window.__recording) return; window.__frames.push(t); requestAnimationFrame(f); }; requestAnimationFrame(f); })()`);
  await during();
  return await page.evaluate('(() => { window.__recording = false; return window.__frames; })()') as number[];
}

function fps(ts: number[]): { fps: number; p95FrameMs: number } {
  if (ts.length < 3) return { fps: 0, p95FrameMs: Infinity };
  const d = ts.slice(1).map((t, i) => t - ts[i]!).sort((a, b) => a - b);
  return { fps: ((ts.length - 1) * 1000) / (ts[ts.length - 1]! - ts[0]!), p95FrameMs: d[Math.floor(d.length * 0.95)]! };
}

export async function runCanvas(log: (s: string) => void, reps = 3): Promise<Row[]> {
  const h = await startHarness();
  const browser = await launch();
  const rows: Row[] = [];
  try {
    const timed = async (q: string) => {
      const xs: number[] = [];
      const draws: number[] = [];
      const posted: number[] = [];
      for (let i = 0; i < reps; i++) {
        const { ms, drawMs, postedAt, page } = await loadToDrawn(browser, `${h.url}?${q}`);
        xs.push(ms);
        draws.push(drawMs);
        posted.push(postedAt);
        await page.close();
      }
      return { xs, draws, posted };
    };
    // a warm-up load (the browser's first page pays for its own start)
    await (await loadToDrawn(browser, `${h.url}?file=article`)).page.close();
    const base = await timed('file=article');
    const baseline = { subject: 'the article (4 nodes), same page', value: median(base.xs) };
    const drawBaseline = { subject: 'the article (4 nodes)', value: median(base.draws) };
    for (const n of [100, 500, 1000]) {
      log(`canvas: ${n} namespaces`);
      const r = await timed(`n=${n}&theme=dark`);
      rows.push({ section: 'canvas', topology: '', n, subject: `load to first full draw (${n} namespaces + ${n} links)`, value: median(r.xs), unit: 'ms', samples: r.xs.map((x) => Math.round(x)), baseline,
        note: `the harness's fake host posted the document at ${Math.round(median(r.posted))} ms (it generates and validates the file in the page; in VS Code the extension host does that)` });
      rows.push({ section: 'canvas', topology: '', n, subject: `webview draw: document message to drawn frame (${n})`, value: median(r.draws), unit: 'ms', samples: r.draws.map((x) => Math.round(x)), baseline: drawBaseline });
    }
    log('canvas: dragging a node in the 500-namespace graph');
    const { page } = await loadToDrawn(browser, `${h.url}?n=500&theme=dark`);
    await page.waitForTimeout(500);
    const idle = fps(await frames(page, () => page.waitForTimeout(2000)));
    // the namespace nearest the middle of the fitted view, grabbed near its left edge: the link
    // handle sits on a node's right edge and, zoomed out this far, covers most of the node
    const pt = await page.evaluate(`(() => {
      const cy = ${CY};
      const r = document.getElementById('canvas').getBoundingClientRect();
      const mid = { x: r.width / 2, y: r.height / 2 };
      const e = cy.nodes('[id ^= "n:ns"]').min((n) => Math.hypot(n.renderedPosition().x - mid.x, n.renderedPosition().y - mid.y)).ele;
      window.__dragId = e.id();
      const bb = e.renderedBoundingBox({ includeLabels: false, includeOverlays: false });
      return { x: r.left + bb.x1 + Math.min(2, (bb.x2 - bb.x1) / 4), y: r.top + (bb.y1 + bb.y2) / 2, model: e.position() };
    })()`) as { x: number; y: number; model: { x: number; y: number } };
    const dragged = await frames(page, async () => {
      await page.mouse.move(pt.x, pt.y);
      await page.mouse.down();
      const t0 = Date.now();
      for (let i = 1; Date.now() - t0 < 2000; i++) {
        const a = i / 20;
        await page.mouse.move(pt.x + 150 * Math.sin(a), pt.y + 100 * (1 - Math.cos(a)));
      }
      await page.mouse.up();
    });
    const moved = await page.evaluate(`${CY}.getElementById(window.__dragId).position()`) as { x: number; y: number };
    if (moved.x === pt.model.x && moved.y === pt.model.y) throw new Error('the drag did not move the node');
    const drag = fps(dragged);
    rows.push({ section: 'canvas', topology: '', n: 500, subject: `drag a node: frame rate (p95 frame ${drag.p95FrameMs.toFixed(0)} ms)`, value: drag.fps, unit: 'fps',
      baseline: { subject: 'same page, idle', value: idle.fps } });
    await page.close();
  } finally {
    await browser.close();
    await h.close();
  }
  return rows;
}
