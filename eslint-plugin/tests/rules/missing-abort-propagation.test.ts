/**
 * The missing-abort-propagation ESLint rule through typescript-eslint's RuleTester (type-aware, on
 * tests/project). The check's own tests, on code strings and on fixtures/missing-abort-propagation/,
 * are in packages/checks/test/missing-abort-propagation.test.ts.
 */
import rule from '../../src/rules/missing-abort-propagation.js';
import { createRuleTester } from '../rule-tester.js';

const helper = `async function step(n: number, signal?: AbortSignal): Promise<number> { return n; }\n`;

createRuleTester().run('missing-abort-propagation', rule, {
  valid: [
    { code: `async function f(url: string, signal: AbortSignal) { return fetch(url, { signal }); }` },
    { code: `async function f(url: string, opts: { signal?: AbortSignal }) { return fetch(url, opts); }` },
    { code: `async function f(url: string) { return fetch(url); }` },
    { code: `async function f(url: string, signal: AbortSignal) { const init: RequestInit = { method: 'GET', signal }; return fetch(url, init); }` },
    { code: `async function f(url: string, options?: { signal?: AbortSignal }) {\n  const init: RequestInit = { method: 'GET' };\n  if (options?.signal) init.signal = options.signal;\n  return fetch(url, init);\n}` },
    {
      code: `async function f(url: string, signal: AbortSignal) {\n  let cancelled = false;\n  signal.addEventListener('abort', () => { cancelled = true; }, { once: true });\n  const res = await fetch(url);\n  return cancelled ? undefined : res;\n}`,
      name: 'cancels through its own abort listener',
    },
    { code: `${helper}async function f(signal: AbortSignal) { return step(1, AbortSignal.any([signal])); }` },
    { code: `async function f(signal: AbortSignal) { signal.addEventListener('abort', () => {}, { once: true }); }` },
    { code: `${helper}async function f({ signal }: { signal: AbortSignal }) {\n  return step(2);\n}`, name: 'a function of its own that takes a signal: left to its author by default' },
    { code: `async function f(signal: AbortSignal) { const req = new Request('https://x', { signal }); return fetch(req); }`, name: 'a Request carries its own signal' },
  ],
  invalid: [
    {
      code: `export async function GET(request: Request) {\n  await new Promise((r) => setTimeout(r, 1000));\n  return fetch('https://x', { method: 'GET' });\n}`,
      errors: [
        { messageId: 'uncancellableSleep', data: { signal: 'request.signal', option: 'signal: request.signal' }, line: 2, column: 9 },
        {
          messageId: 'notPassed',
          data: { callee: 'fetch', signal: 'request.signal' },
          line: 3,
          column: 10,
          suggestions: [
            {
              messageId: 'passSignal',
              data: { signal: 'request.signal' },
              output: `export async function GET(request: Request) {\n  await new Promise((r) => setTimeout(r, 1000));\n  return fetch('https://x', { method: 'GET', signal: request.signal });\n}`,
            },
          ],
        },
      ],
    },
    {
      code: `async function f(url: string, signal: AbortSignal) {\n  return fetch(url);\n}`,
      errors: [
        {
          messageId: 'notPassed',
          data: { callee: 'fetch', signal: 'signal' },
          line: 2,
          column: 10,
          suggestions: [{ messageId: 'passSignal', data: { signal: 'signal' }, output: `async function f(url: string, signal: AbortSignal) {\n  return fetch(url, { signal });\n}` }],
        },
      ],
    },
    {
      code: `async function f(url: string, options: { signal?: AbortSignal }) {\n  return fetch(url, { method: 'POST' });\n}`,
      errors: [
        {
          messageId: 'notPassed',
          data: { callee: 'fetch', signal: 'options.signal' },
          line: 2,
          column: 10,
          suggestions: [
            {
              messageId: 'passSignal',
              data: { signal: 'options.signal' },
              output: `async function f(url: string, options: { signal?: AbortSignal }) {\n  return fetch(url, { method: 'POST', signal: options.signal });\n}`,
            },
          ],
        },
      ],
    },
    {
      // A function of its own that takes a signal: only with checkAllCallees (the strict config).
      code: `${helper}async function f({ signal }: { signal: AbortSignal }) {\n  return step(2);\n}`,
      options: [{ checkAllCallees: true }],
      errors: [
        {
          messageId: 'notPassed',
          data: { callee: 'step', signal: 'signal' },
          line: 3,
          column: 10,
          suggestions: [{ messageId: 'passSignal', data: { signal: 'signal' }, output: `${helper}async function f({ signal }: { signal: AbortSignal }) {\n  return step(2, signal);\n}` }],
        },
      ],
    },
    {
      code: `import { setTimeout as sleep } from 'node:timers/promises';\nasync function f(signal?: AbortSignal) {\n  await sleep(10);\n}`,
      errors: [
        {
          messageId: 'notPassed',
          data: { callee: 'sleep', signal: 'signal' },
          line: 3,
          column: 9,
          suggestions: [
            {
              messageId: 'passSignal',
              data: { signal: 'signal' },
              output: `import { setTimeout as sleep } from 'node:timers/promises';\nasync function f(signal?: AbortSignal) {\n  await sleep(10, undefined, { signal });\n}`,
            },
          ],
        },
      ],
    },
  ],
});
