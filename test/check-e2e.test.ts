import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimedIds } from '@asyncsan/analyzer';
import { runCli } from '@asyncsan/test-harness/cli';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations, repoRoot } from '@asyncsan/test-harness/expectations';

const demo = path.join(fixturesRoot, 'demo');

const staticIds = claimedIds();

function tempProject(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'asyncsan-check-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const tsconfig = JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, lib: ['ES2023'], types: [] }, include: ['src'] });
// save() can reject, so dropping its promise is a finding.
const floating = `export async function save(path = ''): Promise<void> { if (path === '') throw new Error('no path'); }\nexport function run(): void {\n  save();\n}\n`;

describe('asyncsan check, the bin on fixtures/', () => {
  it('reports exactly the marked findings of every static id, exit 1', async () => {
    const r = await runCli(['check', 'fixtures', '--strict', '--format', 'json']);
    expect(r.code).toBe(1);
    const { findings } = JSON.parse(r.stdout);
    // Runtime fixtures are programs for the tracer; the static markers live everywhere else.
    const files = listSourceFiles(fixturesRoot).filter((f) => !f.includes(`${path.sep}runtime${path.sep}`) && !f.includes(`${path.sep}projects${path.sep}`));
    // (The static engine also runs on them, but their markers describe what the tracer must see.)
    const isProgram = (file: string) => /^fixtures\/(runtime|projects)\//.test(file);
    const staticFindings = findings.filter((f: { location: { file: string } }) => !isProgram(f.location.file));
    const diff = diffFindings(readExpectations(files), staticFindings, { ids: staticIds, engine: 'analyzer', cwd: repoRoot, strict: true });
    expect(formatDiff(diff)).toBe('');
  });

  it('writes every format; SARIF carries the results', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'asyncsan-check-out-'));
    for (const format of ['text', 'sarif', 'junit', 'github', 'markdown', 'html']) {
      const out = path.join(dir, `out.${format}`);
      const r = await runCli(['check', '.', '--format', format, '--output', out], { cwd: demo });
      expect(r.code, format).toBe(1);
      expect(r.stderr).toBe(`asyncsan: 8 findings written to ${out}\n`);
    }
    const sarif = JSON.parse(readFileSync(path.join(dir, 'out.sarif'), 'utf8'));
    expect(sarif.runs[0].results).toHaveLength(8);
    expect(readFileSync(path.join(dir, 'out.junit'), 'utf8')).toContain('failures="8"');
    expect(readFileSync(path.join(dir, 'out.github'), 'utf8').split('\n').filter((l) => l.startsWith('::'))).toHaveLength(8);
  });

  it('exit 0 on clean code', async () => {
    const good = listSourceFiles(path.join(fixturesRoot, 'floating-promise')).filter((f) => path.basename(f).startsWith('good-'));
    const r = await runCli(['check', ...good.map((f) => path.relative(repoRoot, f))]);
    expect(r.stdout).toBe('✔ No async hazards found\n');
    expect(r.code).toBe(0);
  });

  it('gives the same findings on 2 threads', async () => {
    const one = await runCli(['check', '.', '--format', 'json'], { cwd: demo });
    const two = await runCli(['check', '.', '--format', 'json', '--threads', '2'], { cwd: demo });
    expect(JSON.parse(two.stdout)).toEqual(JSON.parse(one.stdout));
  });
});

describe('asyncsan check on JavaScript', () => {
  it('analyses the .js, .mjs and .cjs files a tsconfig with allowJs includes, with the types TypeScript infers', async () => {
    const dir = path.join(fixturesRoot, 'projects/javascript');
    const r = await runCli(['check', 'fixtures/projects/javascript', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const { findings } = JSON.parse(r.stdout);
    const files = listSourceFiles(dir, ['.js', '.mjs', '.cjs']);
    expect(files.map((f) => path.basename(f))).toEqual(['chat-room.js', 'good.cjs', 'workers.mjs']);
    const diff = diffFindings(readExpectations(files), findings, { ids: staticIds, engine: 'analyzer', cwd: repoRoot });
    expect(formatDiff(diff)).toBe('');
  });

  it('analyses a JavaScript file named on the command line when the tsconfig has no allowJs; a folder of them says how to include them', async () => {
    const js = `export function run(names) {\n  ['a', 'b'].forEach(async (n) => { await names[n](); });\n}\n`;
    const dir = tempProject({ 'tsconfig.json': tsconfig, 'src/a.js': js });
    const r = await runCli(['check', 'src/a.js', '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.diagnostics).toBeUndefined();
    expect(doc.findings.map((f: { id: string; location: { file: string; line: number } }) => `${f.id} ${f.location.file}:${f.location.line}`)).toEqual(['misused-async-callback src/a.js:2']);
    const folder = await runCli(['check', 'src'], { cwd: dir });
    expect(folder.code).toBe(2);
    expect(folder.stderr).toBe(
      'asyncsan: no TypeScript files to analyse under src (is the path included by a tsconfig.json? JavaScript files need "allowJs" in it, or name them on the command line)\n',
    );
  });
});

describe('asyncsan check on projects a user could have', () => {
  it('a file with a syntax error is in every format and the summary, the rest is analysed, exit 3', async () => {
    const dir = tempProject({ 'tsconfig.json': tsconfig, 'src/broken.ts': 'export const x = ;\n', 'src/ok.ts': floating });
    const r = await runCli(['check', '--format', 'json'], { cwd: dir });
    expect(r.stderr).toBe('src/broken.ts:1:18: syntax error: Expression expected.\n');
    const doc = JSON.parse(r.stdout);
    expect(doc.findings.map((f: { id: string; location: { file: string; line: number } }) => `${f.id} ${f.location.file}:${f.location.line}`)).toEqual(['floating-promise src/ok.ts:3']);
    expect(doc.diagnostics).toEqual([{ file: 'src/broken.ts', line: 1, column: 18, message: 'Expression expected.', kind: 'syntax' }]);
    expect(r.code).toBe(3);

    const text = await runCli(['check'], { cwd: dir });
    expect(text.code).toBe(3);
    expect(text.stderr).toBe('');
    expect(text.stdout).toContain('Could not analyse 1 file (findings there are missing):\n  src/broken.ts:1:18  syntax error  Expression expected.\n');
    expect(text.stdout.endsWith('✖ 1 problem (1 error, 0 warnings) · 1 file could not be analysed\n')).toBe(true);

    const sarif = await runCli(['check', '--format', 'sarif'], { cwd: dir });
    expect(sarif.code).toBe(3);
    const [run] = JSON.parse(sarif.stdout).runs;
    expect(run.invocations[0].toolExecutionNotifications.map((n: { message: { text: string } }) => n.message.text)).toEqual([
      'syntax error: Expression expected. (the file was not analysed)',
    ]);

    // The report converted later keeps them, and so does its exit code.
    writeFileSync(path.join(dir, 'run.json'), r.stdout);
    const converted = await runCli(['report', 'run.json', '--format', 'junit'], { cwd: dir });
    expect(converted.code).toBe(3);
    expect(converted.stdout).toContain('<testcase classname="asyncsan.not-analysed" name="src/broken.ts could not be analysed" file="src/broken.ts">');
  });

  it('a syntax error alone is never "No async hazards found", and a file the config ignores is not reported', async () => {
    const dir = tempProject({ 'tsconfig.json': tsconfig, 'src/broken.ts': 'export const x = ;\n', 'src/clean.ts': 'export const y = 1;\n' });
    const r = await runCli(['check'], { cwd: dir });
    expect(r.code).toBe(3);
    expect(r.stdout).toBe(
      'Could not analyse 1 file (findings there are missing):\n  src/broken.ts:1:18  syntax error  Expression expected.\n\n✖ No async hazards found in the files analysed · 1 file could not be analysed\n',
    );
    writeFileSync(path.join(dir, 'asyncsan.config.json'), JSON.stringify({ ignores: ['src/broken.ts'] }));
    const ignored = await runCli(['check'], { cwd: dir });
    expect(ignored).toEqual({ code: 0, stdout: '✔ No async hazards found\n', stderr: '' });
  });

  it('a project that does not type-check is still analysed', async () => {
    const dir = tempProject({ 'tsconfig.json': tsconfig, 'src/a.ts': `${floating}export const n: number = 'not a number';\n` });
    const r = await runCli(['check', '--format', 'json'], { cwd: dir });
    expect(JSON.parse(r.stdout).findings).toHaveLength(1);
    expect(r.code).toBe(1);
  });

  it('says which imports have no types instead of a silent clean run (a project without @types/node)', async () => {
    // node:events does not resolve without @types/node: the emitter is `any`, so the async listener is not seen.
    const listener = `import { EventEmitter } from 'node:events';\nimport { save } from './store.js';\nconst bus = new EventEmitter();\nbus.on('order', async (id: string) => { await save(id); });\n`;
    const dir = tempProject({ 'tsconfig.json': tsconfig, 'src/app.ts': listener, 'src/jobs.ts': `import { once } from 'events';\nimport './polyfill.js';\nexport { once };\n` });
    const r = await runCli(['check'], { cwd: dir });
    expect(r).toEqual({
      code: 0,
      stdout: '✔ No async hazards found\n',
      stderr:
        'asyncsan: warning: 3 imports have no types (node:events at src/app.ts:1, ./store.js at src/app.ts:2, events at src/jobs.ts:1): ' +
        'what they give is `any`, where no check sees a promise, an emitter or a timer. Install the dependencies and their types ' +
        '(node:* needs @types/node), or fix the tsconfig.\n',
    });
    // With the types there (a declaration of each module), the listener is reported and nothing is said about imports.
    writeFileSync(
      path.join(dir, 'src/modules.d.ts'),
      `declare module 'node:events' { export class EventEmitter { on(event: string, listener: (...args: any[]) => void): this; } }\n` +
        `declare module 'events' { export function once(emitter: unknown, event: string): Promise<unknown[]>; }\n`,
    );
    writeFileSync(path.join(dir, 'src/store.ts'), `export async function save(id: string): Promise<void> { if (id === '') throw new Error('no id'); }\n`);
    const typed = await runCli(['check', '--format', 'json'], { cwd: dir });
    expect(typed.stderr).toBe('');
    expect(JSON.parse(typed.stdout).findings.map((f: { id: string; location: { line: number } }) => `${f.id}:${f.location.line}`)).toEqual(['misused-async-callback:4']);
    expect(typed.code).toBe(1);
  });

  it('resolves an ES module\'s imports as an ES module (a package that exports only an `import` condition)', async () => {
    const dir = tempProject({
      'package.json': JSON.stringify({ name: 'app', type: 'module' }),
      'tsconfig.json': tsconfig,
      'node_modules/esm-only/package.json': JSON.stringify({ name: 'esm-only', type: 'module', exports: { '.': { import: './index.js' } } }),
      'node_modules/esm-only/index.js': 'export async function save() {}\n',
      'node_modules/esm-only/index.d.ts': 'export declare function save(id: string): Promise<void>;\n',
      'src/app.ts': `import { save } from 'esm-only';\nexport function run(): void {\n  save('x');\n}\n`,
    });
    const r = await runCli(['check', '--format', 'json'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).findings.map((f: { id: string; location: { line: number } }) => `${f.id}:${f.location.line}`)).toEqual(['floating-promise:3']);
    expect(r.code).toBe(1);
  });

  it('a missing or broken tsconfig is one clear line, exit 2', async () => {
    const none = tempProject({ 'src/a.ts': floating });
    const r1 = await runCli(['check', 'src'], { cwd: none });
    expect(r1.code).toBe(2);
    expect(r1.stderr.trim().split('\n')).toHaveLength(1);
    expect(r1.stderr).toMatch(/^asyncsan: .*tsconfig/);
    const broken = tempProject({ 'tsconfig.json': '{ "compilerOptions": ', 'src/a.ts': floating });
    const r2 = await runCli(['check'], { cwd: broken });
    expect(r2.code).toBe(2);
    expect(r2.stderr.trim().split('\n')).toHaveLength(1);
    expect(r2.stderr).toMatch(/^asyncsan: .*tsconfig\.json/);
    const missingPath = await runCli(['check', 'no/such/dir'], { cwd: broken });
    expect(missingPath.code).toBe(2);
    expect(missingPath.stderr).toMatch(/^asyncsan: .*no\/such\/dir/);
  });

  it('runs the recommended set by default; --strict or a severity in the config adds a strict-only check', async () => {
    // unbounded-concurrency is strict-only (catalog: recommended false); floating-promise is recommended.
    const fanOut = `${floating}export async function all(ids: string[], get: (id: string) => Promise<void>): Promise<void> {\n  await Promise.all(ids.map(async (id) => get(id)));\n}\n`;
    const ids = (r: { stdout: string }) => (JSON.parse(r.stdout) as { findings: { id: string; location: { line: number } }[] }).findings.map((f) => `${f.id}:${f.location.line}`);
    const dir = tempProject({ 'tsconfig.json': tsconfig, 'src/a.ts': fanOut });
    expect(ids(await runCli(['check', '--format', 'json'], { cwd: dir }))).toEqual(['floating-promise:3']);
    expect(ids(await runCli(['check', '--strict', '--format', 'json'], { cwd: dir }))).toEqual(['floating-promise:3', 'unbounded-concurrency:6']);
    const opted = tempProject({ 'tsconfig.json': tsconfig, 'src/a.ts': fanOut, 'asyncsan.config.json': JSON.stringify({ severity: { 'unbounded-concurrency': 'error' } }) });
    expect(ids(await runCli(['check', '--format', 'json'], { cwd: opted }))).toEqual(['floating-promise:3', 'unbounded-concurrency:6']);
    // 'off' wins over --strict.
    const off = tempProject({ 'tsconfig.json': tsconfig, 'src/a.ts': fanOut, 'asyncsan.config.json': JSON.stringify({ severity: { 'unbounded-concurrency': 'off' } }) });
    expect(ids(await runCli(['check', '--strict', '--format', 'json'], { cwd: off }))).toEqual(['floating-promise:3']);
    // check-then-act and lost-update are strict-only too (docs/rules/check-then-act.md, lost-update.md "Why only in strict").
    const cache = [
      'const prices = new Map<string, number>();',
      'let total = 0;',
      'export async function priceOf(id: string, load: (id: string) => Promise<number>): Promise<number> {',
      '  if (!prices.has(id)) {',
      '    const price = await load(id);',
      '    prices.set(id, price);',
      '  }',
      '  return prices.get(id)!;',
      '}',
      'export async function add(load: () => Promise<number>): Promise<void> {',
      '  total = total + (await load());',
      '}',
      '',
    ].join('\n');
    const races = tempProject({ 'tsconfig.json': tsconfig, 'src/a.ts': cache });
    expect(ids(await runCli(['check', '--format', 'json'], { cwd: races }))).toEqual([]);
    expect(ids(await runCli(['check', '--strict', '--format', 'json'], { cwd: races }))).toEqual(['check-then-act:6', 'lost-update:11']);
    const racesOpted = tempProject({ 'tsconfig.json': tsconfig, 'src/a.ts': cache, 'asyncsan.config.json': JSON.stringify({ severity: { 'check-then-act': 'error' } }) });
    expect(ids(await runCli(['check', '--format', 'json'], { cwd: racesOpted }))).toEqual(['check-then-act:6']);
    // A signal left out of a call of the project's own function that takes one: --strict only (checkAllCallees).
    const pages = [
      // The temp project's lib (ES2023) has no AbortSignal: a declaration of its shape stands in.
      'interface AbortSignal { readonly aborted: boolean; readonly reason: unknown; throwIfAborted(): void }',
      'async function page(n: number, signal?: AbortSignal): Promise<number> { signal?.throwIfAborted(); return n; }',
      'export async function pages(signal: AbortSignal): Promise<number[]> {',
      '  return [await page(1, signal), await page(2)];',
      '}',
      '',
    ].join('\n');
    const paged = tempProject({ 'tsconfig.json': tsconfig, 'src/a.ts': pages });
    expect(ids(await runCli(['check', '--format', 'json'], { cwd: paged }))).toEqual([]);
    expect(ids(await runCli(['check', '--strict', '--format', 'json'], { cwd: paged }))).toEqual(['missing-abort-propagation:4']);
  });

  it('config "off" stops a check; a baseline hides accepted findings', async () => {
    const dir = tempProject({ 'tsconfig.json': tsconfig, 'src/a.ts': floating, 'asyncsan.config.json': JSON.stringify({ severity: { 'floating-promise': 'off' } }) });
    const off = await runCli(['check'], { cwd: dir });
    expect(off.stdout).toBe('✔ No async hazards found\n');
    expect(off.code).toBe(0);

    const dir2 = tempProject({ 'tsconfig.json': tsconfig, 'src/a.ts': floating });
    expect((await runCli(['check', '--update-baseline'], { cwd: dir2 })).code).toBe(0);
    const again = await runCli(['check'], { cwd: dir2 });
    expect(again.stdout).toBe('✔ No async hazards found · 1 baselined\n');
    expect(again.code).toBe(0);
    // An unrelated edit shifts the line: still baselined.
    writeFileSync(path.join(dir2, 'src/a.ts'), `// a comment\n\n${floating}`);
    expect((await runCli(['check'], { cwd: dir2 })).stdout).toBe('✔ No async hazards found · 1 baselined\n');
  });
});
