import { describe, expect, it } from 'vitest';
import plugin from '../../../eslint-plugin/src/index.js';
import { unboundedConcurrency } from '../src/unbounded-concurrency.js';
import { fixtureDiff, runInMemory, runOnFixture } from './in-memory.js';

const send = `async function send(x: string): Promise<void> {}\n`;

describe('unbounded-concurrency: sizes fixed by the code', () => {
  const at = (code: string) => runInMemory(unboundedConcurrency, `${send}${code}`).map((r) => `${r.messageId}@${r.line}:${r.column}`);

  it('accepts a Set or array of literals, Object.keys of a literal object or an enum, a constant length, through consts and size-preserving methods', () => {
    expect(
      at(`const MODULES = new Set(['fs', 'os']);
const LIST = ['a', 'b'];
const ROUTES = { a: 1, b: 2 };
const N = 3;
enum E { A = 'a', B = 'b' }
export async function f() {
  await Promise.all([...MODULES].map(send));
  await Promise.all(Array.from(MODULES).map(async (m) => send(m)));
  await Promise.all([...MODULES.values()].map(send));
  await Promise.all(LIST.filter((x) => x !== 'a').map(send));
  await Promise.all([...LIST, 'c'].map(send));
  await Promise.all(LIST.concat(['c']).map(send));
  await Promise.all(Object.keys(ROUTES).map(send));
  await Promise.all(Object.entries({ ...ROUTES, c: 3 }).map(async ([k]) => send(k)));
  await Promise.all(Object.values(E).map(send));
  await Promise.all(Array.from({ length: N }, (_, i) => String(i)).map(send));
  await Promise.all(new Array(N).fill('x').map(send));
  await Promise.all(Array.of('a', 'b').map(send));
}`),
    ).toEqual([]);
  });

  it('reports the same shapes when the input decides the size', () => {
    expect(
      at(`export async function f(xs: string[], o: Record<string, number>, n: number, more: string[]) {
  await Promise.all([...new Set(xs)].map(send));
  await Promise.all(Object.keys(o).map(send));
  await Promise.all(Array.from({ length: n }, (_, i) => String(i)).map(send));
  await Promise.all(['a', ...more].map(send));
  await Promise.all(['a'].concat(more).map(send));
  let list = ['a'];
  list = xs;
  await Promise.all(list.map(send));
}`),
    ).toEqual(['unbounded@3:21', 'unbounded@4:21', 'unbounded@5:21', 'unbounded@6:21', 'unbounded@7:21', 'unbounded@10:21']);
  });

  it('is in the strict config only, not in recommended (even the disk-or-database shape is mostly bounded in practice)', () => {
    expect(plugin.configs.strict.rules?.['asyncsan/unbounded-concurrency']).toBe('warn');
    expect(plugin.configs.recommended.rules?.['asyncsan/unbounded-concurrency']).toBeUndefined();
  });

  it('matches the expect markers in fixtures/unbounded-concurrency exactly', () => {
    const { files, diff } = fixtureDiff(unboundedConcurrency);
    expect(files).toBeGreaterThan(3);
    expect(diff).toBe('');
  });
});

describe('unbounded-concurrency: lists sized by the disk or the database', () => {
  const run = (code: string, options?: Partial<typeof unboundedConcurrency.defaultOptions>) =>
    runInMemory(unboundedConcurrency, code, options).sort((a, b) => a.start - b.start);
  const at = (code: string, options?: Partial<typeof unboundedConcurrency.defaultOptions>) =>
    run(code, options).map((r) => `${r.messageId}@${r.line}:${r.column}`);
  const rewrite = `async function rewrite(f: string): Promise<void> {}\n`;

  it('names the listing or the query as the source, with its call as the related location', () => {
    const results = run(`import { readdir } from 'node:fs/promises';
import * as fs from 'node:fs';
${rewrite}export async function a(dir: string) {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.ts'));
  await Promise.all(files.map(rewrite));
}
export async function b(dir: string) {
  let entries: string[];
  try { entries = await fs.promises.readdir(dir); } catch { return; }
  await Promise.allSettled([...entries].map(async (e) => rewrite(e)));
}`);
    expect(results.map((r) => `${r.messageId}@${r.line}:${r.column}`)).toEqual(['unboundedSource@6:21', 'unboundedSource@11:28']);
    expect(results[0]!.message).toBe(
      "Promise.all over 'files.map(…)' starts one task per file of readdir() at once: there are as many as the directory tree holds, and thousands at once exhaust file descriptors (EMFILE), sockets or connection pools. Bound it with p-limit, p-map({ concurrency }) or a semaphore, or process it in chunks.",
    );
    expect(results.map((r) => r.related.map((x) => `${x.label}@${x.line}:${x.column}`))).toEqual([
      ['the file list comes from here@5:24'],
      ['the file list comes from here@10:25'],
    ]);
  });

  it('recognises globs and database clients by their import when their types are not installed, and the push-loop shape', () => {
    const results = run(`// @ts-nocheck
import fg from 'fast-glob';
import { globby } from 'globby';
import { Pool } from 'pg';
import { replaceAlias } from './helpers';
const pool = new Pool();
export async function a() {
  const files = await fg('src/**');
  await Promise.all(files.map((f) => replaceAlias(f)));
  await Promise.all((await globby('x')).map(replaceAlias));
  const { rows } = await pool.query('select id from t');
  await Promise.all(rows.map((r) => replaceAlias(r.id)));
}
export async function b(dir: string) {
  const tasks = [];
  for (const f of await fg(dir)) tasks.push(replaceAlias(f).then(() => f));
  return Promise.all(tasks);
}
export async function walk(dir: string) {
  const subdirs = [];
  for (const d of await fg(dir)) subdirs.push(walk(d));
  return Promise.all(subdirs);
}`);
    expect(results.map((r) => `${r.messageId}@${r.line}:${r.column}`)).toEqual(['unboundedSource@9:21', 'unboundedSource@10:21', 'unboundedSource@12:21', 'unboundedPush@16:34']);
    expect(results[2]!.message).toContain('one task per row of the result of pool.query() at once: there are as many as the database holds');
  });

  it('accepts a limiter recognised by its import or its name (p-limit clones), a fixed slice, and a sequential loop', () => {
    expect(
      at(`// @ts-nocheck
import { readdir } from 'node:fs/promises';
import { pLimit } from 'plimit-lit';
import pMap from 'p-map';
${rewrite}const openFilesLimit = pLimit(64);
export async function a(dir: string) {
  const files = await readdir(dir);
  await Promise.all(files.map((f) => openFilesLimit(() => rewrite(f))));
  await Promise.all(files.slice(0, 8).map(rewrite));
  for (const f of files) await rewrite(f);
  const limit = pMap;
  await Promise.all(files.map((f) => limit([f], rewrite)));
}`),
    ).toEqual([]);
  });

  it("reports only those with inputs: 'disk-or-database'", () => {
    const code = `import { readdir } from 'node:fs/promises';
${rewrite}export async function a(dir: string, names: string[]) {
  await Promise.all(names.map(rewrite));
  await Promise.all((await readdir(dir)).map(rewrite));
}`;
    expect(at(code)).toEqual(['unbounded@4:21', 'unboundedSource@5:21']);
    expect(at(code, { inputs: 'disk-or-database' })).toEqual(['unboundedSource@5:21']);
  });
});

describe('unbounded-concurrency in test files', () => {
  it('leaves a test file to the runtime side; the same text as program code is reported', () => {
    const file = 'unbounded-concurrency/good-in-test.test.ts';
    expect(runOnFixture(unboundedConcurrency, file)).toEqual([]);
    expect(runOnFixture(unboundedConcurrency, file, {}, { asProgramCode: true }).map((r) => `${r.messageId}@${r.line}`)).toEqual(['unbounded@11']);
  });
});
