import { describe, expect, it } from 'vitest';
import { lostUpdate } from '../src/lost-update.js';
import lostUpdateRule from '../../../eslint-plugin/src/rules/lost-update.js';
import { createRuleTester } from './rule-tester.js';
import { fixtureDiff, runInMemory } from './in-memory.js';

const run = (code: string, options?: Partial<typeof lostUpdate.defaultOptions>) => runInMemory(lostUpdate, code, options);

const at = (code: string) => run(code).map((r) => `${r.messageId}@${r.line}:${r.column}`);

describe('lost-update', () => {
  it('reports a field read before an await in the same expression', () => {
    const results = run(`class Account {
  balance = 0;
  async deposit(credit: () => Promise<number>) {
    this.balance = this.balance + await credit();
  }
}`);
    expect(results.map((r) => `${r.messageId}@${r.line}:${r.column}`)).toEqual(['staleWrite@4:5']);
    expect(results[0]!.message).toContain('this.balance is written from a value read before the await on line 4');
    expect(results[0]!.related.map((r) => `${r.label}@${r.line}:${r.column}`)).toEqual([
      'read before the await@4:20',
      'the await@4:35',
    ]);
  });

  it('reports a stale copy in a local written back after the await', () => {
    expect(
      at(`class Account {
  balance = 100;
  async withdraw(amount: number, audit: () => Promise<void>) {
    const before = this.balance;
    await audit();
    this.balance = before - amount;
  }
}`),
    ).toEqual(['staleWrite@6:5']);
  });

  it('reports a compound assignment with an await on the right', () => {
    const results = run(`let count = 0;
export async function tally(f: () => Promise<number>) {
  count += await f();
}`);
    expect(results.map((r) => `${r.messageId}@${r.line}:${r.column}`)).toEqual(['compoundAwait@3:3']);
    expect(results[0]!.message).toContain('`count += await …`');
  });

  it('reports a variable captured by concurrent callbacks', () => {
    expect(
      at(`export async function total(ids: string[], size: (id: string) => Promise<number>) {
  let sum = 0;
  await Promise.all(ids.map(async (id) => {
    sum += await size(id);
  }));
  return sum;
}`),
    ).toEqual(['compoundAwait@4:5']);
  });

  it('reports a stale value carried through a loop of awaits', () => {
    expect(
      at(`class Stats {
  total = 0;
  async addAll(xs: number[], save: (n: number) => Promise<void>) {
    let t = this.total;
    for (const x of xs) { t += x; await save(x); }
    this.total = t;
  }
}`),
    ).toEqual(['staleWrite@6:5']);
  });

  it('does not report locals, parameters or writes not derived from a pre-await read', () => {
    expect(
      at(`export async function f(obj: { bar: number; id: string }, get: (id: string) => Promise<{ bar: number }>) {
  let local = 1;
  local = local + (await get('x')).bar;
  const got = await get(obj.id);
  obj.bar = got.bar;
  return local;
}
class Holder {
  value = 0;
  async load(get: () => Promise<number>) { this.value = await get(); }
}`),
    ).toEqual([]);
  });

  it('does not report a re-read after the await', () => {
    expect(
      at(`class Cursor {
  offset = 0;
  async next(fetch: (from: number) => Promise<string[]>) {
    const rows = await fetch(this.offset);
    this.offset += rows.length;
    return rows;
  }
}
class Account {
  balance = 0;
  async deposit(credit: () => Promise<number>) {
    const amount = await credit();
    this.balance = this.balance + amount;
  }
  async checked(credit: () => Promise<number>) {
    const before = this.balance;
    const amount = await credit();
    if (this.balance !== before) throw new Error('changed concurrently');
    this.balance = before + amount;
  }
}`),
    ).toEqual([]);
  });

  it('does not report under runExclusive, between acquire and release, or under await using', () => {
    expect(
      at(`import { Mutex } from 'async-mutex';
class Account {
  balance = 0;
  private readonly mutex = new Mutex();
  async a(credit: () => Promise<number>) {
    await this.mutex.runExclusive(async () => { this.balance = this.balance + await credit(); });
  }
  async b(credit: () => Promise<number>) {
    const release = await this.mutex.acquire();
    try { this.balance = this.balance + await credit(); } finally { release(); }
  }
  async c(credit: () => Promise<number>, lock: () => Promise<AsyncDisposable>) {
    await using held = await lock();
    this.balance = this.balance + await credit();
  }
}`),
    ).toEqual([]);
  });

  it('treats user-named lock functions as critical sections (lockFunctions option)', () => {
    const code = `declare function withLock<T>(key: string, f: () => Promise<T>): Promise<T>;
let hits = 0;
export async function hit(f: () => Promise<number>) {
  await withLock('hits', async () => { hits = hits + await f(); });
}`;
    expect(at(code)).toEqual(['staleWrite@4:40']);
    expect(run(code, { lockFunctions: ['withLock'] })).toEqual([]);
  });

  it('does not report state owned by one task (a run-once IIFE, sequential awaited calls)', () => {
    expect(
      at(`export function start(load: () => Promise<number>) {
  let bar = 3;
  const task = async () => {
    bar = bar + await load();
  };
  task();
}
export async function sequential(files: string[], size: (f: string) => Promise<number>) {
  let total = 0;
  const add = async (f: string) => { total = total + await size(f); };
  for (const f of files) await add(f);
  return total;
}`),
    ).toEqual([]);
  });

  it('does not report per-run state declared one scope out and touched only by its task', () => {
    expect(
      at(`export function behavior(fetchPage: (prev: number) => Promise<number>, context: { run?: () => Promise<number> }) {
  let result = 0;
  const run = async () => {
    for (let i = 0; i < 3; i++) result = await fetchPage(result);
    return result;
  };
  context.run = run;
}`),
    ).toEqual([]);
  });

  it('still reports state of an object API whose methods can run concurrently', () => {
    expect(
      at(`export function counter(delta: () => Promise<number>) {
  let n = 0;
  return {
    async inc() { n = n + await delta(); },
  };
}`),
    ).toEqual(['staleWrite@4:19']);
  });

  it('does not report save/restore or sequential code without an await in between', () => {
    expect(
      at(`class Machine {
  state = 'idle';
  count = 0;
  async run(work: () => Promise<void>) {
    const previous = this.state;
    this.state = 'busy';
    try { await work(); } finally { this.state = previous; }
    const c = this.count;
    this.count = c + 1;
    await work();
  }
}`),
    ).toEqual([]);
  });

  it('matches the expect markers in fixtures/lost-update exactly', () => {
    const { files, diff } = fixtureDiff(lostUpdate);
    expect(files).toBeGreaterThan(1);
    expect(diff).toBe('');
  });
});

createRuleTester().run('lost-update (ESLint rule)', lostUpdateRule, {
  valid: [
    { code: 'export async function f(get: () => Promise<number>) {\n  let n = 0;\n  n = n + (await get());\n  return n;\n}' },
    {
      code: 'declare function withLock(f: () => Promise<void>): Promise<void>;\nlet hits = 0;\nexport async function hit(f: () => Promise<number>) {\n  await withLock(async () => { hits = hits + (await f()); });\n}',
      options: [{ lockFunctions: ['withLock'] }],
    },
  ],
  invalid: [
    {
      code: 'let count = 0;\nexport async function tally(f: () => Promise<number>) {\n  count += await f();\n}',
      errors: [{ messageId: 'compoundAwait', line: 3, column: 3, endLine: 3, endColumn: 21 }],
    },
    {
      code: 'export class Account {\n  balance = 0;\n  async pay(amount: number, audit: () => Promise<void>) {\n    const before = this.balance;\n    await audit();\n    this.balance = before - amount;\n  }\n}',
      errors: [{ messageId: 'staleWrite', line: 6, column: 5 }],
    },
  ],
});
