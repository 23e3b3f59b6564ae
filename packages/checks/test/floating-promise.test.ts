import rule from '../../../eslint-plugin/src/rules/floating-promise.js';
import { createRuleTester } from './rule-tester.js';

const decl = `async function work(): Promise<number> { return 1; }\n`;
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
      code: `${decl}async function f(ids: number[]) {\n  ids.map(async (n) => n);\n}`,
      errors: [
        {
          messageId: 'floatingArray',
          line: 3,
          column: 3,
          suggestions: [
            { messageId: 'addAwaitAll', output: `${decl}async function f(ids: number[]) {\n  await Promise.all(ids.map(async (n) => n));\n}` },
            { messageId: 'addVoid', output: `${decl}async function f(ids: number[]) {\n  void ids.map(async (n) => n);\n}` },
          ],
        },
      ],
    },
    {
      code: `${decl}async function f() {\n  const p = work();\n  console.log(typeof p);\n}`,
      errors: [{ messageId: 'unhandledLocal', data: { name: 'p' }, line: 3, column: 9 }],
    },
    {
      code: `${decl}function f(ids: number[]) {\n  const saves = ids.map(async (n) => n);\n  console.log(saves.length);\n}`,
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
      code: `declare const thenable: PromiseLike<number>;\nthenable;`,
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
