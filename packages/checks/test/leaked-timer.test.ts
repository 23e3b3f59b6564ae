import { describe, expect, it } from 'vitest';
import { leakedTimer } from '../src/leaked-timer.js';
import { fixtureDiff, runInMemory, runOnFixture } from './in-memory.js';

const run = (code: string, options?: Partial<typeof leakedTimer.defaultOptions>) => runInMemory(leakedTimer, code, options);

const at = (code: string) => run(code).map((r) => `${r.messageId}@${r.line}:${r.column}`);

describe('leaked-timer', () => {
  it('reports an interval whose handle is discarded in a class with close()', () => {
    const results = run(`export class Poller {
  start() {
    setInterval(() => this.poll(), 1000);
  }
  poll() {}
  close() {}
}`);
    expect(results.map((r) => `${r.messageId}@${r.line}:${r.column}`)).toEqual(['notStored@3:5']);
    expect(results[0]!.message).toContain('setInterval() is started in class Poller but its handle is not kept, so close() cannot stop it');
    expect(results[0]!.message).toContain('clearInterval()');
  });

  it('reports a stored handle that the teardown never clears', () => {
    const results = run(`export class Heartbeat {
  private timer?: NodeJS.Timeout;
  constructor() {
    this.timer = setInterval(() => {}, 5000);
  }
  [Symbol.dispose]() {}
}`);
    expect(results.map((r) => `${r.messageId}@${r.line}:${r.column}`)).toEqual(['notCleared@4:18']);
    expect(results[0]!.message).toContain('kept in this.timer, but [Symbol.dispose]() never clears it');
  });

  it('reports a handle kept with ??= that stop() does not clear', () => {
    expect(
      at(`export class Ticker {
  private timer: NodeJS.Timeout | undefined;
  start() { this.timer ??= setInterval(() => {}, 100); }
  stop() {}
}`),
    ).toEqual(['notCleared@3:28']);
  });

  it('reports a timer in a function that returns a cleanup which does not clear it', () => {
    expect(
      at(`export function watch(tick: () => void) {
  const id = setInterval(tick, 100);
  setTimeout(tick, 5000);
  return () => {
    void id;
  };
}`),
    ).toEqual(['notCleared@2:14', 'notStored@3:3']);
  });

  it('reports a retry timeout that close() cannot cancel', () => {
    expect(
      at(`export class Reconnector {
  private closed = false;
  connect() {
    this.schedule();
  }
  private schedule() {
    setTimeout(() => this.connect(), 1000);
  }
  stop() { this.closed = true; }
}`),
    ).toEqual(['notStored@7:5']);
  });

  it('accepts handles cleared in the teardown (also through a helper method), unref, and collections', () => {
    expect(
      at(`export class Poller {
  private timer: NodeJS.Timeout | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private sweep = setInterval(() => {}, 60_000).unref();
  start() {
    this.timer = setInterval(() => {}, 1000);
    this.timers.add(setTimeout(() => {}, 500));
    const t = setInterval(() => {}, 10);
    t.unref();
  }
  close() {
    this.clearAll();
  }
  private clearAll() {
    clearInterval(this.timer);
    for (const t of this.timers) clearTimeout(t);
    clearInterval(this.sweep);
  }
}`),
    ).toEqual([]);
  });

  it('accepts sleeps, deferrals, self-cleared timeouts, timers outside a lifecycle and timers set up by the teardown', () => {
    expect(
      at(`import { setTimeout as delay } from 'node:timers/promises';
export class Worker {
  async pause(ms: number) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    await delay(ms);
  }
  later(f: () => void) { setTimeout(f, 0); }
  async withDeadline(work: Promise<void>) {
    const t = setTimeout(() => {}, 1000);
    try { await work; } finally { clearTimeout(t); }
  }
  close() {
    setTimeout(() => process.exit(1), 5000).unref();
    setTimeout(() => {}, 100);
  }
}
export function standalone() {
  setInterval(() => {}, 1000);
}`),
    ).toEqual([]);
  });

  it('accepts a cleanup function that clears the handle (a React-style effect)', () => {
    expect(
      at(`declare function useEffect(effect: () => (() => void) | void): void;
export function useClock(onTick: () => void) {
  useEffect(() => {
    const id = setInterval(onTick, 1000);
    return () => clearInterval(id);
  });
}
export function subscribe(onTick: () => void) {
  const id = setInterval(onTick, 1000);
  return { stop() { clearInterval(id); } };
}`),
    ).toEqual([]);
  });

  it('follows the teardown through the callbacks hooked to the end of a resource it ends (onclose, on(\'close\'))', () => {
    const cls = (teardown: string) => `export interface Transport { close(): Promise<void>; onclose?: () => void }
export class Protocol {
  private transport?: Transport;
  private timer?: ReturnType<typeof setTimeout>;
  private readonly sockets: NodeJS.EventEmitter & { end(): void };
  constructor(s: NodeJS.EventEmitter & { end(): void }) { this.sockets = s; this.sockets.once('end', this.onEnd.bind(this)); }
  connect(t: Transport) {
    this.transport = t;
    this.transport.onclose = () => { this.onClosed(); };
  }
  arm() { this.timer = setTimeout(() => {}, 1000); }
  private onClosed() { clearTimeout(this.timer); }
  private onEnd() { clearTimeout(this.timer); }
  async close() { ${teardown} }
}`;
    expect(at(cls('await this.transport?.close();'))).toEqual([]);
    expect(at(cls('this.sockets.end();'))).toEqual([]);
    // Nothing closes the hooked resources: the callbacks are not teardown.
    expect(at(cls('this.transport = undefined;'))).toEqual(['notCleared@11:24']);
  });

  it('judges a re-armed local where it is declared, and an entry of a collection the teardown clears', () => {
    expect(
      at(`export class Waiter {
  private cancel?: () => void;
  private readonly pending = new Map<number, { id: ReturnType<typeof setTimeout> }>();
  wait(ms: number) {
    let timer = setTimeout(() => {}, ms);
    this.cancel = () => clearTimeout(timer);
    queueMicrotask(() => { timer = setTimeout(() => {}, ms); });
  }
  rearm(key: number) {
    const slot = this.pending.get(key);
    if (slot) slot.id = setTimeout(() => {}, 10);
  }
  close() {
    this.cancel?.();
    for (const p of this.pending.values()) clearTimeout(p.id);
  }
}`),
    ).toEqual([]);
    expect(
      at(`export class Waiter {
  private readonly pending = new Map<number, { id: ReturnType<typeof setTimeout> }>();
  wait(ms: number) {
    let timer = setTimeout(() => {}, ms);
    queueMicrotask(() => { timer = setTimeout(() => {}, ms); });
    return timer;
  }
  rearm(key: number) {
    const slot = this.pending.get(key);
    if (slot) slot.id = setTimeout(() => {}, 10);
  }
  close() {
    this.pending.clear();
  }
}`),
    ).toEqual(['notCleared@5:36', 'notCleared@10:25']);
  });

  it('takes extra lifecycle method names (lifecycleMethods option)', () => {
    const code = `export class Job {
  run() { setInterval(() => {}, 100); }
  cancel() {}
}`;
    expect(at(code)).toEqual([]);
    expect(run(code, { lifecycleMethods: ['cancel'] }).map((r) => `${r.messageId}@${r.line}:${r.column}`)).toEqual(['notStored@2:11']);
  });

  it('matches the expect markers in fixtures/leaked-timer exactly', () => {
    const { files, diff } = fixtureDiff(leakedTimer);
    expect(files).toBeGreaterThan(1);
    expect(diff).toBe('');
  });
});

describe('leaked-timer in test files', () => {
  it('leaves a test file to the runtime side; the same text as program code is reported', () => {
    const file = 'leaked-timer/good-in-test.test.ts';
    expect(runOnFixture(leakedTimer, file)).toEqual([]);
    expect(runOnFixture(leakedTimer, file, {}, { asProgramCode: true }).map((r) => `${r.messageId}@${r.line}`)).toEqual(['notStored@10']);
  });
});
