/**
 * `asyncsan check` on TypeScript 7 (issue 20): the same checks, through typescript@7's synchronous API.
 * typescript@7 is not a dependency of asyncsan (its `tsc` bin would shadow the workspace's TypeScript 6):
 * it is installed once under test/.output/ts7 (npm's cache serves later runs), and projects get it as
 * their own node_modules/typescript, as a user's project would.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, claimedIds } from '@asyncsan/analyzer';
import { allChecks, defineCheck } from '@asyncsan/checks';
import { runCli } from '@asyncsan/test-harness/cli';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations, repoRoot } from '@asyncsan/test-harness/expectations';

const TS7_VERSION = '7.0.2';
const install = path.join(repoRoot, 'test/.output/ts7');
const ts7 = path.join(install, 'node_modules/typescript');
const tmpRoot = path.join(repoRoot, '.asyncsan-tmp');

beforeAll(() => {
  const pkg = path.join(ts7, 'package.json');
  if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version === TS7_VERSION) return;
  mkdirSync(install, { recursive: true });
  writeFileSync(path.join(install, 'package.json'), JSON.stringify({ name: 'asyncsan-test-ts7', private: true }));
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', `typescript@${TS7_VERSION}`], { cwd: install, encoding: 'utf8', timeout: 240_000 });
  if (r.status !== 0) throw new Error(`npm install typescript@${TS7_VERSION} failed:\n${r.stdout}\n${r.stderr}`);
}, 300_000);

/** A project folder under the repository (so vitest and @types/node resolve from the root) whose own typescript is 7.x. */
function ts7Project(files: Record<string, string>, from?: string): string {
  mkdirSync(tmpRoot, { recursive: true });
  const dir = mkdtempSync(path.join(tmpRoot, 'ts7-'));
  if (from) cpSync(from, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}node_modules`) });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  symlinkSync(ts7, path.join(dir, 'node_modules/typescript'), 'dir');
  return dir;
}

const staticIds = claimedIds();
const isProgram = (file: string) => /^fixtures\/(runtime|projects)\//.test(file);

describe('asyncsan check --backend ts7', () => {
  it('reports exactly the marked findings of every static id on fixtures/, as the TypeScript 6 back end does', async () => {
    const seven = await analyze({ cwd: repoRoot, paths: ['fixtures'], backend: 'ts7', typescript: ts7 });
    expect(seven.backend).toEqual({ name: 'ts7', typescript: TS7_VERSION });
    expect(seven.notRun).toEqual([]);
    expect(seven.diagnostics).toEqual([]);
    const files = listSourceFiles(fixturesRoot).filter((f) => !f.includes(`${path.sep}runtime${path.sep}`) && !f.includes(`${path.sep}projects${path.sep}`));
    const staticFindings = seven.findings.filter((f) => !isProgram(f.location!.file));
    const diff = diffFindings(readExpectations(files), staticFindings, { ids: staticIds, engine: 'analyzer', cwd: repoRoot });
    expect(formatDiff(diff)).toBe('');
    // Not only the marked lines: every finding (messages, ends, related locations) is TypeScript 6's.
    const six = await analyze({ cwd: repoRoot, paths: ['fixtures'], backend: 'ts6' });
    expect(six.backend.name).toBe('ts6');
    expect(seven.findings).toEqual(six.findings);
  }, 300_000);

  it('runs on the project\'s own typescript@7 when it has one (auto), and writes every format', async () => {
    const dir = ts7Project({}, path.join(fixturesRoot, 'demo'));
    try {
      const auto = await analyze({ cwd: dir });
      expect(auto.backend).toEqual({ name: 'ts7', typescript: TS7_VERSION });
      const six = await analyze({ cwd: dir, backend: 'ts6' });
      expect(six.backend.name).toBe('ts6');
      expect(auto.findings).toEqual(six.findings);
      expect(auto.findings).toHaveLength(8);
      for (const format of ['text', 'sarif', 'junit', 'github', 'markdown', 'html']) {
        const out = path.join(dir, `out.${format}`);
        const r = await runCli(['check', '.', '--format', format, '--output', out], { cwd: dir });
        expect(r.stderr, format).toBe(`asyncsan: 8 findings written to ${out}\n`);
        expect(r.code, format).toBe(1);
      }
      const sarif = JSON.parse(readFileSync(path.join(dir, 'out.sarif'), 'utf8'));
      expect(sarif.runs[0].results).toHaveLength(8);
      const json = await runCli(['check', '.', '--format', 'json'], { cwd: dir });
      const ts6 = await runCli(['check', '.', '--format', 'json', '--backend', 'ts6'], { cwd: dir });
      expect(JSON.parse(json.stdout)).toEqual(JSON.parse(ts6.stdout));
      // An option the back end does not use is said, not ignored silently.
      const threaded = await runCli(['check', '.', '--format', 'json', '--threads', '2'], { cwd: dir });
      expect(threaded.stderr).toBe('asyncsan: --threads is not used by the ts7 back end (one native compiler process); analysed on one thread\n');
      expect(JSON.parse(threaded.stdout)).toEqual(JSON.parse(json.stdout));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it('names a check it cannot run instead of skipping it', async () => {
    // A check of a catalog id the back end does not list (here a runtime id: no built-in check has it).
    const custom = defineCheck<Record<string, never>>({ id: 'unhandled-rejection', messages: {}, schema: {}, defaultOptions: {}, run() {} });
    const dir = ts7Project({
      'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', lib: ['ES2023'], types: [] }, include: ['src'] }),
      'src/a.ts': 'export async function save(): Promise<void> { throw new Error("x"); }\nexport function run(): void {\n  save();\n}\n',
    });
    try {
      const r = await analyze({ cwd: dir, checks: [...allChecks.filter((c) => c.id === 'floating-promise'), custom], programChecks: [] });
      expect(r.backend.name).toBe('ts7');
      expect(r.notRun).toEqual([{ id: 'unhandled-rejection', reason: 'not validated on the TypeScript 7 back end' }]);
      expect(r.findings.map((f) => `${f.id} ${f.location!.file}:${f.location!.line}`)).toEqual(['floating-promise src/a.ts:3']);
      expect(r.untypedImports).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('lists the imports that have no types, as the TypeScript 6 back end does', async () => {
    const dir = ts7Project({
      'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', lib: ['ES2023'], types: [] }, include: ['src'] }),
      'src/a.ts': "import { save } from './store.js';\nimport { once } from 'node:events';\nexport { save, once };\n",
    });
    try {
      const seven = await analyze({ cwd: dir });
      expect(seven.backend.name).toBe('ts7');
      expect(seven.untypedImports).toEqual([
        { file: 'src/a.ts', line: 1, module: './store.js' },
        { file: 'src/a.ts', line: 2, module: 'node:events' },
      ]);
      expect((await analyze({ cwd: dir, backend: 'ts6' })).untypedImports).toEqual(seven.untypedImports);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('--backend ts7 on a project whose typescript is 6 is a clear error, exit 2', async () => {
    const r = await runCli(['check', 'fixtures/floating-promise', '--backend', 'ts7']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^asyncsan: --backend ts7 needs typescript 7\.x: the analysed project \(.*fixtures\) has typescript 6\.\d+\.\d+\n$/);
    expect(r.code).toBe(2);
  });
});
