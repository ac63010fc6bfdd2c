import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
/**
 * Drive the canvas harness in Chromium (playwright-core + Debian's /usr/bin/chromium): draw the
 * article example in the light, dark and high-contrast themes, a generated 1000-namespace
 * topology, exercise the main gestures, and fail on console errors or CSP violations.
 * Screenshots go to test-results/.
 *
 *   npm run build && node out/test/webview-harness/shoot.js
 */
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { runInteractions } from './interact.js';
import { startHarness } from './serve.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const OUT = 'test-results';

export async function launch(): Promise<Browser> {
  // a private home: Chromium otherwise writes ~/.config/chromium and ~/.cache/dconf
  const home = mkdtempSync(join(tmpdir(), 'netns-lab-chromium-'));
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache'), XDG_DATA_HOME: join(home, 'data') },
  });
}

export interface Opened { page: Page; problems: string[]; drawMs: number }

/** open the harness page and wait for the first document to be drawn */
export async function open(browser: Browser, url: string, size = { width: 1280, height: 800 }): Promise<Opened> {
  const page = await browser.newPage({ viewport: size, deviceScaleFactor: 1 });
  const problems: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error' || m.type() === 'warning' || /Content Security Policy|Refused to/.test(m.text())) problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  // (browser-side code as strings: this file compiles without the DOM library)
  await page.addInitScript({ content: "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));" });
  await page.goto(url);
  await page.waitForSelector('body[data-drawn-version]', { timeout: 30_000, state: 'attached' });
  const drawMs = Number(await page.evaluate('document.body.dataset.drawMs'));
  return { page, problems, drawMs };
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const h = await startHarness();
  const browser = await launch();
  let failed = false;
  try {
    for (const theme of ['light', 'dark', 'hc'] as const) {
      const t0 = Date.now();
      const o = await open(browser, `${h.url}?file=article&theme=${theme}`);
      await o.page.waitForTimeout(300);
      await o.page.screenshot({ path: `${OUT}/webview-${theme}.png` });
      console.log(`article, ${theme}: drawn ${o.drawMs} ms after the document (page load to drawn ${Date.now() - t0} ms)`);
      if (o.problems.length) { failed = true; console.log(o.problems.join('\n')); }
      await o.page.close();
    }
    const t0 = Date.now();
    const big = await open(browser, `${h.url}?n=1000&theme=dark`);
    console.log(`1000 namespaces: drawn ${big.drawMs} ms after the document (page load to drawn ${Date.now() - t0} ms)`);
    await big.page.screenshot({ path: `${OUT}/webview-1000.png` });
    if (big.problems.length) { failed = true; console.log(big.problems.join('\n')); }
    await big.page.close();

    for (const file of ['routed', 'unplaced']) {
      const o = await open(browser, `${h.url}?file=${file}&theme=light`);
      await o.page.screenshot({ path: `${OUT}/webview-${file}.png` });
      if (o.problems.length) { failed = true; console.log(o.problems.join('\n')); }
      await o.page.close();
    }

    for (const r of await runInteractions(browser, h.url, OUT)) {
      console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name}${r.detail ? `\n     ${r.detail}` : ''}`);
      if (!r.ok) failed = true;
    }
  } finally {
    await browser.close();
    await h.close();
  }
  if (failed) process.exitCode = 1;
}

if (process.argv[1]?.endsWith('shoot.js')) await main();
