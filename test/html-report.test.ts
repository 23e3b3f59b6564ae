import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docsUrl, REPO_URL } from '@asyncsan/core';
import { runCli } from '@asyncsan/test-harness/cli';
import { repoRoot } from '@asyncsan/test-harness/expectations';

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
  const demoJson = path.join(outDir, 'demo-runtime.json');
  const demoHtml = path.join(outDir, 'demo-report.html');

  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true });
    const r = await runCli(['report', 'test/data/xss-findings.json', '--format', 'html', '--output', htmlFile]);
    expect(r.code).toBe(1);
    // The demo's Vitest suite as CI runs it (fail mode), its findings file, and the report drawn from it.
    rmSync(demoJson, { force: true });
    const demo = path.join(repoRoot, 'fixtures/demo');
    const run = spawnSync(process.execPath, [path.join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run', '--root', demo], {
      cwd: demo,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', NO_COLOR: '1', ASYNCSAN_FINDINGS: demoJson },
    });
    expect(existsSync(demoJson), run.stdout + run.stderr).toBe(true);
    const d = await runCli(['report', demoJson, '--format', 'html', '--output', demoHtml]);
    expect(d.code, d.stderr).toBe(1);
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
    // The timeline's texts too: a lane label, its site and detail, a fingerprint in a link.
    const timeline = page.locator('figure.timeline');
    expect(await timeline.count()).toBe(1);
    expect(await timeline.locator('.tl-test-name').textContent()).toBe('xss > </article><script>window.__pwned=4</script>');
    expect(await timeline.locator('.tl-lane .tl-name').allTextContents()).toEqual(['test body', '<img src=x onerror=window.__pwned=5>', 'setInterval(…, 1000)']);
    const stuckLane = timeline.locator('.tl-lane[data-state="pending"]');
    expect(await stuckLane.getAttribute('data-label')).toBe('<img src=x onerror=window.__pwned=5>');
    expect(await stuckLane.locator('.tl-site').textContent()).toBe('test/data/sample/<b>metrics</b>.ts:16:3');
    expect(await stuckLane.locator('.tl-note').textContent()).toContain('awaited by "><script>window.__pwned=6</script>');
    expect(await stuckLane.locator('a.tl-finding').getAttribute('href')).toBe('#f-x" onmouseover="window.__pwned=8');
    expect(await page.locator('article[data-id="unsettled-task"]').getAttribute('id')).toBe('f-x" onmouseover="window.__pwned=8');
    await stuckLane.locator('a.tl-finding').hover();
    expect(await timeline.locator('.tl-omitted').textContent()).toBe('3 more lanes not shown');
    expect(await page.locator('b').count()).toBe(0);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([]);
    // A fix hint and a docs link on each finding.
    expect(await page.locator('article[data-id="leaked-timer"] .hint').textContent()).toMatch(/^Fix: Keep the handle/);
    for (const id of ['unsettled-task', 'leaked-timer', 'unbounded-concurrency']) {
      const article = page.locator(`article[data-id="${id}"]`);
      const href = await article.locator('.docs a').getAttribute('href');
      // The catalog's page for the id, a file that exists in docs/rules/.
      expect(href).toBe(`${REPO_URL}/blob/main/docs/rules/${id}.md`);
      expect(href).toBe(docsUrl(id));
      expect(existsSync(path.join(repoRoot, 'docs/rules', `${id}.md`))).toBe(true);
      expect(await article.locator('.docs a').textContent()).toMatch(/: documentation$/);
      expect(await article.locator('header a.id').getAttribute('href')).toBe(href);
    }
    // The summaries: rows of [name, count] per table, by its first header.
    const summary = (title: string) =>
      page.locator('table.summary', { has: page.locator(`th:text-is("${title}")`) }).locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    expect(await summary('hazard')).toEqual([
      ['leaked-timer', '1'],
      ['unbounded-concurrency', '1'],
      ['unsettled-task', '1'],
    ]);
    expect(await summary('package')).toEqual([['asyncsan-monorepo', '3']]);
    expect(await summary('file')).toEqual([['test/data/sample/metrics.ts', '3']]);
    expect(await page.locator('table.summary', { has: page.locator('th:text-is("hazard")') }).locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(
      ['leaked-timer', 'unbounded-concurrency', 'unsettled-task'].map(docsUrl),
    );

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

  it('draws the timeline of a failing demo test: its lanes, and the leaked timer crossing the end line', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
    await page.goto(pathToFileURL(demoHtml).href);
    // The five demo tests that fail under CI each have a timeline.
    expect(await page.locator('figure.timeline .tl-test-name').allTextContents()).toEqual([
      'orders > looks a price up once per product',
      'orders > places an order',
      'orders > reports metrics',
      'orders > times out slow work',
      'orders > tops up a wallet twice at once',
    ]);
    const metrics = page.locator('figure.timeline[data-test="test/orders.test.ts > orders > reports metrics"]');
    expect(await metrics.locator('.badge.outcome-failed').textContent()).toBe('failed');
    expect(await metrics.locator('.tl-lane .tl-name').allTextContents()).toEqual(['test body', 'setInterval(…, 1000)']);
    expect(await metrics.locator('.tl-lane').evaluateAll((lanes) => lanes.map((l) => l.getAttribute('data-state')))).toEqual(['settled', 'leaked']);
    const leaked = metrics.locator('.tl-lane[data-state="leaked"]');
    expect(await leaked.locator('.tl-site').textContent()).toBe('src/metrics.ts:10:5');
    expect(await leaked.locator('.tl-note').textContent()).toMatch(/^leaked still open when judged, [\d.]+ m?s after the test ended; is still armed leaked-timer$/);
    // Drawn: the leaked bar starts before the test's end line and runs past it (and past the judgement).
    const bar = (await leaked.locator('.tl-bar').boundingBox())!;
    const endLine = (await leaked.locator('.tl-end').boundingBox())!;
    const judged = (await leaked.locator('.tl-judged').boundingBox())!;
    expect(bar.width).toBeGreaterThan(0);
    expect(bar.x).toBeLessThan(endLine.x);
    expect(bar.x + bar.width).toBeGreaterThan(judged.x);
    // The settled body ends before the end line.
    const body = (await metrics.locator('.tl-lane[data-state="settled"] .tl-bar').boundingBox())!;
    expect(body.x + body.width).toBeLessThanOrEqual(endLine.x + 1);
    // The lane links to its finding.
    const href = (await leaked.locator('a.tl-finding').getAttribute('href'))!;
    expect(await page.locator(`article[id="${href.slice(1)}"] .id`).textContent()).toBe('leaked-timer');
    await metrics.screenshot({ path: path.join(outDir, 'html-report-timeline.png') });
    await page.screenshot({ path: path.join(outDir, 'html-report-demo.png'), fullPage: true });
    await page.close();
  });

  it("the plugin's findings JSON carries a timeline per failing test, lanes linked to findings by fingerprint", () => {
    const doc = JSON.parse(readFileSync(demoJson, 'utf8')) as {
      findings: Array<{ id: string; fingerprint: string; test: { fullName: string } }>;
      timelines: Array<{ test: { fullName: string }; outcome: string; lanes: Array<{ label: string; state: string; findings?: string[] }> }>;
    };
    const metrics = doc.timelines.find((t) => t.test.fullName === 'orders > reports metrics')!;
    expect(metrics.outcome).toBe('failed');
    expect(metrics.lanes.map((l) => [l.label, l.state])).toEqual([
      ['test body', 'settled'],
      ['setInterval(…, 1000)', 'leaked'],
    ]);
    const linked = doc.findings.find((f) => f.fingerprint === metrics.lanes[1]!.findings![0]);
    expect([linked?.id, linked?.test.fullName]).toEqual(['leaked-timer', 'orders > reports metrics']);
    expect(doc.timelines.map((t) => t.test.fullName).sort()).toEqual([...new Set(doc.findings.map((f) => f.test.fullName))].sort());
  });

  it('the file is self-contained: no external references', () => {
    for (const file of [htmlFile, demoHtml]) {
      const html = readFileSync(file, 'utf8');
      expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
      expect(html).toContain("default-src 'none'");
    }
  });
});
