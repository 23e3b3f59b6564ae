/**
 * The leaked-listener ESLint rule through typescript-eslint's RuleTester (type-aware, on
 * tests/project). The check's own tests, on code strings and on fixtures/leaked-listener/,
 * are in packages/checks/test/leaked-listener.test.ts.
 */
import leakedListenerRule from '../../src/rules/leaked-listener.js';
import { createRuleTester } from '../rule-tester.js';

createRuleTester().run('leaked-listener (ESLint rule)', leakedListenerRule, {
  valid: [
    { code: "export function f(signal: AbortSignal, stop: () => void) {\n  signal.addEventListener('abort', stop, { once: true });\n}" },
    {
      code: "export async function f(signal: AbortSignal, w: () => Promise<void>) {\n  const stop = () => {};\n  signal.addEventListener('abort', stop, { once: true });\n  try { await w(); } finally { signal.removeEventListener('abort', stop); }\n}",
    },
  ],
  invalid: [
    {
      code: "export async function f(signal: AbortSignal, w: () => Promise<void>) {\n  signal.addEventListener('abort', () => {}, { once: true });\n  await w();\n}",
      errors: [{ messageId: 'onceAbortListener', data: { target: 'signal', how: 'returns' }, line: 2, column: 3, endLine: 2, endColumn: 61 }],
    },
    {
      code: "export function f(signal: AbortSignal, start: (cb: (e?: Error) => void) => void) {\n  return new Promise<void>((resolve, reject) => {\n    const onAbort = () => reject(signal.reason);\n    signal.addEventListener('abort', onAbort);\n    start((e) => { if (e) { signal.removeEventListener('abort', onAbort); reject(e); } else resolve(); });\n  });\n}",
      errors: [{ messageId: 'abortListenerPath', data: { target: 'signal', how: 'resolves' }, line: 4, column: 5 }],
    },
    {
      code: "export async function f(signal: AbortSignal, w: () => Promise<void>) {\n  signal.addEventListener('abort', () => {});\n  await w();\n}",
      errors: [{ messageId: 'abortListener', line: 2, column: 3, endLine: 2, endColumn: 45 }],
    },
  ],
});
