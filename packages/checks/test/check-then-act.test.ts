import { describe, expect, it } from 'vitest';
import { checkThenAct } from '../src/check-then-act.js';
import checkThenActRule from '../../../eslint-plugin/src/rules/check-then-act.js';
import { createRuleTester } from './rule-tester.js';
import { fixtureDiff, runInMemory } from './in-memory.js';

const run = (code: string, options?: Partial<typeof checkThenAct.defaultOptions>) => runInMemory(checkThenAct, code, options);

const at = (code: string) => run(code).map((r) => `${r.messageId}@${r.line}:${r.column}`);

describe('check-then-act', () => {
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

  it('matches the expect markers in fixtures/check-then-act exactly', () => {
    const { files, diff } = fixtureDiff(checkThenAct);
    expect(files).toBeGreaterThan(1);
    expect(diff).toBe('');
  });
});

createRuleTester().run('check-then-act (ESLint rule)', checkThenActRule, {
  valid: [
    { code: 'const cache = new Map<string, Promise<number>>();\nexport function get(k: string, load: (k: string) => Promise<number>) {\n  if (!cache.has(k)) cache.set(k, load(k));\n  return cache.get(k)!;\n}' },
  ],
  invalid: [
    {
      code: 'let cached: string | undefined;\nexport async function config(load: () => Promise<string>) {\n  if (!cached) {\n    cached = await load();\n  }\n  return cached;\n}',
      errors: [{ messageId: 'staleCheck', line: 4, column: 5, endLine: 4, endColumn: 26 }],
    },
  ],
});
