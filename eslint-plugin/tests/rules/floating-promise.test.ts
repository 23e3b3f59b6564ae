/**
 * The floating-promise ESLint rule through typescript-eslint's RuleTester (type-aware, on
 * tests/project). The check's own tests, on code strings and on fixtures/floating-promise/,
 * are in packages/checks/test/floating-promise.test.ts.
 */
import rule from '../../src/rules/floating-promise.js';
import { createRuleTester } from '../rule-tester.js';

// A promise whose body we cannot see: it may reject.
const decl = `declare function work(): Promise<number>;\n`;
const noop = `function noop(): void {}\n`;
/** A class whose private method catches unless the caller asks for the error (query-core's #executeFetch). */
const executor = `${noop}class Q {\n  #run(options?: { throwOnError?: boolean }): Promise<number | void> {\n    let p: Promise<number | void> = work();\n    if (!options?.throwOnError) p = p.catch(noop);\n    return p;\n  }\n`;
const onError = `function onError(e: unknown): void { console.error(e); }\n`;

createRuleTester().run('floating-promise', rule, {
  valid: [
    { code: `${decl}async function f() { await work(); }` },
    { code: `${decl}function f() { return work(); }` },
    { code: `${decl}void work();` },
    { code: `${decl}${onError}work().catch(onError);` },
    { code: `${decl}${onError}work().then(() => 1, onError);` },
    { code: `${decl}${onError}work().catch(onError).finally(() => {});` },
    { code: `${decl}async function f() { const p = work(); await p; }` },
    { code: `${decl}const m = new Map<string, Promise<number>>(); m.set('k', work());` },
    { code: `${decl}console.log(work());` },
    { code: `import { test } from 'node:test';\ntest('runs', () => {});` },
    { code: `${decl}work();`, options: [{ allowList: [{ name: 'work', from: 'file' }] }] },
    { code: `${decl}work();`, options: [{ allowList: ['work'] }] },
    { code: `${decl}async function f() { const p = work(); console.log(typeof p); }`, options: [{ checkLocals: false }] },
    { code: `${decl}function ok(v: unknown) {}\nok(work());`, options: [{ checkArguments: false }] },
    // An accessor hands out a promise someone else owns.
    { code: `${decl}const cache = new Map<string, Promise<number>>();\nfunction peek() { const p = cache.get('k'); console.log(typeof p); }` },
    // A maybe-promise narrowed by its author is not followed through the local.
    { code: `declare function run(): number | Promise<number>;\nfunction f() { const r = run(); if (r instanceof Promise) throw new Error('async'); return r + 1; }` },
    // A function declared between creation and handling does not run on that path.
    { code: `${decl}async function f() { const p = work(); function later() { return 1; } later(); return p; }` },
    // A copy of existing promises is not a new floating array.
    { code: `${decl}declare const pending: Set<Promise<number>>;\nfunction f() { const some = [...pending].slice(0, 2); console.log(some.length); }` },
    // Promises that cannot reject, judged from the bodies in this file.
    { code: `Promise.resolve();\nPromise.resolve(1);\nPromise.allSettled([1]);` },
    { code: `async function load(): Promise<number> { return 1; }\nload();\nconst p = load();\nconsole.log(typeof p);` },
    { code: `${decl}async function quietly(): Promise<void> {\n  try { await work(); } catch (e) { console.error(e); }\n}\nquietly();` },
    { code: `${decl}async function f(ids: number[]) { ids.map(async (n) => n + 1); }` },
    { code: `${decl}function ok(value: unknown): void {}\nasync function safe(): Promise<void> {}\nok(safe());` },
    // Rejection handlers attached where the promise is made.
    { code: `${decl}${noop}work().then(noop).catch(noop);` },
    { code: `${decl}${noop}function cancel(p?: Promise<number>): Promise<void> { return p ? p.then(noop).catch(noop) : Promise.resolve(); }\ncancel();` },
    { code: `${decl}${noop}function make() { const p = work(); p.catch(noop); return { start: () => p }; }\nconst r = make();\nr.start();` },
    { code: `${decl}${noop}class C { private p: Promise<number> | undefined;\n  load(): void { const p = work(); this.p = p; p.catch(noop); }\n  peek(): void { this.p; }\n}` },
    // The call's arguments decide the branch: no options, so the promise is caught.
    { code: `${decl}${executor}  go(): void { this.#run(); this.#run({}); }\n}` },
    // Thenables are promises only with checkThenables (typescript-eslint's default).
    { code: `declare const thenable: PromiseLike<number>;\nthenable;` },
  ],
  invalid: [
    {
      code: `${decl}async function f() {\n  work();\n}`,
      errors: [
        {
          messageId: 'floating',
          line: 3,
          column: 3,
          endColumn: 10,
          suggestions: [
            { messageId: 'addAwait', output: `${decl}async function f() {\n  await work();\n}` },
            { messageId: 'addCatch', output: `${decl}async function f() {\n  work().catch((error) => { console.error(error); });\n}` },
            { messageId: 'addVoid', output: `${decl}async function f() {\n  void work();\n}` },
          ],
        },
      ],
    },
    {
      // No await suggestion outside an async function.
      code: `${decl}function f() {\n  work().then(() => 2);\n}`,
      errors: [
        {
          messageId: 'floating',
          line: 3,
          column: 3,
          suggestions: [
            { messageId: 'addCatch', output: `${decl}function f() {\n  work().then(() => 2).catch((error) => { console.error(error); });\n}` },
            { messageId: 'addVoid', output: `${decl}function f() {\n  void work().then(() => 2);\n}` },
          ],
        },
      ],
    },
    {
      code: `${decl}declare const flag: boolean;\nfunction f() {\n  flag ? work() : null;\n}`,
      errors: [
        {
          messageId: 'floating',
          line: 4,
          column: 3,
          suggestions: [
            { messageId: 'addCatch', output: `${decl}declare const flag: boolean;\nfunction f() {\n  (flag ? work() : null)?.catch((error) => { console.error(error); });\n}` },
            { messageId: 'addVoid', output: `${decl}declare const flag: boolean;\nfunction f() {\n  void (flag ? work() : null);\n}` },
          ],
        },
      ],
    },
    {
      code: `${decl}function f() {\n  work().catch(undefined);\n}`,
      errors: [
        {
          messageId: 'uselessHandler',
          line: 3,
          column: 3,
          suggestions: [{ messageId: 'addVoid', output: `${decl}function f() {\n  void work().catch(undefined);\n}` }],
        },
      ],
    },
    {
      code: `${decl}async function f(ids: number[]) {\n  ids.map(async () => work());\n}`,
      errors: [
        {
          messageId: 'floatingArray',
          line: 3,
          column: 3,
          suggestions: [
            { messageId: 'addAwaitAll', output: `${decl}async function f(ids: number[]) {\n  await Promise.all(ids.map(async () => work()));\n}` },
            { messageId: 'addVoid', output: `${decl}async function f(ids: number[]) {\n  void ids.map(async () => work());\n}` },
          ],
        },
      ],
    },
    {
      code: `${decl}async function f() {\n  const p = work();\n  console.log(typeof p);\n}`,
      errors: [{ messageId: 'unhandledLocal', data: { name: 'p' }, line: 3, column: 9 }],
    },
    {
      code: `${decl}function f(ids: number[]) {\n  const saves = ids.map(async () => work());\n  console.log(saves.length);\n}`,
      errors: [{ messageId: 'unhandledLocal', data: { name: 'saves' }, line: 3, column: 9 }],
    },
    {
      code: `${decl}declare const cached: boolean;\nasync function f() {\n  const p = work();\n  if (cached) return 0;\n  return await p;\n}`,
      errors: [{ messageId: 'returnBeforeHandled', data: { name: 'p', line: '5' }, line: 4, column: 9 }],
    },
    {
      code: `${decl}async function f() {\n  const p = work();\n  const q = await work();\n  return (await p) + q;\n}`,
      errors: [{ messageId: 'awaitBeforeHandled', data: { name: 'p', line: '4' }, line: 3, column: 9 }],
    },
    {
      code: `${decl}function ok(value: unknown): void {}\nasync function f() {\n  ok(work());\n}`,
      errors: [
        {
          messageId: 'passedToNonPromise',
          data: { type: 'unknown' },
          line: 4,
          column: 6,
          suggestions: [{ messageId: 'addAwait', output: `${decl}function ok(value: unknown): void {}\nasync function f() {\n  ok(await work());\n}` }],
        },
      ],
    },
    {
      // ignoreVoid: false reports void too, and offers no void suggestion.
      code: `${decl}function f() {\n  void work();\n}`,
      options: [{ ignoreVoid: false }],
      errors: [
        {
          messageId: 'floatingNoVoid',
          line: 3,
          column: 3,
        },
      ],
    },
    {
      code: `${decl}${executor}  go(): void {\n    this.#run({ throwOnError: true });\n  }\n}`,
      errors: [
        {
          messageId: 'floating',
          line: 10,
          column: 5,
          suggestions: [
            { messageId: 'addCatch', output: `${decl}${executor}  go(): void {\n    this.#run({ throwOnError: true }).catch((error) => { console.error(error); });\n  }\n}` },
            { messageId: 'addVoid', output: `${decl}${executor}  go(): void {\n    void this.#run({ throwOnError: true });\n  }\n}` },
          ],
        },
      ],
    },
    {
      // The catch rethrows: the async function can reject.
      code: `${decl}async function loud(): Promise<void> {\n  try { await work(); } catch (e) { throw e; }\n}\nloud();`,
      errors: [
        {
          messageId: 'floating',
          line: 5,
          column: 1,
          suggestions: [
            { messageId: 'addAwait', output: `${decl}async function loud(): Promise<void> {\n  try { await work(); } catch (e) { throw e; }\n}\nawait loud();` },
            { messageId: 'addCatch', output: `${decl}async function loud(): Promise<void> {\n  try { await work(); } catch (e) { throw e; }\n}\nloud().catch((error) => { console.error(error); });` },
            { messageId: 'addVoid', output: `${decl}async function loud(): Promise<void> {\n  try { await work(); } catch (e) { throw e; }\n}\nvoid loud();` },
          ],
        },
      ],
    },
    {
      // A handler on the shared promise does not handle a promise derived from it.
      code: `${decl}${noop}const p = work();\np.catch(noop);\np.then(noop);`,
      errors: [
        {
          messageId: 'floating',
          line: 5,
          column: 1,
          suggestions: [
            { messageId: 'addAwait', output: `${decl}${noop}const p = work();\np.catch(noop);\nawait p.then(noop);` },
            { messageId: 'addCatch', output: `${decl}${noop}const p = work();\np.catch(noop);\np.then(noop).catch((error) => { console.error(error); });` },
            { messageId: 'addVoid', output: `${decl}${noop}const p = work();\np.catch(noop);\nvoid p.then(noop);` },
          ],
        },
      ],
    },
    {
      code: `declare const thenable: PromiseLike<number>;\nthenable;`,
      options: [{ checkThenables: true }],
      errors: [
        {
          messageId: 'floating',
          line: 2,
          column: 1,
          suggestions: [
            { messageId: 'addAwait', output: `declare const thenable: PromiseLike<number>;\nawait thenable;` },
            { messageId: 'addCatch', output: `declare const thenable: PromiseLike<number>;\nthenable.then(undefined, (error) => { console.error(error); });` },
            { messageId: 'addVoid', output: `declare const thenable: PromiseLike<number>;\nvoid thenable;` },
          ],
        },
      ],
    },
  ],
});
