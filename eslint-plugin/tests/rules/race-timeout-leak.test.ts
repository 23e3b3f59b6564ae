/**
 * The race-timeout-leak ESLint rule through typescript-eslint's RuleTester (type-aware, on
 * tests/project). The check's own tests, on code strings and on fixtures/race-timeout-leak/,
 * are in packages/checks/test/race-timeout-leak.test.ts.
 */
import rule from '../../src/rules/race-timeout-leak.js';
import { createRuleTester } from '../rule-tester.js';

const work = `async function work(): Promise<number> { return 1; }\n`;

createRuleTester().run('race-timeout-leak', rule, {
  valid: [
    { code: `${work}async function f() { return Promise.race([work(), work()]); }` },
    {
      code: `${work}async function f() {\n  let t: ReturnType<typeof setTimeout> | undefined;\n  try {\n    return await Promise.race([work(), new Promise<never>((_, r) => { t = setTimeout(r, 10); })]);\n  } finally {\n    clearTimeout(t);\n  }\n}`,
    },
    {
      code: `${work}async function f() {\n  let t: ReturnType<typeof setTimeout> | undefined;\n  return Promise.race([work(), new Promise<never>((_, r) => { t = setTimeout(r, 10); })]).finally(() => clearTimeout(t));\n}`,
    },
    { code: `import { setTimeout as sleep } from 'node:timers/promises';\n${work}async function f(signal: AbortSignal) { return Promise.race([work(), sleep(10, 0, { signal })]); }` },
    // The executor clears the timer when the signal aborts: cancelled like timers/promises' setTimeout with a signal.
    {
      code: `${work}async function f(signal: AbortSignal) {\n  return Promise.race([work(), new Promise<never>((_, r) => {\n    const t = setTimeout(r, 10);\n    signal.addEventListener('abort', () => clearTimeout(t), { once: true });\n  })]);\n}`,
    },
  ],
  invalid: [
    // The 'abort' listener settles the promise but leaves the timer armed.
    {
      code: `${work}async function f(signal: AbortSignal) {\n  return Promise.race([work(), new Promise<never>((_, r) => {\n    const t = setTimeout(r, 10);\n    signal.addEventListener('abort', () => r(t), { once: true });\n  })]);\n}`,
      errors: [{ messageId: 'timerNotCleared', data: { method: 'race' }, line: 3, column: 32 }],
    },
    {
      code: `${work}async function f() {\n  return Promise.race([work(), new Promise<never>((_, r) => setTimeout(r, 10))]);\n}`,
      errors: [{ messageId: 'timerNotCleared', data: { method: 'race' }, line: 3, column: 32 }],
    },
    {
      code: `${work}const timeout = (ms: number) => new Promise<never>((_, r) => setTimeout(r, ms));\nasync function f() {\n  return Promise.any([work(), timeout(10)]);\n}`,
      errors: [{ messageId: 'timerNotCleared', data: { method: 'any' }, line: 4, column: 31 }],
    },
    {
      code: `${work}async function f() {\n  let t: ReturnType<typeof setTimeout> | undefined;\n  const v = await Promise.race([work(), new Promise<never>((_, r) => { t = setTimeout(r, 10); })]);\n  clearTimeout(t);\n  return v;\n}`,
      errors: [{ messageId: 'handleNotClearedInFinally', data: { name: 't' }, line: 4, column: 41 }],
    },
    {
      code: `${work}async function f() {\n  const deadline = new Promise<never>((_, r) => setTimeout(r, 10));\n  return Promise.race([work(), deadline]);\n}`,
      errors: [{ messageId: 'timerNotCleared', data: { method: 'race' }, line: 4, column: 32 }],
    },
    {
      code: `import { setTimeout as sleep } from 'node:timers/promises';\n${work}async function f() {\n  return Promise.race([work(), sleep(10).then(() => { throw new Error('slow'); })]);\n}`,
      errors: [{ messageId: 'timerNotCleared', data: { method: 'race' }, line: 4, column: 32 }],
    },
  ],
});
