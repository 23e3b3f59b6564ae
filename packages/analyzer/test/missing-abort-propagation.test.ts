import type * as TS from 'typescript';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defineCheck } from '@asyncsan/checks';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations, repoRoot } from '@asyncsan/test-harness/expectations';
import { analyze } from '../src/index.js';
import { missingAbortPropagationAcrossFiles } from '../src/program-checks/missing-abort-propagation.js';
import type { ProgramCheck } from '../src/program-checks/program-check.js';
import { tempProject, tsconfigJson, type TempProject } from './temp-project.js';

const programChecks = [missingAbortPropagationAcrossFiles as ProgramCheck];
const dir = path.join(fixturesRoot, 'missing-abort-propagation', 'whole-program');

describe('missing-abort-propagation across files, on its fixtures', () => {
  it('reports exactly the marked lines', async () => {
    const res = await analyze({ cwd: repoRoot, paths: [dir], checks: [], programChecks });
    const diff = diffFindings(readExpectations(listSourceFiles(dir)), res.findings, { ids: ['missing-abort-propagation'], engine: 'analyzer' });
    expect(formatDiff(diff)).toBe('');
    expect(res.findings.map((f) => f.message)).toEqual([
      "'backoff' sleeps on a plain setTimeout that no signal can cancel: aborting this.options.signal still waits the full delay, then the work after it runs. Give 'backoff' the signal (setTimeout from 'node:timers/promises' takes { signal }), or race it against this.options.signal.",
      "'backoff' sleeps on a plain setTimeout that no signal can cancel: aborting signal still waits the full delay, then the work after it runs. Give 'backoff' the signal (setTimeout from 'node:timers/promises' takes { signal }), or race it against signal.",
      "'sleep' sleeps on a plain setTimeout that no signal can cancel: aborting options.signal still waits the full delay, then the work after it runs. Give 'sleep' the signal (setTimeout from 'node:timers/promises' takes { signal }), or race it against options.signal.",
      'logged forwards an AbortSignal through its parameter ...args, but this call passes none: cancelling leaves its work running. Pass signal on.',
      'postJson forwards an AbortSignal through its parameter extra, but this call passes none: cancelling leaves its work running. Pass signal on.',
      'createUser forwards an AbortSignal through its parameter extra, but this call passes none: cancelling leaves its work running. Pass signal on.',
      'head forwards an AbortSignal through its parameter cancel, but this call passes none: cancelling leaves its work running. Pass signal on.',
      'createUser forwards an AbortSignal through its parameter extra, but this call passes none: cancelling leaves its work running. Pass options.signal on.',
      'putJson forwards an AbortSignal through its parameter extra, but this call passes none: cancelling leaves its work running. Pass signal on.',
    ]);
    expect(res.findings[3]!.location).toEqual({
      file: 'fixtures/missing-abort-propagation/whole-program/bad-sync.ts',
      line: 5,
      column: 9,
      endLine: 5,
      endColumn: 54,
    });
  });
});

describe('missing-abort-propagation across files, with narrower paths', () => {
  it('follows helpers outside the analysed paths and reports only in analysed files', async () => {
    const callers = await analyze({ cwd: repoRoot, paths: [path.join(dir, 'bad-sync.ts')], checks: [], programChecks });
    expect(callers.filesAnalyzed).toBe(1);
    expect(callers.findings.map((f) => f.location?.line)).toEqual([5, 6, 7, 8, 14, 19]);
    const helpers = await analyze({ cwd: repoRoot, paths: [path.join(dir, 'http-helpers.ts')], checks: [], programChecks });
    expect(helpers.findings).toEqual([]);
  });
});

describe('missing-abort-propagation across files, merged with the per-file check', () => {
  const projects: TempProject[] = [];
  afterEach(() => {
    for (const p of projects.splice(0)) p.cleanup();
  });
  const files = {
    'tsconfig.json': tsconfigJson({ compilerOptions: { target: 'ES2022', lib: ['ES2023', 'DOM'], module: 'NodeNext', strict: true, types: [] } }),
    'helpers.ts': [
      '/** Typed: the per-file check sees the signal in the signature. */',
      'export async function typed(url: string, signal?: AbortSignal) {',
      '  return fetch(url, { signal });',
      '}',
      '/** Loose: only the body shows that the bag reaches fetch. */',
      'export async function loose(url: string, bag: Record<string, unknown> = {}) {',
      '  return fetch(url, { ...bag });',
      '}',
      '',
    ].join('\n'),
    'caller.ts': [
      "import { loose, typed } from './helpers.js';",
      'export async function run(signal: AbortSignal) {',
      "  await typed('a');",
      "  await loose('b');",
      '}',
      '',
    ].join('\n'),
  };
  // Stands in for the per-file check: it reports calls to functions with a parameter named `signal`.
  const perFile = defineCheck({
    id: 'missing-abort-propagation',
    messages: { m: 'per-file' },
    schema: {},
    defaultOptions: {},
    run(ctx) {
      const visit = (node: TS.Node): void => {
        if (ctx.ts.isCallExpression(node)) {
          const decl = ctx.checker.getResolvedSignature(node)?.getDeclaration();
          if (decl && decl.parameters.some((p) => ctx.ts.isIdentifier(p.name) && p.name.text === 'signal') && node.arguments.length < 2) {
            ctx.report({ node, messageId: 'm' });
          }
        }
        ctx.ts.forEachChild(node, visit);
      };
      visit(ctx.sourceFile);
    },
  });

  it('adds only what the signatures do not show', async () => {
    const p = tempProject(files);
    projects.push(p);
    const res = await analyze({ cwd: p.dir, checks: [], programChecks });
    expect(res.findings.map((f) => `${f.location?.file}:${f.location?.line}`)).toEqual(['caller.ts:4']);
  });

  it('reports a call once when both engines see it', async () => {
    const p = tempProject({
      ...files,
      // Now the loose helper also has a parameter called `signal`, so the per-file stand-in reports it too.
      'helpers.ts': files['helpers.ts'].replace('bag: Record<string, unknown> = {}) {\n  return fetch(url, { ...bag });', 'signal: Record<string, unknown> = {}) {\n  return fetch(url, { ...signal });'),
    });
    projects.push(p);
    const res = await analyze({ cwd: p.dir, checks: [perFile], programChecks });
    expect(res.findings.map((f) => `${f.location?.file}:${f.location?.line}:${f.location?.column} ${f.message}`)).toEqual([
      'caller.ts:3:9 per-file',
      'caller.ts:4:9 per-file',
    ]);
  });
});

describe('missing-abort-propagation across files: signals carried by spreads', () => {
  const projects: TempProject[] = [];
  afterEach(() => {
    for (const p of projects.splice(0)) p.cleanup();
  });
  const helpers = [
    '/** The bag reaches fetch through a local that spreads it. */',
    'export async function put(url: string, extra: Record<string, unknown> = {}) {',
    "  const init = { ...extra, method: 'PUT' };",
    '  return fetch(url, init);',
    '}',
    '/** The local spreads something else: the bag never reaches fetch. */',
    'export async function get(url: string, extra: Record<string, unknown> = {}) {',
    "  const init = { ...{ method: 'GET' } };",
    '  void extra;',
    '  return fetch(url, init);',
    '}',
    '',
  ].join('\n');

  it("follows a helper's local built by spreading its bag, and takes a caller's spread or variable as carrying the signal", async () => {
    const p = tempProject({
      'tsconfig.json': tsconfigJson({ compilerOptions: { target: 'ES2022', lib: ['ES2023', 'DOM'], module: 'NodeNext', strict: true, types: [] } }),
      'helpers.ts': helpers,
      'caller.ts': [
        "import { get, put } from './helpers.js';",
        'export async function run(options: { signal?: AbortSignal; id: string }) {',
        "  await put('a');",
        "  await get('b');",
        "  await put('c', { ...options, retries: 1 });",
        '  const copy = { ...options, task: true };',
        "  await put('d', copy);",
        '}',
        '',
      ].join('\n'),
    });
    projects.push(p);
    const res = await analyze({ cwd: p.dir, checks: [], programChecks });
    expect(res.findings.map((f) => `${f.location?.file}:${f.location?.line}:${f.location?.column} ${f.message}`)).toEqual([
      'caller.ts:3:9 put forwards an AbortSignal through its parameter extra, but this call passes none: cancelling leaves its work running. Pass options.signal on.',
    ]);
  });
});
