/**
 * The race transform: what it rewrites (awaits, async bodies, shared accesses),
 * what it leaves alone (locals, parameters, shadowed names, plain functions'
 * `this`), that its output still runs with the same results, and that site ids
 * and the source map both point back at the original positions.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Parser } from 'acorn';
import { afterAll, describe, expect, it } from 'vitest';
import { instrument, RUNTIME_GLOBAL, type SiteEntry } from '../src/race/transform.js';
import { RaceRuntime } from '../src/race/runtime.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'asyncsan-race-transform-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The site table the prelude hands to the runtime. */
function sitesOf(code: string): SiteEntry[] {
  const m = /\.module\(("[^"]*"), (\[.*?\]\])\);/.exec(code);
  if (!m) throw new Error('no prelude');
  return JSON.parse(m[2]!) as SiteEntry[];
}

function transformed(code: string): string {
  const out = instrument(code, '/src/app.mjs');
  if (!out) throw new Error('nothing instrumented');
  return out.code;
}

let counter = 0;
async function importModule(code: string): Promise<Record<string, unknown>> {
  const file = path.join(dir, `m${counter++}.mjs`);
  writeFileSync(file, code);
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}

/** Runs `fn` with a fresh race runtime installed where instrumented modules look for it. */
async function withRuntime<T>(fn: (rt: RaceRuntime) => Promise<T>): Promise<T> {
  const g = globalThis as Record<string, unknown>;
  const previous = g[RUNTIME_GLOBAL];
  const rt = new RaceRuntime({ cwd: '/' });
  g[RUNTIME_GLOBAL] = rt;
  try {
    return await fn(rt);
  } finally {
    g[RUNTIME_GLOBAL] = previous;
  }
}

describe('instrument()', () => {
  it('wraps awaits and async bodies, and rewrites this-fields, module bindings and Map entries', () => {
    const code = [
      'let hits = 0;',
      'const cache = new Map();',
      'export class Account {',
      '  balance = 0;',
      '  async credit(n) {',
      '    this.balance = this.balance + (await n);',
      '    hits++;',
      '    if (!cache.has(n)) cache.set(n, hits);',
      '  }',
      '}',
    ].join('\n');
    const out = transformed(code);
    expect(out).toContain('credit(n) {return __asyncsan.t(0, { "Account.credit": async () => {');
    expect(out).toContain('  } }["Account.credit"]);}\n}');
    expect(out).toContain('__asyncsan.w(this, "balance" , __asyncsan.r(this, "balance", 2, 0) + (await __asyncsan.aw( n, 3)), 1);');
    expect(out).toContain('(__asyncsan.rv(hits, "hits", 4, 0), __asyncsan.wv(0, "hits", 5), hits++);');
    expect(out).toContain('if (!__asyncsan.mc(cache, "has", 6, 1, n)) __asyncsan.mc(cache, "set", 7, 0, n, __asyncsan.rv(hits, "hits", 8, 0));');
    // Site ids are indexes into the table, which holds the original 1-based line and column.
    expect(sitesOf(out)).toEqual([
      [5, 3, 'Account.credit'],
      [6, 5, 'this.balance'],
      [6, 20, 'this.balance'],
      [6, 36, 'await'],
      [7, 5, 'hits'],
      [7, 5, 'hits'],
      [8, 10, 'cache.has()'],
      [8, 24, 'cache.set()'],
      [8, 37, 'hits'],
    ]);
  });

  it('never touches locals, parameters, shadowing names, module code or a plain function’s this', () => {
    const code = [
      'let shared = 1;',
      'const config = { a: 1 };',
      'shared = config.a + 1;',
      'export function plain(shared, config) {',
      '  let local = { x: 1 };',
      '  local.x = shared + config.a;',
      '  this.y = local.x;',
      '  return local.x;',
      '}',
      'export function inner() {',
      '  { const shared = 3; return shared; }',
      '}',
    ].join('\n');
    expect(instrument(code, '/src/app.mjs')).toBeUndefined();
  });

  it('gives locals shared with nested functions a record per activation, and leaves private locals alone', () => {
    const code = [
      'export async function jobs(list) {',
      '  let done = 0;',
      '  let mine = 0;',
      '  mine = mine + 1;',
      '  await Promise.all(list.map(async (x) => { done = done + (await x); }));',
      '  return done + mine;',
      '}',
    ].join('\n');
    const out = transformed(code);
    expect(out).toContain('jobs(list) {const __asyncsanVf7 = {};return __asyncsan.t(0, { "jobs": async () => {');
    // The arrow passed to map has no name to keep.
    expect(out).toContain('list.map( (x) => {return __asyncsan.t(2, async () => { done = ');
    expect(out).toContain('mine = mine + 1;');
    expect(out).toContain('done = __asyncsan.wv( __asyncsan.rv(done, "done", 4, 0, __asyncsanVf7) + (await __asyncsan.aw( x, 5)), "done", 3, __asyncsanVf7);');
    expect(out).toContain('return __asyncsan.rv(done, "done", 6, 0, __asyncsanVf7) + mine;');
  });

  it('returns undefined for code it cannot parse', () => {
    expect(instrument('let = = 1', '/src/app.mjs')).toBeUndefined();
  });

  it('uses the host parser when one is given', () => {
    let calls = 0;
    const out = instrument('export async function f(p) { return await p; }', '/src/app.mjs', {
      parse: (code) => {
        calls++;
        return Parser.parse(code, { ecmaVersion: 'latest', sourceType: 'module' });
      },
    });
    expect(calls).toBe(1);
    expect(out?.code).toContain('return await __asyncsan.aw( p, 1);');
  });

  it('keeps the behaviour of the code it instruments', async () => {
    const code = [
      'let total = 0;',
      'let seen;',
      'const store = new Map();',
      'const tags = new Set();',
      'const state = { n: 1, list: [] };',
      'export class Box {',
      '  v = 1;',
      '  w = { deep: 2 };',
      '  #secret = 5;',
      '  static made = 0;',
      '  big = 1n;',
      '  constructor() { Box.made++; this.v += 1; }',
      '  get secret() { return this.#secret; }',
      '  async bigs() { this.big++; return [++this.big, this.big--, this.big]; }',
      '  async priv() { this.#secret += await 1; this.#secret++; this.#secret ||= 0; this.#secret = this.#secret * 2; return this.#secret; }',
      '  async grow(k) {',
      '    this.v *= await k;',
      '    this.w.deep -= 1;',
      '    this["v"] += 1;',
      '    this.maybe ??= await Promise.resolve("set");',
      '    this.maybe ||= "never";',
      '    const { v } = this;',
      '    return [v, ++this.v, this.v--, this.v, this.w?.deep, this.missing?.x];',
      '  }',
      '}',
      'export const bump = async (n) => (total += await n, { total, seen: seen ??= "first" });',
      'export async function entries() {',
      '  if (!store.has("a")) store.set("a", await Promise.resolve(1));',
      '  tags.add("t");',
      '  state.n = state.n + (await 2);',
      '  state.list.push(state.n);',
      '  for (const x of [1, 2]) { total = total + x; }',
      '  return [store.get("a"), tags.has("t"), store.delete("a"), state.n, state.list.length, total];',
      '}',
      'export async function run() {',
      '  const b = new Box();',
      '  const grown = await b.grow(3);',
      '  const priv = await b.priv();',
      '  const bigs = await b.bigs();',
      '  const bumped = await bump(Promise.resolve(4));',
      '  const e = await entries();',
      '  const both = await Promise.all([bump(1), bump(2)]);',
      '  return { grown, bumped, e, priv, bigs, both: both.map((x) => x.total), secret: b.secret, made: Box.made, total };',
      '}',
    ].join('\n');
    const plain = (await importModule(code)).run as () => Promise<unknown>;
    const expected = await plain();
    const actual = await withRuntime(async () => ((await importModule(transformed(code))).run as () => Promise<unknown>)());
    expect(actual).toEqual(expected);
    expect(expected).toMatchObject({ grown: [7, 8, 8, 7, 1, undefined], priv: 14, bigs: [3n, 3n, 2n], total: 9, secret: 14, made: 1 });
    // Without any runtime installed, the instrumented module falls through to the plain operations.
    const g = globalThis as Record<string, unknown>;
    const saved = g[RUNTIME_GLOBAL];
    delete g[RUNTIME_GLOBAL];
    try {
      expect(await ((await importModule(transformed(code))).run as () => Promise<unknown>)()).toEqual(expected);
    } finally {
      g[RUNTIME_GLOBAL] = saved;
    }
    // 9, not 10: `total += await n` in two concurrent bumps is itself a lost update, instrumented or not.
  });

  it('maps positions in the output back to the original source', () => {
    const code = ['class A {', '  n = 0;', '  async add(p) {', '    const x = 1;', '    this.n = this.n + (await p);', '  }', '}', 'export { A };'].join('\n');
    const out = instrument(code, '/src/a.mjs')!;
    const map = new SourceMap(JSON.parse(out.map.toString()) as ConstructorParameters<typeof SourceMap>[0]);
    const locate = (needle: string, offset = 0) => {
      const at = out.code.indexOf(needle) + offset;
      const before = out.code.slice(0, at).split('\n');
      return map.findEntry(before.length - 1, before[before.length - 1]!.length) as { originalLine: number; originalColumn: number };
    };
    // 0-based in the map: line 4 is "    this.n = this.n + (await p);".
    expect(locate('this, "n" ,')).toMatchObject({ originalLine: 4, originalColumn: 4 });
    expect(locate('this, "n", ')).toMatchObject({ originalLine: 4, originalColumn: 13 });
    expect(locate('const x = 1')).toMatchObject({ originalLine: 3, originalColumn: 4 });
    expect(locate('aw( p', 5)).toMatchObject({ originalLine: 4, originalColumn: 29 });
    // Relative to the generated file, which is the module itself.
    expect(out.map.sources).toEqual(['a.mjs']);
    expect(out.map.sourcesContent).toEqual([code]);
  });
});
