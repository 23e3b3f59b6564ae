/**
 * The never-settling-promise ESLint rule through typescript-eslint's RuleTester (type-aware, on
 * tests/project). The check's own tests, on code strings and on fixtures/never-settling-promise/,
 * are in packages/checks/test/never-settling-promise.test.ts.
 */
import rule from '../../src/rules/never-settling-promise.js';
import { createRuleTester } from '../rule-tester.js';

createRuleTester().run('never-settling-promise', rule, {
  valid: [
    // No resolve/reject parameter: a promise that never settles on purpose (a sentinel, a teardown).
    { code: `new Promise<void>(() => {\n  console.log('never');\n});` },
    { code: `export const sentinel = new Promise<never>(() => undefined);` },
    { code: `declare function load(): Promise<number>;\nnew Promise<number>((resolve, reject) => { load().then((n) => resolve(n)).catch(reject); });` },
    { code: `declare function load(): Promise<number>;\nnew Promise<number>((resolve, reject) => { load().then(resolve, reject); });` },
    { code: `new Promise<void>((resolve) => setTimeout(resolve, 10));` },
    { code: `new Promise<void>((resolve, reject) => { if (Math.random() > 0.5) resolve(); else reject(new Error('x')); });` },
    { code: `new Promise<void>((resolve) => { if (Math.random() > 0.5) throw new Error('x'); resolve(); });` },
    { code: `new Promise<number>((resolve, reject) => { try { resolve(JSON.parse('1')); } catch (e) { reject(e); } });` },
    { code: `let r!: () => void;\nnew Promise<void>((resolve) => { r = resolve; });` },
    { code: `import { EventEmitter } from 'node:events';\ndeclare const e: EventEmitter;\nnew Promise<void>((resolve) => { e.on('data', (chunk: string) => { if (chunk === 'end') resolve(); }); });` },
    { code: `new Promise<void>((resolve) => { for (;;) { if (Date.now() > 0) { resolve(); return; } } });` },
    { code: `const never = new Promise<never>(() => {\n  // a sentinel that never settles, raced against real work\n});`, name: 'the explicit never-settling idiom' },
    { code: `new Promise<number>((resolve) => { switch (Math.sign(1)) { case 1: resolve(1); break; default: resolve(0); } });` },
  ],
  invalid: [
    {
      code: `declare function load(): Promise<number>;\nnew Promise<number>((resolve) => {\n  load().then((n) => resolve(n * 2));\n});`,
      errors: [{ messageId: 'rejectionNotForwarded', line: 3, column: 3 }],
    },
    {
      code: `new Promise<void>((resolve) => {\n  if (Date.now() > 0) return;\n  resolve();\n});`,
      errors: [{ messageId: 'returnWithoutSettling', line: 2, column: 23 }],
    },
    {
      code: `new Promise<void>((resolve) => {\n  if (Date.now() > 0) resolve();\n});`,
      errors: [{ messageId: 'noSettle', line: 1, column: 1 }],
    },
    {
      code: `import { readFile } from 'node:fs';\nnew Promise<string>((resolve) => {\n  readFile('x', 'utf8', (err, data) => {\n    if (err) return;\n    resolve(data);\n  });\n});`,
      errors: [{ messageId: 'returnWithoutSettling', line: 4, column: 14 }],
    },
    {
      code: `new Promise<void>((resolve) => {\n  setTimeout(() => {\n    if (Date.now() > 0) resolve();\n  }, 5);\n});`,
      errors: [{ messageId: 'callbackNoSettle', line: 2, column: 14 }],
    },
    {
      code: `new Promise<number>((resolve) => {\n  switch (Math.sign(1)) {\n    case 1:\n      resolve(1);\n      break;\n  }\n});`,
      errors: [{ messageId: 'noSettle', line: 1, column: 1 }],
    },
  ],
});
