// The GC proof (src/proof.ts) calls a task's promise "never settled" when a forced GC collects it. A promise that
// settles during the proof's own turn is collected too, once its reactions are queued (tinypool's
// `await worker.terminate()`, resolved by the worker's 'exit' while the proof ran): that task resumes, so it is not proven.
import { describe, expect, it } from 'vitest';
import type { AwaitChain } from '../src/diff.js';
import { enableGc, proveUnreachable } from '../src/proof.js';
import type { ScopeState } from '../src/state.js';

const scope = { pending: { clear() {} } } as unknown as ScopeState;
const chainOn = (promise: Promise<unknown>): AwaitChain => ({ frames: [], at: { file: 'task.ts', line: 1, column: 1 }, promise }) as unknown as AwaitChain;

describe('GC proof', () => {
  it('does not prove a task whose promise settles during the proof, though the GC collects it', async () => {
    expect(enableGc()).toBe(true);
    let resumed = false;
    let resolve: (() => void) | undefined;
    let chain: AwaitChain | undefined;
    {
      const promise = new Promise<void>((r) => (resolve = r));
      void (async () => {
        await promise;
        resumed = true;
      })();
      chain = chainOn(promise);
    }
    // Settles in the turn the proof takes before its GC, and lets go of the promise.
    setImmediate(() => {
      resolve!();
      resolve = undefined;
    });
    await proveUnreachable(scope, [chain]);
    expect(chain.proven).not.toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(resumed).toBe(true);
  });

  it('still proves a task on a promise nothing can settle', async () => {
    expect(enableGc()).toBe(true);
    let chain: AwaitChain | undefined;
    {
      const promise = new Promise<void>(() => {});
      void (async () => {
        await promise;
      })();
      chain = chainOn(promise);
    }
    await proveUnreachable(scope, [chain]);
    expect(chain.proven).toBe(true);
  });
});
