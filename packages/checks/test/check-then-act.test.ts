import { describe, expect, it } from 'vitest';
import { checkThenAct } from '../src/check-then-act.js';
import { fixtureDiff, runInMemory, runOnFixture } from './in-memory.js';
import { CHECK_THEN_ACT_GEN } from '@asyncsan/test-harness/effect-stand-ins';

const run = (code: string, options?: Partial<typeof checkThenAct.defaultOptions>) => runInMemory(checkThenAct, code, options);

const at = (code: string) => run(code).map((r) => `${r.messageId}@${r.line}:${r.column}`);

const GEN = CHECK_THEN_ACT_GEN;
const atGen = (code: string) => {
  const offset = GEN.split('\n').length - 1;
  return run(GEN + code).map((r) => `${r.messageId}@${r.line - offset}:${r.column}`);
};

describe('check-then-act', () => {
  it('does not report state of a per-call object whose async method that call awaits once, and does when the object escapes or the method runs twice', () => {
    const make = (use: string) => `const run = <T>(f: () => T): T => f();
declare function load(k: string): Promise<string>;
declare function keep(x: unknown): void;
export async function handle(k: string) {
  const m = run(() => {
    let result: string | undefined;
    return {
      create: async (key: string) => {
        if (result) throw new Error('once');
        result = await load(key);
      },
      value: () => result,
    };
  });
${use}
  return m.value();
}`;
    expect(at(make('  await m.create(k);'))).toEqual([]);
    expect(at(make('  keep(m);\n  await m.create(k);'))).toEqual(['staleCheck@10:9']);
    expect(at(make('  await Promise.all([m.create(k), m.create(k + 1)]);'))).toEqual(['staleCheck@10:9']);
    expect(at(make('  for (const x of [k]) await m.create(x);'))).toEqual(['staleCheck@10:9']);
  });

  it('reports a cache fill after an await inside the negative check', () => {
    const results = run(`class Cache {
  private readonly entries = new Map<string, string>();
  async get(key: string, load: (k: string) => Promise<string>) {
    if (!this.entries.has(key)) {
      const value = await load(key);
      this.entries.set(key, value);
    }
    return this.entries.get(key);
  }
}`);
    expect(results.map((r) => `${r.messageId}@${r.line}:${r.column}`)).toEqual(['staleCheck@6:7']);
    expect(results[0]!.message).toContain('this.entries is checked on line 4, then the task awaits (line 5)');
    expect(results[0]!.message).toContain('Cache the promise');
    expect(results[0]!.related.map((r) => `${r.label}@${r.line}:${r.column}`)).toEqual(['checked here@4:9', 'the await@5:21']);
  });

  it('reports a module-level lazy value assigned from an await', () => {
    expect(
      at(`let cached: string | undefined;
export async function config(load: () => Promise<string>) {
  if (!cached) {
    cached = await load();
  }
  return cached;
}`),
    ).toEqual(['staleCheck@4:5']);
  });

  it('reports a state check whose transition happens only after the await', () => {
    expect(
      at(`class Conn {
  state: 'idle' | 'open' = 'idle';
  async open(connect: () => Promise<void>) {
    if (this.state === 'idle') {
      await connect();
      this.state = 'open';
    }
  }
}`),
    ).toEqual(['staleCheck@6:7']);
  });

  it('reports after an early return and through a local copy of the check', () => {
    expect(
      at(`const sessions = new Map<string, object>();
export async function session(id: string, create: () => Promise<object>) {
  const existing = sessions.get(id);
  if (existing) return existing;
  const made = await create();
  sessions.set(id, made);
  return made;
}`),
    ).toEqual(['staleCheck@6:3']);
  });

  it('does not report the re-check idiom', () => {
    expect(
      at(`const cache = new Map<string, number>();
export async function get(k: string, load: (k: string) => Promise<number>) {
  if (!cache.has(k)) {
    const v = await load(k);
    if (!cache.has(k)) cache.set(k, v);
  }
  return cache.get(k);
}
let i = 0;
export async function reset(g: () => Promise<void>) {
  if (i) {
    await g();
    if (i) {
      i = 2;
    }
  }
}`),
    ).toEqual([]);
  });

  it('does not report caching the promise or claiming the state before the await', () => {
    expect(
      at(`class Loader {
  private readonly pending = new Map<string, Promise<number>>();
  private state: 'idle' | 'loading' | 'ready' = 'idle';
  async get(k: string, load: (k: string) => Promise<number>) {
    if (!this.pending.has(k)) this.pending.set(k, load(k));
    return await this.pending.get(k)!;
  }
  async start(load: () => Promise<void>) {
    if (this.state !== 'idle') return;
    this.state = 'loading';
    await load();
    this.state = 'ready';
  }
}`),
    ).toEqual([]);
  });

  it('does not report a single-flight promise awaited by every caller', () => {
    expect(
      at(`export function memo<T>(fn: () => Promise<T>) {
  let promise: Promise<T> | null = null;
  let value: T | undefined;
  return {
    read: async (): Promise<T> => {
      if (value !== undefined) return value;
      promise ??= fn();
      value = await promise;
      promise = null;
      return value;
    },
  };
}`),
    ).toEqual([]);
  });

  it('does not report under runExclusive or between acquire and release', () => {
    expect(
      at(`import { Mutex } from 'async-mutex';
const cache = new Map<string, number>();
const mutex = new Mutex();
export async function a(k: string, load: (k: string) => Promise<number>) {
  return mutex.runExclusive(async () => {
    if (!cache.has(k)) cache.set(k, await load(k));
    return cache.get(k);
  });
}
export async function b(k: string, load: (k: string) => Promise<number>) {
  const release = await mutex.acquire();
  try {
    if (!cache.has(k)) cache.set(k, await load(k));
  } finally {
    release();
  }
}`),
    ).toEqual([]);
  });

  it('does not report locals, or removals and resets after the await', () => {
    expect(
      at(`export async function f(load: () => Promise<number>) {
  const seen = new Set<number>();
  if (!seen.has(1)) { seen.add(await load()); }
}
class Server {
  private running = true;
  async stop(close: () => Promise<void>) {
    if (!this.running) return;
    await close();
    this.running = false;
  }
}
class Pool {
  private readonly idle = new Set<object>();
  async drop(conn: object, close: (c: object) => Promise<void>) {
    if (this.idle.has(conn)) { await close(conn); this.idle.delete(conn); }
  }
}`),
    ).toEqual([]);
  });

  it('treats user-named lock functions as critical sections (lockFunctions option)', () => {
    const code = `declare function withLock<T>(f: () => Promise<T>): Promise<T>;
let token: string | undefined;
export function refresh(fetchToken: () => Promise<string>) {
  return withLock(async () => {
    if (!token) token = await fetchToken();
    return token;
  });
}`;
    expect(at(code)).toEqual(['staleCheck@5:17']);
    expect(run(code, { lockFunctions: ['withLock'] })).toEqual([]);
  });

  it('treats a yield* in a coroutine generator as an await, with wording for fibers', () => {
    const offset = GEN.split('\n').length - 1;
    const results = run(
      GEN +
        `const cache = new Map<string, string>();
export const get = fn(function* (k: string) {
  if (!cache.has(k)) {
    const v = yield* load(k);
    cache.set(k, v);
  }
  return cache.get(k)!;
});
export const local = gen(function* () {
  const seen = new Map<string, string>();
  if (!seen.has('a')) seen.set('a', yield* load('a'));
  return seen;
});`,
    );
    expect(results.map((r) => `${r.messageId}@${r.line - offset}:${r.column}`)).toEqual(['staleCheck@5:5']);
    expect(results[0]!.message).toContain(`cache is checked on line ${offset + 3}, then the task suspends at yield* (line ${offset + 4})`);
    expect(results[0]!.message).toContain('hold a semaphore permit around the check and the act');
    expect(results[0]!.related.map((r) => `${r.label}@${r.line - offset}`)).toEqual(['checked here@3', 'the yield*@4']);
  });

  it('does not take functions of a module namespace (`TxRef.set(ref, v)`) for state', () => {
    // A namespace object from an import, and a plain object that only looks like one.
    const code = (binding: string) => `${binding}
declare const ref: object;
export const bump = gen(function* () {
  if (!Tx.has(ref)) {
    yield* sleep(1);
    Tx.set(ref, 1);
  }
});`;
    expect(atGen(code("import * as Tx from './tx.js';\ndeclare module './tx.js' { export function has(r: object): boolean; export function set(r: object, v: number): void; }"))).toEqual([]);
    expect(atGen(code('declare const Tx: Map<object, number>;'))).toEqual(['staleCheck@6:5']);
  });

  it('takes `x ??= v` after the yield as its own re-check', () => {
    const code = (assign: string) => `export const client = gen(function* () {
  let failed: Error | undefined;
  const post = fn(function* () {
    if (failed !== undefined) return failed;
    yield* sleep(1);
    failed ${assign} new Error('gone');
    return failed;
  });
  return { post, fail: () => { failed = new Error('closed'); } };
});`;
    expect(atGen(code('??='))).toEqual([]);
    expect(atGen(code('='))).toEqual(['staleCheck@6:5']);
  });

  it('does not count an await or yield on a branch that returns, or on the other side of the if', () => {
    expect(
      at(`const replies = new Map<string, Promise<string> | string>();
export async function reply(id: string, compute: (id: string) => Promise<string>) {
  const known = replies.get(id);
  if (known !== undefined) {
    return await known;
  } else {
    replies.set(id, compute(id));
  }
  return replies.get(id);
}
const flags = new Map<string, boolean>();
export async function flag(id: string, wait: () => Promise<void>) {
  if (!flags.has(id)) {
    if (id === 'x') { await wait(); return; }
    flags.set(id, true);
  }
}`),
    ).toEqual([]);
    expect(
      at(`const flags = new Map<string, boolean>();
export async function flag(id: string, wait: () => Promise<void>) {
  if (!flags.has(id)) {
    if (id === 'x') { await wait(); }
    flags.set(id, true);
  }
}`),
    ).toEqual(['staleCheck@5:5']);
  });

  it('does not report state touched only by callbacks run one at a time in one fiber; does with concurrency', () => {
    const code = (options: string) => `export const retrying = (make: Eff<(n: number) => Eff<number>>) => gen(function* () {
  let step: ((n: number) => Eff<number>) | undefined;
  const reset = onStart(sleep(0), () => { step = undefined; });
  yield* loop(() => gen(function* () {
    yield* reset;
    if (!step) {
      step = yield* make;
    }
    return true;
  }));
  yield* all([1, 2].map(() => gen(function* () { if (!step) { step = yield* make; } })${options});
});`;
    expect(atGen(code(''))).toEqual([]);
    // Once fibers started together touch it, the retry loop's check is racy too.
    expect(atGen(code(', { concurrency: 2 }'))).toEqual(['staleCheck@7:7', 'staleCheck@11:63']);
  });

  it("re-reads a loop's condition after the await in its body", () => {
    const code = (cond: string) => `export class Fifo {
  private readonly queue: number[] = [];
  private waiting = 0;
  async fetch(wait: () => Promise<void>) {
    if (this.queue.length === 0 && this.waiting > 10) return undefined;
    while (${cond}) {
      await wait();
    }
    return this.queue.shift();
  }
}`;
    expect(at(code('this.queue.length === 0'))).toEqual([]);
    expect(at(code('Math.random() < 0.5'))).toEqual(['staleCheck@9:12']);
  });

  it('takes a write to any location the check reads, before the await, as the claim', () => {
    const code = (claim: string) => `export class Conn {
  private destroying = false;
  private status = 'open';
  private log: string[] = [];
  async quit(close: () => Promise<void>) {
    if (this.destroying || this.status === 'end') return;
    ${claim}
    await close();
    this.status = 'end';
  }
}`;
    expect(at(code('this.destroying = true;'))).toEqual([]);
    expect(at(code("this.log.push('quit');"))).toEqual(['staleCheck@9:5']);
  });

  it('does not count a yield* that forks a fiber: it returns the handle without waiting', () => {
    const code = (wait: string) => `declare const Effect: { forkIn<A>(e: Eff<A>, scope: object): Eff<object> };
declare const scope: object;
const pumps = new Map<string, object>();
export const pumpFor = (id: string) => gen(function* () {
  let entry = pumps.get(id);
  if (!entry) {
    entry = ${wait};
    pumps.set(id, entry);
  }
  return entry;
});`;
    expect(atGen(code('yield* Effect.forkIn(sleep(1), scope)'))).toEqual([]);
    expect(atGen(code('(yield* sleep(1), {})'))).toEqual(['staleCheck@8:5']);
  });

  it('matches the expect markers in fixtures/check-then-act exactly', () => {
    const { files, diff } = fixtureDiff(checkThenAct);
    expect(files).toBeGreaterThan(1);
    expect(diff).toBe('');
  });
});


describe('check-then-act: one check, several acts', () => {
  it('reports the first stale act once and names the others it guards', () => {
    const results = runOnFixture(checkThenAct, 'check-then-act/bad-one-check-many-acts.ts');
    expect(results.map((r) => `${r.line}: ${r.related.map((x) => `${x.label}@${x.line}`).join(' | ')}`)).toEqual([
      '12: checked here@9 | the await@11 | also acts on this.pxatSupported here@14',
    ]);
  });
});
