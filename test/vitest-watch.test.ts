/**
 * Watch mode: real `vitest --watch` on a temp project with the plugin in fail mode. The test
 * file is edited between runs (a leak fixed, then another one introduced) and every rerun's
 * verdicts and findings must be that run's own: nothing carried over from the previous run,
 * neither in the main process (the reporter and the findings JSON it writes each run) nor in
 * the workers (Vitest 4.1 starts new workers for a rerun, even with isolate off).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from '@asyncsan/core';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '@asyncsan/test-harness/expectations';
import { watchVitest, type VitestWatch } from '@asyncsan/test-harness/vitest';

const plugin = path.join(repoRoot, 'packages/vitest/dist/index.js');

/**
 * The test file of each run: which test leaks changes between runs (line 4 and line 7 are the
 * leaks' lines). The first leak is a one-shot timer that fires once, while the next test of the
 * file waits: exactly one bleed, never one in the other file's test (which a shared worker runs next).
 */
const leaksFirst = `import { it } from 'vitest';

it('leaks a timer', () => {
  setTimeout(() => {}, 200);
});
it('waits a while', async () => {
  await new Promise((resolve) => setTimeout(resolve, 600));
});
`;
const fixed = leaksFirst.replace('  setTimeout(() => {}, 200);', '  clearTimeout(setTimeout(() => {}, 200));');
const leaksSecond = fixed.replace('  await new Promise((resolve) => setTimeout(resolve, 600));', '  setTimeout(() => {}, 10_000);');

const otherFile = `import { it } from 'vitest';

it('stays clean', async () => {
  await new Promise((resolve) => setTimeout(resolve, 5));
});
`;

interface RunResult {
  verdicts: Record<string, string>;
  findings: string[];
}

function project(name: string, test: Record<string, unknown>): string {
  const dir = path.join(repoRoot, 'test/.output', `${name}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'test'), { recursive: true });
  writeFileSync(
    path.join(dir, 'vitest.config.mjs'),
    [
      `import { defineConfig } from 'vitest/config';`,
      `import asyncsan from ${JSON.stringify(plugin)};`,
      `export default defineConfig({`,
      `  plugins: [asyncsan({ mode: 'fail', outputFile: 'out/findings.json' })],`,
      `  test: ${JSON.stringify({ include: ['test/**/*.test.mjs'], ...test })},`,
      `});`,
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'test/a.test.mjs'), leaksFirst);
  writeFileSync(path.join(dir, 'test/b.test.mjs'), otherFile);
  return dir;
}

/** Waits for run `n`, then reads the JSON reporter's verdicts and the plugin's findings written by that run. */
async function run(watch: VitestWatch, dir: string, n: number): Promise<RunResult> {
  await watch.runs(n);
  const results = JSON.parse(readFileSync(path.join(dir, 'out/results.json'), 'utf8')) as {
    testResults: { assertionResults: { fullName: string; status: string }[] }[];
  };
  const verdicts: Record<string, string> = {};
  for (const file of results.testResults) for (const t of file.assertionResults) verdicts[t.fullName] = t.status;
  const findings = (JSON.parse(readFileSync(path.join(dir, 'out/findings.json'), 'utf8')) as { findings: Finding[] }).findings;
  // Each file is written afresh by every run: remove them so the next read is the next run's.
  rmSync(path.join(dir, 'out'), { recursive: true, force: true });
  return { verdicts, findings: findings.map((f) => `${f.id}@${f.location?.file}:${f.location?.line} ${f.test?.fullName}`).sort() };
}

describe('@asyncsan/vitest in watch mode', () => {
  let watch: VitestWatch | undefined;
  afterEach(async () => {
    await watch?.stop();
    watch = undefined;
  });

  // Default isolation, and one worker shared by every file of a run (isolate off, one thread).
  for (const [name, test] of [
    ['isolated workers', {}],
    ['one shared worker', { isolate: false, pool: 'threads', maxWorkers: 1 }],
  ] as const) {
    it(`judges each rerun afresh (${name})`, async () => {
      const dir = project(`vitest-watch-${name.replace(/\W+/g, '-')}`, test);
      watch = watchVitest(dir, ['--reporter=default', '--reporter=json', '--outputFile.json=out/results.json']);

      // Run 1: the timer leaks, and fires while the next test waits (bleed, in this run).
      expect(await run(watch, dir, 1)).toEqual({
        verdicts: { 'leaks a timer': 'failed', 'waits a while': 'passed', 'stays clean': 'passed' },
        findings: ['cross-test-bleed@test/a.test.mjs:4 leaks a timer', 'leaked-timer@test/a.test.mjs:4 leaks a timer'],
      });

      // Run 2: the leak is fixed. The test passes and nothing of run 1 is reported again.
      writeFileSync(path.join(dir, 'test/a.test.mjs'), fixed);
      const second = await run(watch, dir, 2);
      expect(second.verdicts['leaks a timer']).toBe('passed');
      expect(second.verdicts['waits a while']).toBe('passed');
      expect(second.findings).toEqual([]);

      // Run 3: a leak appears in the other test of the file: it alone fails, at its own line.
      writeFileSync(path.join(dir, 'test/a.test.mjs'), leaksSecond);
      const third = await run(watch, dir, 3);
      expect(third.verdicts['leaks a timer']).toBe('passed');
      expect(third.verdicts['waits a while']).toBe('failed');
      expect(third.findings).toEqual(['leaked-timer@test/a.test.mjs:7 waits a while']);

      const output = watch.output();
      expect(output).toContain('RERUN');
      expect(output).not.toContain('Test timed out');
    });
  }
});
