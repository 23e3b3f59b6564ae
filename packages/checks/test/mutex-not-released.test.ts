import { describe, expect, it } from 'vitest';
import { mutexNotReleased } from '../src/mutex-not-released.js';
import { fixtureDiff, runInMemory } from './in-memory.js';

const run = (code: string, options?: Partial<typeof mutexNotReleased.defaultOptions>) => runInMemory(mutexNotReleased, code, options);

const at = (code: string) => run(code).map((r) => `${r.messageId}@${r.line - 4}:${r.column}`);

const prelude = `import { Mutex, Semaphore } from 'async-mutex';
const mutex = new Mutex();
const sem = new Semaphore(2);
declare function work(): Promise<void>;
`;
// Line numbers in the cases below count from the line after the prelude (prelude is 4 lines).
const P = 4;

describe('mutex-not-released', () => {
  it('reports a releaser called outside finally', () => {
    const results = run(`${prelude}export async function f() {
  const release = await mutex.acquire();
  await work();
  release();
}`);
    expect(results.map((r) => `${r.messageId}@${r.line - P}:${r.column}`)).toEqual(['notInFinally@2:19']);
    expect(results[0]!.message).toContain('mutex is acquired here but not released in a finally block');
    expect(results[0]!.message).toContain('try { … } finally { release() }');
  });

  it('reports an acquire that is never released', () => {
    const results = run(`${prelude}export async function f() {
  await mutex.acquire();
  await work();
}`);
    expect(results.map((r) => `${r.messageId}@${r.line - P}:${r.column}`)).toEqual(['neverReleased@2:3']);
    expect(results[0]!.message).toContain('mutex.release()');
  });

  it('reports a semaphore releaser and a try that starts after an await', () => {
    const results = run(`${prelude}export async function f() {
  const [, release] = await sem.acquire();
  await work();
  try {
    await work();
  } finally {
    release();
  }
}`);
    expect(results.map((r) => `${r.messageId}@${r.line - P}:${r.column}`)).toEqual(['notInFinally@2:23']);
  });

  it('accepts release in finally, runExclusive, and acquire inside the try', () => {
    expect(
      at(`${prelude}export async function a() {
  const release = await mutex.acquire();
  try { await work(); } finally { release(); }
}
export async function b() {
  await mutex.runExclusive(() => work());
}
export async function c() {
  let release: (() => void) | undefined;
  try {
    release = await mutex.acquire();
    await work();
  } finally {
    release?.();
  }
}
export async function d() {
  await mutex.acquire();
  try { await work(); } finally { mutex.release(); }
}
export async function e() {
  const [, release] = await sem.acquire();
  const started = Date.now();
  try { await work(); } finally { release(); void started; }
}`),
    ).toEqual([]);
  });

  it('accepts a releaser handed to the caller or stored, and await using', () => {
    expect(
      at(`${prelude}export async function lock() {
  const release = await mutex.acquire();
  return release;
}
class Holder {
  private release?: () => void;
  async hold() { this.release = await mutex.acquire(); }
}
declare const locks: { acquire(): Promise<AsyncDisposable>; release(): void };
export async function scoped() {
  await using held = await locks.acquire();
  await work();
}`),
    ).toEqual([]);
  });

  it('recognises lock shapes by type, not by name', () => {
    expect(
      at(`${prelude}declare const pool: { acquire(): Promise<object>; destroy(o: object): void };
export async function notALock() {
  const conn = await pool.acquire();
  void conn;
}
declare const customLock: { acquire(): Promise<() => void>; release(): void };
export async function custom() {
  const done = await customLock.acquire();
  await work();
  done();
}`),
    ).toEqual(['notInFinally@8:16']);
  });

  it('takes extra acquire method names (acquireMethods option)', () => {
    const code = `${prelude}declare const rw: { lock(): Promise<() => void>; unlock(): void };
export async function f() {
  const unlock = await rw.lock();
  await work();
  unlock();
}`;
    expect(at(code)).toEqual([]);
    expect(run(code, { acquireMethods: ['lock'] }).map((r) => `${r.messageId}@${r.line - P}:${r.column}`)).toEqual(['notInFinally@3:18']);
  });

  it('matches the expect markers in fixtures/mutex-not-released exactly', () => {
    const { files, diff } = fixtureDiff(mutexNotReleased);
    expect(files).toBeGreaterThan(1);
    expect(diff).toBe('');
  });
});

