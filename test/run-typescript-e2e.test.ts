/**
 * Compiled TypeScript under `asyncsan run`: fixtures/projects/ts-program, compiled by the real tsc
 * with a source map (a .map file, or inline) and run as `node dist/app.js`, is reported at its .ts
 * lines, plainly and under --race, on Node 20 and Node 24, without the user passing
 * --enable-source-maps. Without a source map the findings stay at the .js lines that ran.
 * Its compiled node:test file, judged per test by asyncsan/register-test, is named by its .ts source too.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding, HazardId, Stack } from '@asyncsan/core';
import { runCli } from '@asyncsan/test-harness/cli';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations, repoRoot } from '@asyncsan/test-harness/expectations';
import { TRACER_IDS, tracerIds } from '@asyncsan/test-harness/ids';
import { ensureVitest5, vitest5 } from '@asyncsan/test-harness/vitest';

const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
let work: string;

beforeAll(() => {
  // Inside the repository (git-ignored), so that the copy's `types: ["node"]` resolves from the repo's node_modules.
  const tmp = path.join(repoRoot, '.asyncsan-tmp');
  mkdirSync(tmp, { recursive: true });
  work = mkdtempSync(path.join(tmp, 'ts-program-'));
  cpSync(path.join(fixturesRoot, 'projects/ts-program'), work, { recursive: true });
  execFileSync(process.execPath, [tsc, '-p', work], { stdio: 'pipe' });
  execFileSync(process.execPath, [tsc, '-p', work, '--sourceMap', 'false', '--inlineSourceMap', '--outDir', path.join(work, 'dist-inline')], { stdio: 'pipe' });
  execFileSync(process.execPath, [tsc, '-p', work, '--sourceMap', 'false', '--outDir', path.join(work, 'dist-no-map')], { stdio: 'pipe' });
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  findings: Finding[];
}

async function run(node: string, dist: string, flags: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const r = await runCli(['run', ...flags, '--format', 'json', '--', node, `${dist}/app.js`], { cwd: work, env: { NODE_OPTIONS: '', ...env } });
  let findings: Finding[] = [];
  try {
    findings = (JSON.parse(r.stderr) as { findings: Finding[] }).findings;
  } catch {
    throw new Error(`no JSON report on stderr (exit ${r.code}):\n${r.stderr}`);
  }
  return { code: r.code, stdout: r.stdout, findings };
}

/** The program's markers (app.ts and what it imports); the node:test file's are its own run's. */
const expected = () => readExpectations(listSourceFiles(path.join(work, 'src')).filter((f) => !f.endsWith('.test.ts')));

/** Every place a finding names: its location, related locations and the project's own stack frames. */
function places(findings: Finding[]): string[] {
  const frames = (s: Stack): string[] => [...s.frames.filter((fr) => !fr.external).map((fr) => fr.file), ...(s.createdAt ? frames(s.createdAt) : [])];
  return findings.flatMap((f) => [f.location?.file ?? '', ...(f.related ?? []).map((r) => r.location.file), ...(f.stacks ?? []).flatMap(frames)]);
}

function expectAtTypeScriptLines(r: Run, ids: readonly HazardId[]): void {
  expect(formatDiff(diffFindings(expected(), r.findings, { ids, cwd: work }))).toBe('');
  const named = places(r.findings);
  expect(named.length).toBeGreaterThan(0);
  // Nothing points into the compiled output.
  expect(named.filter((file) => !file.startsWith('src/') || !file.endsWith('.ts'))).toEqual([]);
}

describe.each([
  ['a .map file beside the output (sourceMap)', 'dist'],
  ['an inline map (inlineSourceMap)', 'dist-inline'],
])('asyncsan run -- node %s/app.js under Node 20', (_label, dist) => {
  it('reports at the .ts lines', async () => {
    const r = await run(process.execPath, dist);
    expect(r.stdout).toBe('balance 120 (130 expected)\nfirst page: row 0, row 1\n');
    expect(r.code).toBe(1);
    expectAtTypeScriptLines(r, TRACER_IDS);
    expect(r.findings.map((f) => f.id).sort()).toEqual(['abandoned-iterator', 'unsettled-task']);
    // The generator's own code, named beside the place it was consumed.
    const abandoned = r.findings.find((f) => f.id === 'abandoned-iterator')!;
    expect(abandoned.related?.map((x) => `${x.label} ${x.location.file}:${x.location.line}`)).toEqual(['generator code src/pages.ts:15']);
  });

  it('--race: the lost update, its related locations and both stacks at the .ts lines', async () => {
    const r = await run(process.execPath, dist, ['--race']);
    expect(r.code).toBe(1);
    expectAtTypeScriptLines(r, tracerIds);
    const race = r.findings.find((f) => f.id === 'lost-update')!;
    expect(race.related?.map((x) => `${x.location.file}:${x.location.line}`)).toEqual(['src/account.ts:11', 'src/account.ts:11', 'src/account.ts:11']);
    expect(race.stacks?.map((s) => `${s.frames[0]?.file}:${s.frames[0]?.line}`)).toEqual(['src/account.ts:11', 'src/account.ts:11']);
    expect(race.message).toContain('(line 11)');
  });
});

describe('asyncsan run, source maps only where they exist', () => {
  it('without a source map, the findings stay at the .js lines that ran', async () => {
    const r = await run(process.execPath, 'dist-no-map');
    expect(r.code).toBe(1);
    const js = readFileSync(path.join(work, 'dist-no-map/app.js'), 'utf8').split('\n');
    const line = js.findIndex((l) => l.includes('await nextJob()')) + 1;
    expect(line).toBeGreaterThan(0);
    const at = (text: string) => js.findIndex((l) => l.includes(text)) + 1;
    expect(r.findings.map((f) => `${f.id} ${f.location?.file}:${f.location?.line}`).sort()).toEqual([
      `abandoned-iterator dist-no-map/app.js:${at('await pages(2).next()')}`,
      `unsettled-task dist-no-map/app.js:${line}`,
    ]);
  });

  it("the program's own --enable-source-maps changes nothing", async () => {
    const plain = await run(process.execPath, 'dist', ['--race']);
    const mapped = await run(process.execPath, 'dist', ['--race'], { NODE_OPTIONS: '--enable-source-maps' });
    const where = (r: Run) => r.findings.map((f) => `${f.id} ${f.location?.file}:${f.location?.line}`);
    expect(where(mapped)).toEqual(where(plain));
    expectAtTypeScriptLines(mapped, tracerIds);
  });
});

describe('asyncsan run -- node --import asyncsan/register-test --test dist/poller.test.js', () => {
  it("the test's finding and the test itself are named by the .ts source", async () => {
    const registerTest = path.join(repoRoot, 'packages/cli/dist/register-test.js');
    const r = await runCli(['run', '--format', 'json', '--', process.execPath, '--import', registerTest, '--test', '--test-force-exit', '--test-reporter=tap', 'dist/poller.test.js'], {
      cwd: work,
      env: { NODE_OPTIONS: '' },
    });
    // The test leaks its interval: it fails, and so does the run.
    expect(r.stdout).toMatch(/^not ok 1 - starts polling and never stops$/m);
    expect(r.code).toBe(1);
    const { findings } = JSON.parse(r.stderr) as { findings: Finding[] };
    const test = readExpectations([path.join(work, 'src/poller.test.ts')]);
    expect(formatDiff(diffFindings(test, findings, { ids: TRACER_IDS, cwd: work }))).toBe('');
    expect(findings.map((f) => f.test?.file)).toEqual(['src/poller.test.ts']);
    expect(places(findings).filter((file) => !file.startsWith('src/'))).toEqual([]);
  });
});

describe('under Node 24', () => {
  beforeAll(() => {
    ensureVitest5();
  }, 300_000);

  for (const dist of ['dist', 'dist-inline']) {
    it(`${dist}: reports at the .ts lines, plainly and under --race`, async () => {
      const plain = await run(vitest5.node, dist);
      expect(plain.code).toBe(1);
      expectAtTypeScriptLines(plain, TRACER_IDS);
      const race = await run(vitest5.node, dist, ['--race']);
      expect(race.code).toBe(1);
      expectAtTypeScriptLines(race, tracerIds);
    });
  }
});
