import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './harness/cli.js';
import { repoRoot } from './harness/expectations.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const outDir = path.join(repoRoot, 'test/.output');

if (!hasChromium) {
  // Loud on purpose: .ci/run installs Chromium, so CI never takes this path.
  console.warn(
    `\n!!! SKIPPED the HTML report browser test: no Chromium at ${CHROMIUM}.\n!!! Install it with: apt-get update && apt-get install -y chromium (or set CHROMIUM_PATH)\n`,
  );
}

describe.skipIf(!hasChromium)('HTML report in headless Chromium', () => {
  let browser: Browser;
  const htmlFile = path.join(outDir, 'report.html');

  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true });
    const r = await runCli(['report', 'test/data/xss-findings.json', '--format', 'html', '--output', htmlFile]);
    expect(r.code).toBe(1);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the counts, the findings and filters them; payloads stay inert', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(htmlFile).href);

    expect(await page.textContent('#count-total')).toBe('3 findings');
    expect(await page.textContent('#count-errors')).toBe('2 errors');
    expect(await page.textContent('#count-warnings')).toBe('1 warning');
    expect(await page.locator('article.finding').count()).toBe(3);
    // The payloads are shown as text, exactly as written, and never run.
    const stuck = page.locator('article[data-id="unsettled-task"]');
    expect(await stuck.locator('.message').textContent()).toBe('<script>window.__pwned = 1</script> task is stuck at an await "><img src=x onerror="window.__pwned=2">');
    expect(await stuck.locator('.stack .fn').first().textContent()).toBe('<img src=x onerror=window.__pwned=3>');
    expect(await stuck.locator('table.frame tr.hit code').textContent()).toBe("  const label = '<img src=x onerror=alert(1)>';");
    expect(await stuck.locator('.test strong').textContent()).toBe('xss > </article><script>window.__pwned=4</script>');
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([]);
    // A fix hint and a docs link on each finding.
    expect(await page.locator('article[data-id="leaked-timer"] .hint').textContent()).toMatch(/^Fix: Keep the handle/);

    await page.screenshot({ path: path.join(outDir, 'html-report.png'), fullPage: true });

    // Search and filters.
    await page.fill('#q', 'setInterval');
    expect(await page.textContent('#shown')).toBe('1');
    expect(await page.locator('article.finding:visible').count()).toBe(1);
    await page.fill('#q', '');
    await page.selectOption('#sev', 'warning');
    expect(await page.textContent('#shown')).toBe('1');
    expect(await page.locator('article.finding:visible .id').textContent()).toBe('unbounded-concurrency');
    await page.selectOption('#sev', '');
    await page.selectOption('#engine', 'tracer');
    expect(await page.textContent('#shown')).toBe('2');
    await page.close();
  });

  it('the file is self-contained: no external references', () => {
    const html = readFileSync(htmlFile, 'utf8');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html).toContain("default-src 'none'");
  });
});
