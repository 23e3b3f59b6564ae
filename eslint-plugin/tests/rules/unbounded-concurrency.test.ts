/**
 * The unbounded-concurrency ESLint rule through typescript-eslint's RuleTester (type-aware, on
 * tests/project). The check's own tests, on code strings and on fixtures/unbounded-concurrency/,
 * are in packages/checks/test/unbounded-concurrency.test.ts.
 */
import rule from '../../src/rules/unbounded-concurrency.js';
import { createRuleTester } from '../rule-tester.js';

const send = `async function send(x: string): Promise<void> {}\n`;

createRuleTester().run('unbounded-concurrency', rule, {
  valid: [
    { code: `${send}async function f() { await Promise.all(['a', 'b'].map(async (x) => send(x))); }` },
    { code: `${send}async function f(t: [string, string]) { await Promise.all(t.map(async (x) => send(x))); }` },
    { code: `${send}async function f(xs: string[]) { await Promise.all(xs.slice(0, 5).map(async (x) => send(x))); }` },
    { code: `${send}async function f(batch: string[]) { await Promise.all(batch.map(async (x) => send(x))); }` },
    { code: `import pLimit from 'p-limit';\n${send}async function f(xs: string[]) { const limit = pLimit(2); await Promise.all(xs.map((x) => limit(() => send(x)))); }` },
    { code: `${send}async function f(xs: string[]) { await Promise.all(xs.map((x) => x.length)); }` },
    { code: `${send}async function f(xs: string[]) { const first = xs.slice(0, 5); await Promise.all(first.map(async (x) => send(x))); }` },
    { code: `${send}async function f(xs: string[]) { await Promise.all(Array.from({ length: 4 }).map(async () => send('x'))); }` },
    { code: `${send}async function f(chunks: string[]) { await Promise.all(chunks.map(async (x) => send(x))); }`, options: [{ boundedNamePattern: '^chunks$' }] },
    { code: `${send}async function f(xs: string[]) { await Promise.all(xs.map(async (x) => send(x))); }`, options: [{ inputs: 'disk-or-database' }] },
    { code: `${send}async function f(p: { id: string; name?: string }) { await Promise.all(Object.keys(p).map(async (k) => send(k))); }` },
  ],
  invalid: [
    {
      code: `${send}async function f(p: Record<string, string>) {\n  await Promise.all(Object.keys(p).map(async (k) => send(k)));\n}`,
      errors: [{ messageId: 'unbounded', data: { method: 'all', source: 'Object.keys(p)' }, line: 3, column: 21 }],
    },
    {
      code: `import { readdir } from 'node:fs/promises';\n${send}async function f(dir: string) {\n  await Promise.all((await readdir(dir)).map(send));\n}`,
      options: [{ inputs: 'disk-or-database' }],
      errors: [{ messageId: 'unboundedSource', data: { method: 'all', source: '(await readdir(dir))', item: 'file', origin: 'readdir()', store: 'directory tree' }, line: 4, column: 21 }],
    },
    {
      code: `${send}async function f(xs: string[]) {\n  await Promise.all(xs.map(async (x) => send(x)));\n}`,
      errors: [{ messageId: 'unbounded', data: { method: 'all', source: 'xs' }, line: 3, column: 21 }],
    },
    {
      code: `${send}async function f(xs: Set<string>) {\n  return Promise.allSettled([...xs].map((x) => send(x)));\n}`,
      errors: [{ messageId: 'unbounded', data: { method: 'allSettled', source: '[...xs]' }, line: 3, column: 29 }],
    },
    {
      code: `${send}async function f(emails: string[]) {\n  await Promise.all(emails.map(send));\n}`,
      errors: [{ messageId: 'unbounded', data: { method: 'all', source: 'emails' }, line: 3, column: 21 }],
    },
    {
      code: `${send}async function f(batch: string[]) {\n  await Promise.all(batch.map(async (x) => send(x)));\n}`,
      options: [{ boundedNamePattern: '^never$' }],
      errors: [{ messageId: 'unbounded', data: { method: 'all', source: 'batch' }, line: 3, column: 21 }],
    },
  ],
});
