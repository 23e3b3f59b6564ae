import { describe, expect, it } from 'vitest';
import plugin from '../../../eslint-plugin/src/index.js';
import rule from '../../../eslint-plugin/src/rules/unbounded-concurrency.js';
import { unboundedConcurrency } from '../src/unbounded-concurrency.js';
import { createRuleTester } from './rule-tester.js';
import { fixtureDiff, runInMemory } from './in-memory.js';

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
  ],
  invalid: [
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

describe('unbounded-concurrency: sizes fixed by the code', () => {
  const at = (code: string) => runInMemory(unboundedConcurrency, `${send}${code}`).map((r) => `${r.messageId}@${r.line}:${r.column}`);

  it('accepts a Set or array of literals, Object.keys of a literal object or an enum, a constant length, through consts and size-preserving methods', () => {
    expect(
      at(`const MODULES = new Set(['fs', 'os']);
const LIST = ['a', 'b'];
const ROUTES = { a: 1, b: 2 };
const N = 3;
enum E { A = 'a', B = 'b' }
export async function f() {
  await Promise.all([...MODULES].map(send));
  await Promise.all(Array.from(MODULES).map(async (m) => send(m)));
  await Promise.all([...MODULES.values()].map(send));
  await Promise.all(LIST.filter((x) => x !== 'a').map(send));
  await Promise.all([...LIST, 'c'].map(send));
  await Promise.all(LIST.concat(['c']).map(send));
  await Promise.all(Object.keys(ROUTES).map(send));
  await Promise.all(Object.entries({ ...ROUTES, c: 3 }).map(async ([k]) => send(k)));
  await Promise.all(Object.values(E).map(send));
  await Promise.all(Array.from({ length: N }, (_, i) => String(i)).map(send));
  await Promise.all(new Array(N).fill('x').map(send));
  await Promise.all(Array.of('a', 'b').map(send));
}`),
    ).toEqual([]);
  });

  it('reports the same shapes when the input decides the size', () => {
    expect(
      at(`export async function f(xs: string[], o: Record<string, number>, n: number, more: string[]) {
  await Promise.all([...new Set(xs)].map(send));
  await Promise.all(Object.keys(o).map(send));
  await Promise.all(Array.from({ length: n }, (_, i) => String(i)).map(send));
  await Promise.all(['a', ...more].map(send));
  await Promise.all(['a'].concat(more).map(send));
  let list = ['a'];
  list = xs;
  await Promise.all(list.map(send));
}`),
    ).toEqual(['unbounded@3:21', 'unbounded@4:21', 'unbounded@5:21', 'unbounded@6:21', 'unbounded@7:21', 'unbounded@10:21']);
  });

  it('is in the strict config only, not in recommended', () => {
    expect(plugin.configs.strict.rules?.['asyncsan/unbounded-concurrency']).toBe('warn');
    expect(plugin.configs.recommended.rules?.['asyncsan/unbounded-concurrency']).toBeUndefined();
  });

  it('matches the expect markers in fixtures/unbounded-concurrency exactly', () => {
    const { files, diff } = fixtureDiff(unboundedConcurrency);
    expect(files).toBeGreaterThan(3);
    expect(diff).toBe('');
  });
});
