// The GC proof (src/proof.ts) forces up to three full GCs, tens of ms each in a real test worker's heap.
// A task asleep on a live timer of its own scope is reported naming that timer whatever a GC says, so the
// proof must not force a GC for it; a task waiting on a promise nothing references still gets its proof.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTracer, type Tracer } from '@asyncsan/tracer';
import { repoRoot } from '@asyncsan/test-harness/expectations';

let calls = 0;
let tracer: Tracer;
const hadGc = Object.getOwnPropertyDescriptor(globalThis, 'gc');

beforeAll(() => {
  // A real gc, counted: the tracer takes globalThis.gc when the runtime exposes one.
  setFlagsFromString('--expose-gc');
  const real = runInNewContext('gc') as () => void;
  setFlagsFromString('--no-expose-gc');
  Object.defineProperty(globalThis, 'gc', {
    configurable: true,
    writable: true,
    value: () => {
      calls++;
      real();
    },
  });
  tracer = createTracer({ cwd: repoRoot });
});

afterAll(() => {
  tracer.stop();
  if (hadGc) Object.defineProperty(globalThis, 'gc', hadGc);
  else delete (globalThis as { gc?: unknown }).gc;
});

describe('GC proof cost', () => {
  it('forces no GC for a task asleep on its own timer, and still reports it naming the timer', async () => {
    const scope = tracer.createScope('sleeper');
    await scope.run(async () => {
      void (async () => {
        await new Promise((resolve) => setTimeout(resolve, 400));
      })();
    });
    calls = 0;
    const findings = await scope.end();
    expect(calls).toBe(0);
    expect(findings.map((f) => `${f.id} ${f.severity}`)).toEqual(['unsettled-task error']);
    expect(findings[0]!.message).toMatch(/still asleep at this await when it ends, until setTimeout\(…, 400\) \(armed at .*proof-cost\.test\.ts:\d+\) fires/);
  });

  it('still proves a task waiting on a promise nothing references (info), with a GC', async () => {
    const scope = tracer.createScope('garbage');
    await scope.run(async () => {
      void (async () => {
        await new Promise(() => {});
      })();
    });
    calls = 0;
    const findings = await scope.end();
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(findings.map((f) => `${f.id} ${f.severity}`)).toEqual(['unsettled-task info']);
    expect(findings[0]!.message).toContain('Proven by a garbage collection');
  });
});
