// The pending-promise ledger (src/pending.ts) keeps recent promises in a window of
// 65536 async ids and moves older pending ones to chunked survivors. These tests push
// promises past the window and check that nothing is lost or kept: stuck tasks are
// still found at their await, settled survivors are forgotten, event waits are still
// known to be pending, and a judged scope lets go of everything.
import { EventEmitter, once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { createTracer } from '@asyncsan/tracer';
import { repoRoot } from '@asyncsan/test-harness/expectations';

const tracer = createTracer({ cwd: repoRoot });
afterAll(() => tracer.stop());

/** Creates and settles enough promises to carry the async ids far past the ledger's window. */
async function churn(promises: number): Promise<void> {
  for (let i = 0; i < promises; i++) await Promise.resolve(i);
}

describe('pending-promise ledger', () => {
  it('still finds a stuck task at its await after 200k more promises went by', async () => {
    const release: Array<() => void> = [];
    async function waitsForever(): Promise<void> {
      await new Promise<void>((resolve) => release.push(resolve));
    }
    const scope = tracer.createScope('long');
    await scope.run(async () => {
      void waitsForever();
      await churn(200_000);
    });
    const findings = await scope.end();
    release.forEach((r) => r());
    expect(findings.map((f) => [f.id, f.location?.file, f.message])).toEqual([
      [
        'unsettled-task',
        'packages/tracer/test/perf-ledger.test.ts',
        'async waitsForever started in this scope never completed: it is still suspended at this await when it ends',
      ],
    ]);
    expect(findings[0]!.location!.line).toBe(23);
  });

  it('grows its window before it rolls: a few thousand promises make no survivors', async () => {
    const scope = tracer.createScope('grows');
    const release: Array<() => void> = [];
    await scope.run(async () => {
      // Pending from the start, while ids run past the window's first 4096 slots.
      for (let i = 0; i < 10; i++) void new Promise<void>((resolve) => release.push(resolve));
      await churn(6_000);
      expect(scope.state.pending.size).toBeGreaterThanOrEqual(10);
      expect(scope.state.pending.chunks).toEqual([]);
      release.splice(0).forEach((r) => r());
      await churn(10);
    });
    expect(scope.state.pending.size).toBeLessThan(10);
    expect(await scope.end()).toEqual([]);
  });

  it('forgets survivors once they settle, and counts what is still pending', async () => {
    const scope = tracer.createScope('survivors');
    const release: Array<() => void> = [];
    await scope.run(async () => {
      // 3000 promises pending across several windows, then settled.
      for (let i = 0; i < 3000; i++) void new Promise<void>((resolve) => release.push(resolve));
      await churn(150_000);
      expect(scope.state.pending.size).toBeGreaterThanOrEqual(3000);
      release.splice(0).forEach((r) => r());
      await churn(10);
    });
    expect(scope.state.pending.size).toBeLessThan(10);
    // The survivors hold no settled promise: every chunk slot was let go.
    expect(scope.state.pending.chunks.reduce((n, c) => n + c.live, 0)).toBe(0);
    expect([...scope.state.pending.values()].length).toBe(scope.state.pending.size);
    expect(await scope.end()).toEqual([]);
    expect(scope.state.pending.size).toBe(0);
  });

  it('knows an event wait is still pending after it became a survivor', async () => {
    const scope = tracer.createScope('waits');
    const emitter = new EventEmitter();
    await scope.run(async () => {
      const stuck = once(emitter, 'ready');
      void stuck.catch(() => {});
      (emitter as EventEmitter & { destroyed?: boolean }).destroyed = true;
      await churn(100_000);
    });
    const findings = await scope.end();
    expect(findings.map((f) => [f.id, f.message])).toEqual([
      ['stuck-event-wait', "once(EventEmitter, 'ready') is still waiting when it ends, but the EventEmitter is already destroyed: the event can never fire and the task awaiting it hangs"],
    ]);
    emitter.emit('ready');
  });
});
