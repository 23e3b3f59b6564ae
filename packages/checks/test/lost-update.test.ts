import { describe, expect, it } from 'vitest';
import { lostUpdate } from '../src/lost-update.js';
import { fixtureDiff, runInMemory } from './in-memory.js';
import { LOST_UPDATE_GEN } from '@asyncsan/test-harness/effect-stand-ins';

const run = (code: string, options?: Partial<typeof lostUpdate.defaultOptions>) => runInMemory(lostUpdate, code, options);

const at = (code: string) => run(code).map((r) => `${r.messageId}@${r.line}:${r.column}`);

const GEN = LOST_UPDATE_GEN;
/** Findings on a snippet appended to the GEN prelude, with line numbers relative to the snippet. */
const atGen = (code: string) => {
  const offset = GEN.split('\n').length - 1;
  return run(GEN + code).map((r) => `${r.messageId}@${r.line - offset}:${r.column}`);
};

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

  it('tells a logical assignment around a wait to share the pending promise, not to wait first', () => {
    const results = run(`interface Lease { release(): void }
declare function acquireLease(): Promise<Lease>;
export class Sentinel {
  #master: Lease | undefined;
  async use(): Promise<Lease> {
    this.#master ??= await acquireLease();
    return this.#master;
  }
}`);
    expect(results.map((r) => `${r.messageId}@${r.line}:${r.column}`)).toEqual(['logicalAwait@6:5']);
    expect(results[0]!.message).toBe(
      '`this.#master ??= await …` checks this.#master before the await and writes it after: tasks that all find it unset each run the call, and the last write replaces what the others got (a second connection or lease nobody releases). Share one run: keep the pending promise rather than its value (`pending ??= call(); value = await pending`), or hold a lock over the check and the write. Waiting first (`const v = await …; this.#master ??= v`) still leaves each extra result unreleased.',
    );
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

  it('treats a yield* in a coroutine generator as an await: module, instance and service state', () => {
    const offset = GEN.split('\n').length - 1;
    const results = run(
      GEN +
        `let hits = 0;
export const hit = gen(function* () {
  const seen = hits;
  yield* sleep(1);
  hits = seen + 1;
});
export class Meter {
  total = 0;
  add(n: Eff<number>) {
    return gen(this, function* () { this.total = this.total + (yield* n); });
  }
}
export const service = gen(function* () {
  let token: number | undefined;
  const auth = fn(function* () { token ??= yield* load('t'); return token; });
  const reset = () => { token = undefined; };
  return { auth, reset };
});`,
    );
    expect(results.map((r) => `${r.messageId}@${r.line - offset}:${r.column}`)).toEqual(['staleWrite@5:3', 'staleWrite@10:37', 'compoundAwait@15:34']);
    expect(results[0]!.message).toContain(`hits is written from a value read before the yield* on line ${offset + 4}`);
    expect(results[0]!.message).toContain('a semaphore permit around the whole effect');
    expect(results[0]!.related.map((r) => `${r.label}@${r.line - offset}`)).toEqual(['read before the yield*@3', 'the yield*@4']);
    expect(results[2]!.message).toContain('`token ??= yield* …` reads token before the yield*');
  });

  it("does not report a generator's own locals, nor a generator that is called where it is written (an iterator)", () => {
    expect(
      atGen(`export const f = gen(function* () {
  let n = 0;
  const before = n;
  yield* sleep(1);
  n = before + 1;
  const options = { tries: 0 };
  options.tries = options.tries + (yield* load('x'));
  return n + options.tries;
});
let cursor = 0;
export function* ids() {
  const c = cursor;
  yield c;
  cursor = c + 1;
}`),
    ).toEqual([]);
  });

  it('does not report per-run state of one fiber: a pull, a fold with a piped stage, a helper only the generator calls', () => {
    expect(
      atGen(`export const pull = (up: Eff<number>) => {
  let seen = 0;
  return gen(function* () { seen = seen + (yield* up); return seen; });
};
export const fold = (up: Eff<number>) => {
  let total = 0;
  return gen(function* () { total = total + (yield* up); }).pipe((e) => onStart(e, () => console.log(total)));
};
export const enc = (up: Eff<number>) => {
  let index = 0;
  const peek = () => index + 1;
  return gen(function* () { const i = index; peek(); yield* up; index = i + 1; });
};`),
    ).toEqual([]);
  });

  it('reports the same state once something else can touch it while the fiber waits', () => {
    expect(
      atGen(`export const pull = (up: Eff<number>) => {
  let seen = 0;
  const g = gen(function* () { seen = seen + (yield* up); return seen; });
  return { g, reset: () => { seen = 0; } };
};
export const enc = (up: Eff<number>) => {
  let index = 0;
  const peek = () => index + 1;
  const e = gen(function* () { const i = index; peek(); yield* up; index = i + 1; });
  return { e, peek };
};`),
    ).toEqual(['staleWrite@3:32', 'staleWrite@9:68']);
  });

  it('reports fibers started with concurrency on a local of the outer fiber, not fibers run one at a time', () => {
    const code = (options: string) => `export const all = (xs: string[]) => gen(function* () {
  let n = 0;
  yield* forEach(xs, (x) => gen(function* () { n = n + (yield* load(x)); })${options});
  return n;
});`;
    expect(atGen(code(', { concurrency: 4 }'))).toEqual(['staleWrite@3:48']);
    expect(atGen(code(''))).toEqual([]);
    expect(atGen(code(', { concurrency: 1 }'))).toEqual([]);
  });

  it('does not report a coroutine whose whole run holds a semaphore permit', () => {
    const code = (stages: string) => `let clock = 0;
export const advance = fn(function* (by: Eff<number>) {
  const start = clock;
  clock = start + (yield* by);
}${stages});
export const viaPipe = gen(function* () { const c = clock; clock = c + (yield* load('x')); }).pipe(sem.withPermits(1));
export const wrapped = sem.withPermits(1)(gen(function* () { const c = clock; clock = c + (yield* load('y')); }));`;
    expect(atGen(code(''))).toEqual(['staleWrite@4:3']);
    expect(atGen(code(', sem.withPermits(1)'))).toEqual([]);
  });

  it('does not report a plain restore of a saved value, but does a value computed from it', () => {
    const code = (value: string) => `export class Sampler {
  remaining = 10;
  async sample(attempt: (s: Sampler) => Promise<boolean>) {
    const budget = this.remaining;
    if (await attempt(this)) return;
    this.remaining = ${value};
  }
}`;
    expect(at(code('budget'))).toEqual([]);
    expect(at(code('budget - 1'))).toEqual(['staleWrite@6:5']);
  });

  it('follows `const self = this` to the instance', () => {
    expect(
      atGen(`export class Gauge {
  level = 0;
  raise(by: Eff<number>) {
    const self = this;
    return gen(function* () { const before = self.level; self.level = before + (yield* by); });
  }
}`),
    ).toEqual(['staleWrite@5:58']);
  });

  it('reports a named async worker that runs many times at once, not one awaited call by call', () => {
    const code = (runIt: string) => `export async function saveAll(rows: string[], insert: (r: string) => Promise<number>, log: (n: number) => void) {
  let saved = 0;
  const save = async (row: string) => {
    saved = saved + (await insert(row));
    log(saved);
  };
  ${runIt}
}`;
    expect(at(code('await Promise.all(rows.map(save));'))).toEqual(['staleWrite@4:5']);
    expect(at(code('await Promise.all(rows.map((r) => save(r)));'))).toEqual(['staleWrite@4:5']);
    expect(at(code('for (const r of rows) await save(r);'))).toEqual([]);
  });

  it('takes a busy flag checked, set and cleared in finally as a lock; not one that is never cleared', () => {
    const code = (clear: string) => `export class Poller {
  private polling = false;
  seen = 0;
  async tick(poll: () => Promise<number>) {
    if (this.polling) return;
    this.polling = true;
    try {
      const before = this.seen;
      this.seen = before + (await poll());
    } finally {
      ${clear}
    }
  }
}`;
    expect(at(code('this.polling = false;'))).toEqual([]);
    expect(at(code('console.log("done");'))).toEqual(['staleWrite@9:7']);
  });

  it('takes a busy flag around an async IIFE, cleared by .finally, as a lock', () => {
    const code = (tail: string) => `export function scanAll(scan: (c: string) => Promise<string>, onRead: (f: () => void) => void) {
  let cursor = '0';
  let running = false;
  onRead(() => {
    if (running) return;
    running = true;
    (async () => {
      cursor = await scan(cursor);
    })()${tail};
  });
}`;
    expect(at(code('.finally(() => { running = false; })'))).toEqual([]);
    expect(at(code('.catch(() => undefined)'))).toEqual(['staleWrite@8:7']);
  });

  it("does not report a stream's read() state: Node calls it one at a time", () => {
    const code = (ctor: string) => `import { Readable } from 'node:stream';
declare function makeSource(o: object): unknown;
export function keys(scan: (c: string) => Promise<string>) {
  let cursor = '0';
  return ${ctor}({
    async read() {
      cursor = await scan(cursor);
    },
  });
}`;
    expect(at(code('new Readable'))).toEqual([]);
    expect(at(code('makeSource'))).toEqual(['staleWrite@7:7']);
  });

  it('matches the expect markers in fixtures/lost-update exactly', () => {
    const { files, diff } = fixtureDiff(lostUpdate);
    expect(files).toBeGreaterThan(1);
    expect(diff).toBe('');
  });
});

