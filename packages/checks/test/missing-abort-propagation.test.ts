import { describe, expect, it } from 'vitest';
import rule from '../../../eslint-plugin/src/rules/missing-abort-propagation.js';
import { missingAbortPropagation } from '../src/missing-abort-propagation.js';
import { createRuleTester } from './rule-tester.js';
import { fixtureDiff, runInMemory } from './in-memory.js';

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
    { code: `async function f(signal: AbortSignal) { const req = new Request('https://x', { signal }); return fetch(req); }`, name: 'a Request carries its own signal' },
  ],
  invalid: [
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
      code: `${helper}async function f({ signal }: { signal: AbortSignal }) {\n  return step(2);\n}`,
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

describe('missing-abort-propagation: a signal carried by a spread of its options', () => {
  const at = (code: string) => runInMemory(missingAbortPropagation, code).map((r) => `${r.messageId}@${r.line}:${r.column}`);
  const opts = `interface Opts { signal?: AbortSignal; task?: object; timeout?: number }
async function send(method: string, options?: Opts): Promise<string> { options?.signal?.throwIfAborted(); return method; }
`;

  it('accepts a local that spreads the options the signal came in ({ ...options, task }, { ...base, ...init }, ...(options ?? {}))', () => {
    expect(
      at(`${opts}export async function a(options?: Opts) {
  const withTask = { ...options, task: {} };
  return send('a', withTask);
}
export function b(base: RequestInit, f: typeof fetch) {
  return async (url: string, init?: RequestInit) => {
    const merged: RequestInit = { ...base, ...init, headers: init?.headers };
    return f(url, merged);
  };
}
export async function c(options: Opts) {
  const merged = { timeout: 5, ...(options ?? {}) };
  return send('c', merged);
}`),
    ).toEqual([]);
  });

  it('still reports a local that spreads something else', () => {
    expect(
      at(`${opts}export async function a(options?: Opts) {
  const copy = { ...options?.task, timeout: options?.timeout };
  return send('a', copy);
}
export function b(base: RequestInit, f: typeof fetch) {
  return async (url: string, init?: RequestInit) => {
    const merged: RequestInit = { ...base, headers: init?.headers };
    return f(url, merged);
  };
}`),
    ).toEqual(['notPassed@5:10', 'notPassed@10:12']);
  });

  it('matches the expect markers in fixtures/missing-abort-propagation exactly (per-file markers only)', () => {
    const { files, diff } = fixtureDiff(missingAbortPropagation);
    expect(files).toBeGreaterThan(3);
    expect(diff).toBe('');
  });
});
