import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '@asyncsan/test-harness/cli';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations, repoRoot } from '@asyncsan/test-harness/expectations';
import { tracerIds } from '@asyncsan/test-harness/projects';

const demo = path.join(fixturesRoot, 'demo');
/** The demo's hazards are marked in its sources; its test file only drives them. */
const expected = () => readExpectations(listSourceFiles(demo)).filter((e) => e.file.includes('/src/'));

describe('npm run demo: asyncsan check on fixtures/demo', () => {
  it('reports exactly the marked hazards, exit 1', async () => {
    // In fixtures/demo, as `npm run demo` runs it: its asyncsan.config.json turns on the strict-only unbounded-concurrency.
    const r = await runCli(['check', '.', '--format', 'json'], { cwd: demo });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const { findings } = JSON.parse(r.stdout);
    expect(expected().length).toBeGreaterThanOrEqual(8);
    const diff = diffFindings(expected(), findings, { cwd: demo, engine: 'analyzer' });
    expect(formatDiff(diff)).toBe('');
  });
});

describe('npm run demo:ci: the static check and the Vitest suite as a CI job runs them, every report format', () => {
  const out = path.join(demo, '.asyncsan/ci');
  const read = (name: string) => readFileSync(path.join(out, name), 'utf8');
  let status: number | null = null;
  let output = '';

  it('runs both steps and writes every format', () => {
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/demo.mjs'), '--ci'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', GITHUB_ACTIONS: '', NO_COLOR: '1' },
    });
    status = r.status;
    output = r.stdout + r.stderr;
    expect(status, output).toBe(0);
    for (const name of ['static.json', 'runtime.json', 'report.html', 'report.sarif', 'report.xml', 'report.md', 'report.txt', 'report.json']) {
      expect(read(name).length, name).toBeGreaterThan(0);
    }
  }, 120_000);

  it('the Vitest suite (race mode on) reports exactly the hazards the tracer can see, on the tests that cause them', () => {
    const { findings } = JSON.parse(read('runtime.json'));
    const diff = diffFindings(expected(), findings, { cwd: demo, engine: 'tracer', ids: tracerIds });
    expect(formatDiff(diff)).toBe('');
    const byTest = findings.map((f: { id: string; location: { file: string; line: number }; test?: { fullName: string } }) => `${f.id} ${f.location.file}:${f.location.line} <- ${f.test?.fullName}`);
    expect(byTest.sort()).toEqual([
      'check-then-act src/prices.ts:14 <- orders > looks a price up once per product',
      // The receipt place() sends without awaiting it is still on its way when the test ends.
      'floating-promise src/notifier.ts:6 <- orders > places an order',
      'leaked-timer src/metrics.ts:10 <- orders > reports metrics',
      'leaked-timer src/timeout.ts:4 <- orders > times out slow work',
      'lost-update src/wallet.ts:11 <- orders > tops up a wallet twice at once',
    ]);
    // Under CI the plugin's default mode is fail: the five tests that cause a hazard fail.
    expect(output).toMatch(/Tests {2}5 failed \(5\)/);
  });

  it('the merged reports carry both engines: 8 static + 5 runtime findings in every format', () => {
    const merged = JSON.parse(read('report.json'));
    const count = (engine: string) => merged.findings.filter((f: { engine: string }) => f.engine === engine).length;
    expect([count('analyzer'), count('tracer')]).toEqual([8, 5]);
    const sarif = JSON.parse(read('report.sarif'));
    expect(sarif.runs[0].results).toHaveLength(13);
    expect(read('report.xml').match(/<failure /g)).toHaveLength(13);
    expect(read('report.txt').match(/^::(error|warning) /gm)).toHaveLength(13);
    expect(read('report.md')).toContain('lost-update');
    // Both engines ran in fixtures/demo, as a CI job of that project would: one file, one name.
    const files = (engine: string) => [...new Set(merged.findings.filter((f: { engine: string }) => f.engine === engine).map((f: { location: { file: string } }) => f.location.file))].sort();
    expect(files('tracer')).toEqual(['src/metrics.ts', 'src/notifier.ts', 'src/prices.ts', 'src/timeout.ts', 'src/wallet.ts']);
    expect(files('tracer').every((f) => files('analyzer').includes(f))).toBe(true);
    // A timeline for each of the five tests with a runtime finding.
    expect(merged.timelines.map((t: { test: { fullName: string } }) => t.test.fullName).sort()).toEqual([
      'orders > looks a price up once per product',
      'orders > places an order',
      'orders > reports metrics',
      'orders > times out slow work',
      'orders > tops up a wallet twice at once',
    ]);
    const html = read('report.html');
    expect(html).toContain('tops up a wallet twice at once');
    // The "by package" summary names the demo's package.json.
    expect(html).toMatch(/<td>asyncsan-demo-orders<\/td><td class="num">13<\/td>/);
    // One timeline per failing test, static and runtime merged into one page.
    expect(html).toContain('<h2>Test timelines (5)</h2>');
    expect(html.match(/<figure class="timeline"/g)).toHaveLength(5);
    // The "by hazard" summary: both engines' ids, counted, most frequent first.
    const byId = /<table class="summary"><thead><tr><th>hazard<\/th>.*?<\/table>/s.exec(html)?.[0] ?? '';
    const rows = [...byId.matchAll(/<tr><td><a href="[^"]*\/docs\/rules\/([\w-]+)\.md">([\w-]+)<\/a><\/td><td class="num">(\d+)<\/td><\/tr>/g)].map((m) => {
      expect(m[1]).toBe(m[2]);
      return `${m[2]} ${m[3]}`;
    });
    expect(rows).toEqual([
      'leaked-timer 3',
      'check-then-act 2',
      'floating-promise 2',
      'lost-update 2',
      'missing-abort-propagation 1',
      'misused-async-callback 1',
      'race-timeout-leak 1',
      'unbounded-concurrency 1',
    ]);
  });
});
