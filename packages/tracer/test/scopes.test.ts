import { EventEmitter, once } from 'node:events';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createTracer, DeadlockError } from '@asyncsan/tracer';
import { repoRoot } from '@asyncsan/test-harness/expectations';

const tracer = createTracer({ cwd: repoRoot });
const cleanups: Array<() => void> = [];
// Each test's leftovers go with it: an interval left running would fire in a later test (cross-test-bleed).
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
afterAll(() => tracer.stop());

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('scopes', () => {
  it('tells two concurrent scopes apart through their async context', async () => {
    async function leakInterval(): Promise<void> {
      await tick();
      const t = setInterval(() => {}, 1111);
      cleanups.push(() => clearInterval(t));
    }
    async function leakTimeout(): Promise<void> {
      await tick();
      await tick();
      const t = setTimeout(() => {}, 2222);
      cleanups.push(() => clearTimeout(t));
    }
    const [a, b] = await Promise.all([tracer.trace('a', leakInterval), tracer.trace('b', leakTimeout)]);
    expect(a.findings.map((f) => [f.id, f.message])).toEqual([
      ['leaked-timer', 'setInterval(…, 1111) created in this scope is still armed when it ends'],
    ]);
    expect(b.findings.map((f) => [f.id, f.message])).toEqual([
      ['leaked-timer', 'setTimeout(…, 2222) created in this scope has not fired yet when it ends'],
    ]);
    expect(a.findings[0]!.location!.file).toBe('packages/tracer/test/scopes.test.ts');
  });

  it('owns nothing created before it started, and reports the test it belongs to', async () => {
    const before = setInterval(() => {}, 3333);
    cleanups.push(() => clearInterval(before));
    const test = { file: 'x.test.ts', name: 'leaks', fullName: 'suite > leaks' };
    const result = await tracer.trace(
      'owned',
      () => {
        const t = setInterval(() => {}, 4444);
        cleanups.push(() => clearInterval(t));
      },
      { test },
    );
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]!.message).toContain('setInterval(…, 4444)');
    expect(result.findings[0]!.test).toEqual(test);
    expect(result.findings[0]!.stacks![0]!.frames[0]!.external).toBeUndefined();
  });

  it('start() owns the rest of the calling function across awaits; end() is idempotent', async () => {
    const scope = tracer.start('started');
    await tick();
    const t = setTimeout(() => {}, 5555);
    cleanups.push(() => clearTimeout(t));
    const findings = await scope.end();
    expect(findings.map((f) => f.message)).toEqual(['setTimeout(…, 5555) created in this scope has not fired yet when it ends']);
    expect(await scope.end()).toBe(findings);
    // Created after the end: no longer the scope's, and the scope is not judged again.
    const later = setTimeout(() => {}, 6666);
    clearTimeout(later);
  });

  it("an unref'd timer is not a leak: it holds nothing open (it is only watched for cross-test-bleed)", async () => {
    const result = await tracer.trace('unref', () => {
      const t = setTimeout(() => {}, 7777).unref();
      const i = setInterval(() => {}, 900_000).unref();
      cleanups.push(() => clearTimeout(t), () => clearInterval(i));
    });
    expect(result.findings).toEqual([]);
  });

  it('a clean scope reports nothing, even with timers that fire during the settle', async () => {
    const result = await tracer.trace('clean', async () => {
      setTimeout(() => {}, 5);
      const i = setInterval(() => {}, 1);
      await new Promise((resolve) => setTimeout(resolve, 3));
      clearInterval(i);
      await Promise.all([tick(), tick()]);
    });
    expect(result.findings).toEqual([]);
    expect(result.error).toBeUndefined();
  });

  it('waitFor rejects with a DeadlockError once every task is asleep, instead of hanging', async () => {
    const scope = tracer.createScope('waits');
    const never = scope.run(async () => {
      await new Promise(() => {});
    });
    const error = await scope.waitFor(never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlockError);
    const findings = await scope.end();
    expect(findings.map((f) => f.id)).toEqual(['deadlock']);
    expect((error as DeadlockError).findings).toEqual(findings);
    // Its stack is the wait-for chain, so a runner shows the user's await, not the tracer's code.
    const line = findings[0]!.location!.line;
    expect((error as Error).stack!.split('\n').slice(1)).toEqual([`    at ${import.meta.filename}:${line}:7`]);
    expect(line).toBe(95);
  });

  it('does not call a scope deadlocked while its own timer can still settle the wait', async () => {
    const result = await tracer.trace('busy', () => new Promise((resolve) => setTimeout(resolve, 60)));
    expect(result.deadlocked).toBe(false);
    expect(result.findings).toEqual([]);
  });

  it('applies ignore rules by id and file', async () => {
    const quiet = createTracer({ cwd: repoRoot, ignore: [{ id: 'leaked-timer', file: 'scopes.test.ts', reason: 'test' }], listeners: false, rejections: false });
    try {
      const result = await quiet.trace('ignored', () => {
        const t = setInterval(() => {}, 8888);
        cleanups.push(() => clearInterval(t));
      });
      expect(result.findings).toEqual([]);
    } finally {
      quiet.stop();
    }
  });

  it('stop() restores what it patched', async () => {
    const { Writable } = await import('node:stream');
    const { MessagePort } = await import('node:worker_threads');
    const events = (await import('node:events')).default as unknown as { once: unknown };
    const generatorProto = Object.getPrototypeOf((async function* () {})()) as object;
    const asyncGeneratorPrototype = Object.getPrototypeOf(generatorProto) as { next: unknown };
    const before = [
      EventEmitter.prototype.on,
      globalThis.AbortController,
      Writable.prototype.write,
      MessagePort.prototype.postMessage,
      events.once,
      asyncGeneratorPrototype.next,
    ];
    const t = createTracer({ cwd: repoRoot });
    expect(EventEmitter.prototype.on).not.toBe(before[0]);
    expect(Writable.prototype.write).not.toBe(before[2]);
    t.stop();
    expect([
      EventEmitter.prototype.on,
      globalThis.AbortController,
      Writable.prototype.write,
      MessagePort.prototype.postMessage,
      events.once,
      asyncGeneratorPrototype.next,
    ]).toEqual(before);
  });
});

describe('fake timers', () => {
  it('judging a scope does not hang while a fake clock is installed (its pending timer is reported, see fake-timers.test.ts)', async () => {
    const { install } = await import('@sinonjs/fake-timers');
    const clock = install({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval'] });
    try {
      const scope = tracer.createScope('fake');
      scope.run(() => {
        setTimeout(() => {}, 1000); // fake: no real timer exists; the fake clock's queue holds it
      });
      const findings = await scope.end();
      expect(findings.map((f) => [f.id, f.location?.line])).toEqual([['leaked-timer', 163]]);
    } finally {
      clock.uninstall();
    }
    expect(typeof globalThis.setTimeout).toBe('function');
  });
});

describe('bounded memory', () => {
  it('keeps no record of settled promises or of closed timers', async () => {
    const scope = tracer.createScope('busy');
    await scope.run(async () => {
      for (let i = 0; i < 20_000; i++) await Promise.resolve(i);
      for (let i = 0; i < 5_000; i++) clearTimeout(setTimeout(() => {}, 1000));
    });
    expect(scope.state.pending.size).toBeLessThan(10);
    // Closed timers are pruned every few hundred inserts.
    expect(scope.state.resources.size).toBeLessThan(600);
    expect(await scope.end()).toEqual([]);
  });
});

describe('deadlock wait-for chain', () => {
  it('names the event a stuck task waits for and every task of the chain', async () => {
    const mod = (await import('../../../fixtures/runtime/deadlock/bad-waits-for-ready.js')) as { main(): Promise<void> };
    const result = await tracer.trace('pool', () => mod.main());
    expect(result.deadlocked).toBe(true);
    expect(result.findings).toHaveLength(1);
    const [deadlock] = result.findings;
    expect(deadlock!.message).toContain("waits at this await for 'ready' from a Pool");
    expect(deadlock!.stacks![0]!.label).toBe('wait-for chain');
    expect(deadlock!.stacks![0]!.frames.map((f) => f.function)).toEqual(['async Pool.query', 'async Pool.connect', expect.stringMatching(/main$/)]);
  });
});

describe('bounded records', () => {
  it('drops settled event waits, drained writes and finished generators as they pile up', async () => {
    const scope = tracer.createScope('long-lived');
    await scope.run(async () => {
      for (let i = 0; i < 1000; i++) {
        const e = new EventEmitter();
        const waited = once(e, 'go');
        e.emit('go');
        await waited;
        const p = new PassThrough({ highWaterMark: 1 });
        p.write('xx');
        p.destroy();
        for await (const x of (async function* () {
          yield i;
        })())
          void x;
      }
    });
    expect(scope.state.eventWaits.length).toBeLessThan(300);
    expect(scope.state.streamWrites.length).toBeLessThan(300);
    expect(scope.state.generators.length).toBeLessThan(300);
    expect((await scope.end()).map((f) => `${f.id}: ${f.message}`)).toEqual([]);
  });
});
