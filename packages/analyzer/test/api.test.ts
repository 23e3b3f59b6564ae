import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { analyze, AnalyzerError } from '../src/index.js';
import { hazardCallCheck, tempProject, tsconfigJson, type TempProject } from './temp-project.js';

const hazardLib = 'export function hazard(): number {\n  return 1;\n}\n';
const projects: TempProject[] = [];
const make = (files: Record<string, string>) => {
  const p = tempProject(files);
  projects.push(p);
  return p;
};
afterEach(() => {
  for (const p of projects.splice(0)) p.cleanup();
});
const only = { checks: [hazardCallCheck], programChecks: [] };

describe('analyze: loading and reporting', () => {
  it('runs the checks once per project file with the type checker across files, paths relative to cwd', async () => {
    const p = make({
      'tsconfig.json': tsconfigJson({ include: ['src'] }),
      'src/lib.ts': hazardLib,
      'src/use.ts': "import { hazard } from './lib.js';\n\nexport const x = hazard();\nexport const y = [hazard(), hazard()];\n",
      'src/types.d.ts': 'declare function hazard(): void;\n',
    });
    const res = await analyze({ cwd: p.dir, ...only });
    expect(res.filesAnalyzed).toBe(2);
    expect(res.tsconfigs).toEqual([path.join(p.dir, 'tsconfig.json')]);
    expect(res.diagnostics).toEqual([]);
    expect(res.findings.map((f) => [f.id, f.engine, f.location?.file, f.location?.line, f.location?.column, f.message])).toEqual([
      ['floating-promise', 'analyzer', 'src/use.ts', 3, 18, 'call to hazard'],
      ['floating-promise', 'analyzer', 'src/use.ts', 4, 19, 'call to hazard'],
      ['floating-promise', 'analyzer', 'src/use.ts', 4, 29, 'call to hazard'],
    ]);
    expect(res.findings[0]!.severity).toBe('error');
    expect(res.findings[0]!.location).toEqual({ file: 'src/use.ts', line: 3, column: 18, endLine: 3, endColumn: 26 });
  });

  it('passes ruleOptions to the check by id', async () => {
    const p = make({
      'tsconfig.json': tsconfigJson(),
      'a.ts': 'export function other(): number {\n  return 2;\n}\nother();\n',
    });
    const res = await analyze({ cwd: p.dir, ...only, ruleOptions: { 'floating-promise': { name: 'other' } } });
    expect(res.findings.map((f) => `${f.location?.file}:${f.location?.line}:${f.location?.column}`)).toEqual(['a.ts:4:1']);
  });

  it('analyses only files under the given paths, and counts progress over them', async () => {
    const p = make({
      'tsconfig.json': tsconfigJson(),
      'lib.ts': hazardLib + 'hazard();\n',
      'a/one.ts': "import { hazard } from '../lib.js';\nhazard();\n",
      'a/two.ts': "import { hazard } from '../lib.js';\nhazard();\n",
      'b/three.ts': "import { hazard } from '../lib.js';\nhazard();\n",
    });
    const progress: [number, number][] = [];
    const res = await analyze({ cwd: p.dir, paths: ['a', 'b/three.ts'], ...only, onProgress: (d, t) => progress.push([d, t]) });
    expect(res.filesAnalyzed).toBe(3);
    expect(progress).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(res.findings.map((f) => f.location?.file)).toEqual(['a/one.ts', 'a/two.ts', 'b/three.ts']);
  });

  it('writes paths relative to cwd when cwd is above the project', async () => {
    const p = make({
      'pkg/tsconfig.json': tsconfigJson(),
      'pkg/lib.ts': hazardLib + 'hazard();\n',
    });
    const res = await analyze({ cwd: p.dir, paths: ['pkg'], ...only });
    expect(res.findings.map((f) => `${f.location?.file}:${f.location?.line}`)).toEqual(['pkg/lib.ts:4']);
  });

  it('loads every project a solution tsconfig references, analysing a file shared by two projects once', async () => {
    const p = make({
      'tsconfig.json': JSON.stringify({ files: [], references: [{ path: './app' }, { path: './lib/tsconfig.json' }] }),
      'app/tsconfig.json': tsconfigJson({ include: ['.', '../shared'] }),
      'app/main.ts': "import { hazard } from '../lib/lib.js';\nhazard();\n",
      'lib/tsconfig.json': tsconfigJson({ include: ['.', '../shared'] }),
      'lib/lib.ts': hazardLib,
      'shared/both.ts': "import { hazard } from '../lib/lib.js';\nhazard();\n",
    });
    const res = await analyze({ cwd: p.dir, ...only });
    expect(res.tsconfigs).toEqual([
      path.join(p.dir, 'tsconfig.json'),
      path.join(p.dir, 'app/tsconfig.json'),
      path.join(p.dir, 'lib/tsconfig.json'),
    ]);
    expect(res.filesAnalyzed).toBe(3);
    expect(res.findings.map((f) => `${f.location?.file}:${f.location?.line}`)).toEqual(['app/main.ts:2', 'shared/both.ts:2']);
  });

  it('uses the tsconfig it is given instead of discovering one', async () => {
    const p = make({
      'tsconfig.json': tsconfigJson({ include: ['nothing-here'] }),
      'tsconfig.check.json': tsconfigJson({ include: ['src'] }),
      'src/a.ts': hazardLib + 'hazard();\n',
    });
    const res = await analyze({ cwd: p.dir, tsconfig: 'tsconfig.check.json', ...only });
    expect(res.tsconfigs).toEqual([path.join(p.dir, 'tsconfig.check.json')]);
    expect(res.findings.map((f) => `${f.location?.file}:${f.location?.line}`)).toEqual(['src/a.ts:4']);
  });

  it('analyses a file named on the command line that the tsconfig does not include', async () => {
    const p = make({
      'tsconfig.json': tsconfigJson({ include: ['src'] }),
      'src/lib.ts': hazardLib,
      'scripts/run.ts': "import { hazard } from '../src/lib.js';\nhazard();\n",
    });
    const res = await analyze({ cwd: p.dir, paths: ['scripts/run.ts'], ...only });
    expect(res.filesAnalyzed).toBe(1);
    expect(res.findings.map((f) => `${f.location?.file}:${f.location?.line}`)).toEqual(['scripts/run.ts:2']);
  });

  it('reports a file with syntax errors as a diagnostic and analyses the rest', async () => {
    const p = make({
      'tsconfig.json': tsconfigJson(),
      'lib.ts': hazardLib,
      'broken.ts': "import { hazard } from './lib.js';\nhazard();\nexport function f( {\n",
      'ok.ts': "import { hazard } from './lib.js';\nhazard();\n",
    });
    const res = await analyze({ cwd: p.dir, ...only });
    expect(res.filesAnalyzed).toBe(3);
    expect(res.diagnostics.length).toBeGreaterThan(0);
    expect(res.diagnostics.every((d) => d.file === 'broken.ts' && d.kind === 'syntax')).toBe(true);
    expect(res.diagnostics[0]).toMatchObject({ file: 'broken.ts', line: 4, column: 1 });
    expect(res.findings.map((f) => `${f.location?.file}:${f.location?.line}`)).toEqual(['ok.ts:2']);
  });

  it('analyses a project that does not type-check', async () => {
    const p = make({
      'tsconfig.json': tsconfigJson(),
      'lib.ts': hazardLib,
      'bad-types.ts': "import { hazard } from './lib.js';\nconst n: string = hazard();\nexport { n };\nimport { missing } from './nowhere.js';\nmissing();\n",
    });
    const res = await analyze({ cwd: p.dir, ...only });
    expect(res.diagnostics).toEqual([]);
    expect(res.findings.map((f) => `${f.location?.file}:${f.location?.line}`)).toEqual(['bad-types.ts:2']);
  });

  it('turns a check that throws into an internal diagnostic on that file', async () => {
    const p = make({ 'tsconfig.json': tsconfigJson(), 'a.ts': 'export const a = 1;\n' });
    const crashing = { ...hazardCallCheck, run: () => { throw new Error('boom'); } };
    const res = await analyze({ cwd: p.dir, checks: [crashing], programChecks: [] });
    expect(res.diagnostics).toEqual([{ file: 'a.ts', line: 1, column: 1, message: 'check floating-promise failed: boom', kind: 'internal' }]);
  });
});

describe('analyze: errors a user can cause', () => {
  const rejection = async (p: Promise<unknown>) => {
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(AnalyzerError);
    return (e as AnalyzerError).message;
  };

  it('throws AnalyzerError when no tsconfig.json is found', async () => {
    const p = make({ 'src/a.ts': 'export const a = 1;\n' });
    const message = await rejection(analyze({ cwd: p.dir }));
    expect(message).toBe(`no tsconfig.json found in ${p.dir} or any parent directory: create one (npx tsc --init), or name one with --project <tsconfig>`);
  });

  it('throws AnalyzerError naming a tsconfig that is not valid JSON', async () => {
    const p = make({ 'tsconfig.json': '{ "compilerOptions": { "strict": true }\n', 'a.ts': 'export {};\n' });
    const message = await rejection(analyze({ cwd: p.dir }));
    expect(message).toMatch(new RegExp(`^cannot read tsconfig ${p.dir}/tsconfig\\.json:2:1: '}' expected\\.$`));
    expect(message).not.toContain('\n');
  });

  it('throws AnalyzerError naming a tsconfig whose extends target is missing', async () => {
    const p = make({ 'tsconfig.json': JSON.stringify({ extends: './base.json' }), 'a.ts': 'export {};\n' });
    const message = await rejection(analyze({ cwd: p.dir }));
    expect(message).toContain(`invalid tsconfig ${p.dir}/tsconfig.json`);
    expect(message).toContain('base.json');
  });

  it('throws AnalyzerError for a tsconfig file that does not exist', async () => {
    const p = make({ 'tsconfig.json': tsconfigJson({ include: ['.'] }), 'a.ts': 'export {};\n' });
    const message = await rejection(analyze({ cwd: p.dir, tsconfig: 'tsconfig.other.json' }));
    expect(message).toBe(`tsconfig not found: ${p.dir}/tsconfig.other.json`);
  });

  it('throws AnalyzerError for a reference to a missing project', async () => {
    const p = make({ 'tsconfig.json': JSON.stringify({ files: [], references: [{ path: './gone' }] }) });
    const message = await rejection(analyze({ cwd: p.dir }));
    expect(message).toBe(`tsconfig ${p.dir}/tsconfig.json references ${p.dir}/gone/tsconfig.json, which does not exist`);
  });

  it('throws AnalyzerError for a path that does not exist', async () => {
    const p = make({ 'tsconfig.json': tsconfigJson(), 'a.ts': 'export {};\n' });
    const message = await rejection(analyze({ cwd: p.dir, paths: ['src/nope.ts'] }));
    expect(message).toBe('path not found: src/nope.ts');
  });
});
