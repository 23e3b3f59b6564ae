/**
 * The uncancelled-siblings ESLint rule through typescript-eslint's RuleTester (type-aware, on
 * tests/project). The check's own tests, on code strings and on fixtures/uncancelled-siblings/,
 * are the fixture tests over fixtures/uncancelled-siblings/ (test/eslint-e2e.test.ts, test/check-e2e.test.ts).
 */
import rule from '../../src/rules/uncancelled-siblings.js';
import { createRuleTester } from '../rule-tester.js';

const get = `async function get(url: string, init?: { signal?: AbortSignal }): Promise<string> { return url; }\nasync function pure(n: number): Promise<number> { return n; }\n`;

createRuleTester().run('uncancelled-siblings', rule, {
  valid: [
    { code: `${get}async function f(signal: AbortSignal) { return Promise.all([get('a', { signal }), get('b', { signal })]); }` },
    { code: `${get}async function f() { return Promise.all([pure(1), pure(2)]); }` },
    { code: `${get}async function f() { return Promise.allSettled([get('a'), get('b')]); }` },
    { code: `${get}async function f() { return Promise.all([get('a')]); }` },
  ],
  invalid: [
    {
      code: `${get}async function f() {\n  return Promise.all([get('a'), get('b')]);\n}`,
      errors: [{ messageId: 'noSharedSignal', data: { method: 'all', event: 'rejection', callee: 'get' }, line: 4, column: 10 }],
    },
    {
      code: `${get}async function f(urls: string[]) {\n  return Promise.any(urls.map((u) => get(u)));\n}`,
      errors: [{ messageId: 'noSharedSignal', data: { method: 'any', event: 'fulfilment', callee: 'get' }, line: 4, column: 10 }],
    },
  ],
});
