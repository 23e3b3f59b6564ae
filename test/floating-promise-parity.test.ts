/**
 * Parity with typescript-eslint's no-floating-promises (default options):
 * both rules run over the same cases through ESLint. Whatever it reports we
 * report, and whatever it accepts as handled we accept, except the intended
 * divergences listed here and argued in docs/rules/floating-promise.md:
 * we report more where a promise in a local or an argument floats, and fewer
 * where the code shows that no rejection can be lost (the promise cannot
 * reject, or already has a handler).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from 'eslint-plugin-asyncsan';
import { repoRoot } from '@asyncsan/test-harness/expectations';

interface Case {
  name: string;
  code: string;
  /**
   * An intended divergence: 'more' = we report lines it does not,
   * 'fewer' = it reports lines we deliberately accept. Undefined = same lines.
   */
  divergence?: { kind: 'more' | 'fewer'; why: string };
}

// work() can reject (a body that cannot would make its promise safe to drop, see the 'fewer' cases).
const prelude = `
declare const limit: number;
async function work(n = 0): Promise<number> { if (n > limit) throw new RangeError('over the limit'); return n; }
function noop(): void {}
function onError(error: unknown): void { console.error(error); }
declare const flag: boolean;
`;

const cases: Case[] = [
  // --- reported by both
  { name: 'call statement', code: `work();` },
  { name: 'method call statement', code: `class A { async m(): Promise<void> { await work(); } run(): void { this.m(); } }` },
  { name: 'new Promise statement', code: `new Promise<void>((resolve, reject) => (flag ? resolve() : reject(new Error('no'))));` },
  { name: 'identifier statement', code: `const p = work(); p;` },
  { name: 'then with one argument', code: `work().then((n) => n + 1);` },
  { name: 'then with undefined rejection handler', code: `work().then(() => 1, undefined);` },
  { name: 'catch without argument', code: `work().catch();` },
  { name: 'catch with non-function', code: `work().catch(null);` },
  { name: 'finally alone', code: `work().finally(() => {});` },
  { name: 'finally after then(one arg)', code: `work().then(() => 1).finally(() => {});` },
  { name: 'catch then then', code: `declare function rethrow(error: unknown): never; work().catch(rethrow).then(() => 1);` },
  { name: 'async IIFE', code: `(async () => { await work(); })();` },
  { name: 'async function expression IIFE', code: `(async function () { await work(); })();` },
  { name: 'ternary branch', code: `flag ? work() : null;` },
  { name: 'ternary other branch', code: `flag ? null : work();` },
  { name: 'logical and', code: `flag && work();` },
  { name: 'logical or', code: `flag || work();` },
  { name: 'nullish', code: `declare const maybe: Promise<void> | undefined; maybe ?? work();` },
  { name: 'sequence', code: `(onError(1), work());` },
  { name: 'array of promises', code: `[work(1), work(2)];` },
  { name: 'map to async', code: `[1, 2].map(async (n) => work(n));` },
  { name: 'tuple with a promise', code: `declare const t: [number, Promise<number>]; t;` },
  { name: 'promise subclass', code: `class MyPromise<T> extends Promise<T> {} declare const mp: MyPromise<void>; mp;` },
  { name: 'optional call', code: `declare const api: { load?: () => Promise<void> }; api.load?.();` },
  { name: 'parenthesised', code: `(work());` },
  { name: 'as cast to promise', code: `(work() as Promise<unknown>);` },
  { name: 'non-null', code: `declare const mp: Promise<void> | undefined; mp!;` },
  { name: 'Promise.all statement', code: `Promise.all([work(1), work(2)]);` },
  { name: 'Promise.resolve of a promise that can reject', code: `Promise.resolve(work());` },
  { name: 'Promise.reject statement', code: `Promise.reject(new Error('x'));` },
  { name: 'in async function', code: `async function f(): Promise<void> { work(); await work(); }` },
  { name: 'in arrow block', code: `const f = (): void => { work(); };` },
  { name: 'union with undefined', code: `declare function maybe(): Promise<void> | undefined; maybe();` },
  { name: 'intersection with promise', code: `declare const x: Promise<void> & { tag: string }; x;` },
  { name: 'generic constrained to promise', code: `function g<T extends Promise<void>>(p: T): void { p; }` },
  { name: 'catch with a maybe-undefined handler', code: `declare const h: ((e: unknown) => void) | undefined; work().catch(h);` },
  { name: 'tagged template', code: `declare function sql(s: TemplateStringsArray): Promise<void>; sql\`select 1\`;` },
  { name: 'element of a promise array', code: `declare const ps: Promise<number>[]; ps[0];` },
  { name: 'property holding a promise', code: `declare const job: { done: Promise<void> }; job.done;` },
  { name: 'optional then', code: `declare const mp: Promise<number> | undefined; mp?.then((n) => n);` },
  { name: 'await of a non-promise inside a statement', code: `async function f(): Promise<void> { (await work(), work()); }` },
  { name: 'static method of a promise subclass', code: `class MyPromise<T> extends Promise<T> {} MyPromise.resolve(1);` },
  { name: 'then with spread arguments (cannot see a handler)', code: `declare const handlers: [(n: number) => void, (e: unknown) => void]; work().then(...handlers);` },
  // --- accepted by both
  { name: 'awaited', code: `async function f(): Promise<void> { await work(); }` },
  { name: 'returned', code: `function f(): Promise<number> { return work(); }` },
  { name: 'arrow body', code: `const f = (): Promise<number> => work();` },
  { name: 'void', code: `void work();` },
  { name: 'catch with handler', code: `work().catch(onError);` },
  { name: 'then with rejection handler', code: `work().then(() => 1, onError);` },
  { name: 'catch then finally', code: `work().catch(onError).finally(() => {});` },
  { name: 'assignment', code: `let p: Promise<number>; p = work(); void p;` },
  { name: 'compound assignment', code: `let p: Promise<number> | undefined; p ??= work(); void p;` },
  { name: 'non-promise statement', code: `onError(1); [1, 2].map((n) => n);` },
  { name: 'await of array', code: `async function f(): Promise<void> { await Promise.all([work(1), work(2)]); }` },
  { name: 'returned from then chain', code: `function f(): Promise<void> { return work().then(() => {}); }` },
  { name: 'yielded', code: `async function* g(): AsyncGenerator<number> { yield work(); }` },
  { name: 'any-typed', code: `declare const anything: any; anything.run();` },
  { name: 'void in sequence', code: `(onError(1), void work());` },
  { name: 'ternary both handled', code: `flag ? work().catch(onError) : void work();` },
  { name: 'catch with union handler', code: `declare const h: ((e: unknown) => void) | undefined; work().catch(h as (e: unknown) => void);` },
  { name: 'stored and awaited', code: `async function f(): Promise<void> { const p = work(); await p; }` },
  { name: 'stored and returned', code: `function f(): Promise<number> { const p = work(); return p; }` },
  { name: 'stored and caught', code: `const p = work(); p.catch(onError);` },
  { name: 'stored in a field', code: `class C { p?: Promise<number>; start(): void { const p = work(); this.p = p; } }` },
  { name: 'passed to a generic', code: `const m = new Map<string, Promise<number>>(); m.set('k', work());` },
  { name: 'passed to a promise parameter', code: `function sink(p: Promise<number>): void { void p; } sink(work());` },
  { name: 'passed to any', code: `console.log(work());` },
  { name: 'await statement', code: `async function f(): Promise<void> { await work(); }` },
  { name: 'typeof a promise', code: `typeof work();` },
  { name: 'optional catch with handler', code: `declare const mp: Promise<number> | undefined; mp?.catch(onError);` },
  { name: 'array of non-promises', code: `[1, 2, 3];` },
  // Thenables are promises only with checkThenables, off by default in both rules.
  { name: 'PromiseLike thenable', code: `declare const thenable: PromiseLike<number>; thenable;` },
  {
    name: 'custom thenable class',
    code: `declare class Query implements PromiseLike<number> { then<A = number, B = never>(f?: ((v: number) => A | PromiseLike<A>) | null, r?: ((e: unknown) => B | PromiseLike<B>) | null): PromiseLike<A | B>; } new Query();`,
  },
  // --- intended divergences
  {
    name: 'local never handled',
    code: `async function f(): Promise<void> { const p = work(); console.log(typeof p); }`,
    divergence: { kind: 'more', why: 'a promise stored in a local and never handled floats as much as a dropped one' },
  },
  {
    name: 'local not handled before an early return',
    code: `async function f(): Promise<number> { const p = work(); if (flag) return 0; return await p; }`,
    divergence: { kind: 'more', why: 'on the early-return path nobody handles the rejection' },
  },
  {
    name: 'local not handled across another await',
    code: `async function f(): Promise<number> { const p = work(1); const q = await work(2); return (await p) + q; }`,
    divergence: { kind: 'more', why: 'a rejection while the function waits on work(2) is an unhandledRejection in Node' },
  },
  {
    name: 'promise passed to unknown parameter',
    code: `function ok(value: unknown): void { if (!value) throw new Error('no'); } ok(work());`,
    divergence: { kind: 'more', why: 'a parameter typed unknown never awaits what it receives (assert.ok(asyncCheck()))' },
  },
  {
    name: 'Promise.reject alone in a function that returns no promise',
    code: `function raise(error: Error): void { Promise.reject(error); }`,
    divergence: { kind: 'fewer', why: 'an unhandled rejection raised on purpose: nothing else can be done with it there' },
  },
  { name: 'Promise.reject alone in a function that returns a promise', code: `function load(): Promise<number> { if (flag) { Promise.reject(new Error('x')); } return work(); }` },
  {
    name: 'promises removed from an array',
    code: `const queue: Promise<number>[] = [work(1)]; queue.shift(); queue.splice(0, 1);`,
    divergence: { kind: 'fewer', why: 'removing stored promises makes none: their handling was decided where they were made' },
  },
  { name: 'a shift() of its own that starts work', code: `class Jobs { shift(): Promise<number> { return work(); } next(): void { this.shift(); } }` },
  {
    name: 'Promise.resolve of a plain value',
    code: `Promise.resolve(1);`,
    divergence: { kind: 'fewer', why: 'it cannot reject' },
  },
  {
    name: 'new Promise whose executor never rejects',
    code: `new Promise<void>((resolve) => resolve());`,
    divergence: { kind: 'fewer', why: 'the executor never names reject and cannot throw' },
  },
  {
    name: 'async function that cannot reject',
    code: `async function version(): Promise<string> { return '1.0'; } version();`,
    divergence: { kind: 'fewer', why: 'no await and nothing in its body can throw: its promise cannot reject' },
  },
  {
    name: 'async function whose body catches everything',
    code: `async function quietly(): Promise<void> { try { await work(); } catch (error) { console.error(error); } } quietly();`,
    divergence: { kind: 'fewer', why: 'the whole body is inside try/catch and the catch cannot throw' },
  },
  {
    name: 'a promise with a handler attached where it was made',
    code: `const shared = work(); shared.catch(onError); shared;`,
    divergence: { kind: 'fewer', why: 'the same promise object already has a rejection handler' },
  },
  {
    name: 'a method returning a handled promise',
    code: `class Q { p?: Promise<number>; cancel(): Promise<void> { return this.p ? this.p.then(noop).catch(noop) : Promise.resolve(); } stop(): void { this.cancel(); } }`,
    divergence: { kind: 'fewer', why: 'cancel() returns a promise with a rejection handler attached, or Promise.resolve()' },
  },
  {
    name: 'then after a catch whose handler cannot throw',
    code: `work().catch(onError).then(() => 1);`,
    divergence: { kind: 'fewer', why: 'onError cannot throw, so the caught promise and the then() after it cannot reject' },
  },
  {
    name: 'map to an async callback that cannot reject',
    code: `[1, 2].map(async (n) => n);`,
    divergence: { kind: 'fewer', why: 'none of the promises can reject' },
  },
  {
    name: 'a microtask calling a callback the code was handed',
    code: `function later(cb: () => void): void { Promise.resolve().then(() => cb()); }`,
    divergence: { kind: 'fewer', why: 'a function value the code received (parameter, option, field) is assumed not to throw, so the then() cannot reject' },
  },
  {
    name: 'an async function whose catch only reports to an optional callback',
    code: `class S { onerror?: (e: Error) => void; start(): void { const run = async () => { try { await work(); } catch (e) { this.onerror?.(new Error(String(e))); } }; run(); } }`,
    divergence: { kind: 'fewer', why: 'the catch calls a received callback (assumed not to throw): the promise cannot reject' },
  },
  {
    name: 'a node-style call given an error-first callback',
    code: `declare function get(key: string, cb: (err: Error | null, value?: string) => void): Promise<string>; get('k', (err) => { if (err) onError(err); });`,
    divergence: { kind: 'fewer', why: 'the error-first callback receives the rejection (a dual callback/promise API)' },
  },
  {
    name: 'a shared promise handed out again',
    code: `class P { promise: Promise<number> = work(); exec(): Promise<number> { return this.promise; } retry(): void { this.exec(); } }`,
    divergence: { kind: 'fewer', why: 'exec() returns the shared this.promise, which whoever called exec() first holds and observes' },
  },
  {
    name: 'then on Promise.allSettled',
    code: `Promise.allSettled([work(1), work(2)]).then((results) => results.length);`,
    divergence: { kind: 'fewer', why: 'allSettled never rejects and the callback cannot throw' },
  },
  {
    name: 'node:test test()',
    code: `import { test, describe } from 'node:test'; describe('s', () => {}); test('t', () => {});`,
    divergence: { kind: 'fewer', why: "node:test's test/describe promises never reject; the runner reports failures" },
  },
];

let workDir: string;
/** Per case file: the `line:column` of each report. */
const reported = new Map<string, { theirs: string[]; ours: string[] }>();

beforeAll(async () => {
  const tmpRoot = path.join(repoRoot, '.asyncsan-tmp');
  mkdirSync(tmpRoot, { recursive: true });
  workDir = mkdtempSync(path.join(tmpRoot, 'parity-'));
  writeFileSync(
    path.join(workDir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2023'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        types: ['node'],
        typeRoots: [path.join(repoRoot, 'node_modules/@types')],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
      },
      include: ['*.ts'],
    }),
  );
  writeFileSync(path.join(workDir, 'package.json'), JSON.stringify({ type: 'module' }));
  cases.forEach((c, i) => writeFileSync(path.join(workDir, `case-${i}.ts`), `${prelude}\n${c.code}\nexport {};\n`));
  const eslint = new ESLint({
    cwd: workDir,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: {
          parser: tseslint.parser,
          parserOptions: { project: path.join(workDir, 'tsconfig.json'), tsconfigRootDir: workDir },
        },
        plugins: { '@typescript-eslint': tseslint.plugin, asyncsan: plugin } as never,
        rules: { '@typescript-eslint/no-floating-promises': 'error', 'asyncsan/floating-promise': 'error' },
      },
    ],
  });
  const results = await eslint.lintFiles(['*.ts']);
  for (const r of results) {
    const fatal = r.messages.filter((m) => m.fatal || m.ruleId === null);
    if (fatal.length > 0) throw new Error(`${r.filePath}: ${fatal.map((m) => m.message).join('; ')}`);
    const lines = (rule: string) =>
      r.messages.filter((m) => m.ruleId === rule).map((m) => `${m.line}:${m.column}`).sort();
    reported.set(path.basename(r.filePath), { theirs: lines('@typescript-eslint/no-floating-promises'), ours: lines('asyncsan/floating-promise') });
  }
});

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('floating-promise vs no-floating-promises (defaults)', () => {
  it.each(cases.map((c, i) => [c.name, i, c] as const))('%s', (_name, i, c) => {
    const got = reported.get(`case-${i}.ts`);
    expect(got).toBeDefined();
    const { theirs, ours } = got!;
    if (!c.divergence) {
      expect(ours).toEqual(theirs);
    } else if (c.divergence.kind === 'more') {
      // Everything it reports we report, and we report more.
      expect(theirs.every((l) => ours.includes(l))).toBe(true);
      expect(ours.length).toBeGreaterThan(theirs.length);
    } else {
      // It reports lines we deliberately accept; we report nothing it accepts.
      expect(ours.every((l) => theirs.includes(l))).toBe(true);
      expect(theirs.length).toBeGreaterThan(ours.length);
    }
  });

  it('the cases exercise both sides', () => {
    const all = [...reported.values()];
    expect(all.filter((r) => r.theirs.length > 0).length).toBeGreaterThan(25);
    expect(all.filter((r) => r.theirs.length === 0 && r.ours.length === 0).length).toBeGreaterThan(15);
  });
});
