/**
 * The tracer runs inside the user's program and touches user values: formatters, emitters, streams,
 * rejection reasons. A throw from any of them inside the tracer's own path must neither crash the
 * traced program nor break (or hang) a judgement: each case here threw or hung before it was guarded.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { EventEmitter, once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding } from '@asyncsan/core';
import { createTracer, DeadlockError, registerUrl } from '@asyncsan/tracer';
import { repoRoot } from '@asyncsan/test-harness/expectations';

// Captured before the tracer adds its own: Vitest's, stepped aside while a test rejects on purpose.
const runnerListeners = process.listeners('unhandledRejection');
const tracer = createTracer({ cwd: repoRoot });
const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const c of cleanups) c();
  tracer.stop();
});

const self = 'packages/tracer/test/guards.test.ts';
const throwing = () => {
  throw new Error('formatter failed');
};

/** Runs `fn` with a user Error.prepareStackTrace that throws, restoring the runner's after. */
async function withThrowingFormatter<T>(fn: () => Promise<T>): Promise<T> {
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = throwing;
  try {
    return await fn();
  } finally {
    Error.prepareStackTrace = previous;
  }
}

describe('a throw from user code inside the tracer', () => {
  it('a user Error.prepareStackTrace that throws while creation sites are read at judgement', async () => {
    const previous = Error.prepareStackTrace;
    const result = await tracer
      .trace('formatter', () => {
        const t = setInterval(() => {}, 1000);
        cleanups.push(() => clearInterval(t));
        // Sites are formatted lazily: this formatter is the one installed when the tracer reads them.
        Error.prepareStackTrace = throwing;
      })
      .finally(() => (Error.prepareStackTrace = previous));
    expect(result.error).toBeUndefined();
    expect(result.findings.map((f) => [f.id, f.location?.file])).toEqual([['leaked-timer', self]]);
  });

  it('a throwing formatter while pending tasks are probed for their await chain: end() settles, it does not hang', { timeout: 5000 }, async () => {
    const scope = tracer.createScope('probe');
    scope.run(() => {
      void (async function waitsForever() {
        await new Promise(() => {});
      })();
    });
    const findings = await withThrowingFormatter(() => scope.end());
    expect(findings.map((f) => [f.id, f.location?.file])).toEqual([['unsettled-task', self]]);
  });

  it('a throwing formatter while a deadlock is described: waitFor() still rejects with a DeadlockError', { timeout: 5000 }, async () => {
    const scope = tracer.createScope('deadlock');
    const job = scope.run(async () => {
      await new Promise(() => {});
    });
    const error = await withThrowingFormatter(() => scope.waitFor(job).catch((e: unknown) => e));
    await scope.end();
    expect(error).toBeInstanceOf(DeadlockError);
  });

  it('an emitter whose getters throw, awaited with events.once()', async () => {
    class Connection extends EventEmitter {
      get destroyed(): boolean {
        throw new Error('not connected');
      }
      get closed(): boolean {
        throw new Error('not connected');
      }
    }
    const conn = new Connection();
    const scope = tracer.createScope('getters');
    scope.run(() => {
      void (async () => {
        await once(conn, 'ready');
      })();
    });
    // Nothing can be told from the emitter: the task is reported as what it is, a task that never completed.
    expect((await scope.end()).map((f) => f.id)).toEqual(['unsettled-task']);
  });

  it("an emitter whose constructor getter throws is named generically in the finding", async () => {
    const target = new EventEmitter() as EventEmitter & { destroyed?: boolean };
    Object.defineProperty(target, 'constructor', {
      get() {
        throw new Error('no constructor');
      },
    });
    target.destroyed = true;
    const scope = tracer.createScope('constructor');
    scope.run(() => {
      void (async () => {
        await once(target, 'ready');
      })();
    });
    const findings = await scope.end();
    expect(findings.map((f) => f.id)).toEqual(['stuck-event-wait']);
    expect(findings[0]!.message).toContain("once(emitter, 'ready')");
  });

  it('an EventEmitter subclass whose on() override throws: the user sees their own error, the listener is still judged', async () => {
    class Strict extends EventEmitter {
      override on(event: string | symbol, listener: (...args: unknown[]) => void): this {
        super.on(event, listener);
        throw new Error('on() refused');
      }
    }
    const emitter = new Strict();
    const result = await tracer.trace('on override', () => {
      try {
        emitter.on('data', () => {});
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    });
    emitter.removeAllListeners();
    expect(result.value).toBe('on() refused');
    expect(result.findings.map((f) => f.id)).toEqual(['leaked-listener']);
  });

  it('a frozen emitter a listener was left on: the cross-test watch cannot patch it, the finding is still reported', async () => {
    const emitter = new EventEmitter();
    const result = await tracer.trace('frozen', () => {
      emitter.on('data', () => {});
      Object.freeze(emitter);
    });
    expect(result.findings.map((f) => f.id)).toEqual(['leaked-listener']);
  });

  it("a stream whose getters throw after a write() that returned false", async () => {
    class Sink extends Writable {
      constructor() {
        super({ highWaterMark: 1, write() {} }); // never calls back: every write stays buffered
      }
    }
    const sink = new Sink();
    // A stream-like whose state getter throws (an instance accessor: Writable declares a property).
    Object.defineProperty(sink, 'writableNeedDrain', {
      get(): boolean {
        throw new Error('sink offline');
      },
    });
    cleanups.push(() => sink.destroy());
    const result = await tracer.trace('stream', () => {
      expect(sink.write('xx')).toBe(false);
    });
    expect(result.error).toBeUndefined();
    // Whether it still waits for 'drain' cannot be read: nothing is claimed.
    expect(result.findings).toEqual([]);
  });

  it('a rejection reason whose message getter throws is described without its message', async () => {
    const swallow = () => {};
    for (const l of runnerListeners) process.off('unhandledRejection', l);
    process.on('unhandledRejection', swallow);
    try {
      const result = await tracer.trace('reason', () => {
        const error = new Error('original');
        void error.stack; // formatted while the message could still be read
        Object.defineProperty(error, 'message', {
          get() {
            throw new Error('message getter');
          },
        });
        void Promise.reject(error);
        // No stack of its own, never described, never a throw: located at the Promise.reject() that made it.
        void Promise.reject({
          [Symbol.toPrimitive]() {
            throw new Error('no primitive');
          },
        });
      });
      // The test's own swallowing listener is the program's handler here: both are reported at info.
      const message =
        "A promise of this scope rejected and no handler was attached (a value that cannot be converted to a string); a process 'unhandledRejection' listener of the program's own received it, so nothing crashes: reported for information";
      expect(result.findings.map((f) => [f.id, f.message, f.severity])).toEqual([
        ['unhandled-rejection', message, 'info'],
        ['unhandled-rejection', message, 'info'],
      ]);
    } finally {
      process.off('unhandledRejection', swallow);
      for (const l of [...runnerListeners].reverse()) process.prependListener('unhandledRejection', l);
    }
  });

  it('a program that handles its own rejections is not crashed by a reason whose stack cannot be formatted', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'asyncsan-guards-'));
    const program = [
      "process.on('unhandledRejection', () => console.log('handled'));",
      "const error = new Error('boom');",
      "Object.defineProperty(error, 'name', { get() { throw new Error('name getter'); } });",
      'Promise.reject(error);',
    ].join('\n');
    try {
      const run = spawnSync(process.execPath, ['--import', registerUrl, '--input-type=module', '-e', program], {
        cwd: repoRoot,
        env: { ...process.env, ASYNCSAN_OUTPUT_DIR: dir, NODE_OPTIONS: '' },
        encoding: 'utf8',
      });
      expect(run.stderr).toBe('');
      expect(run.stdout).toBe('handled\n');
      expect(run.status).toBe(0);
      const reports = readdirSync(dir).map((n) => JSON.parse(readFileSync(path.join(dir, n), 'utf8')) as { findings: Finding[] });
      // Recorded (the stack is read only when judged), and described without the reason's text.
      expect(reports.map((r) => r.findings.map((f) => `${f.id}: ${f.message}`))).toEqual([
        [
          "unhandled-rejection: A promise of this program rejected and no handler was attached (a value that cannot be converted to a string); a process 'unhandledRejection' listener of the program's own received it, so nothing crashes: reported for information",
        ],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
