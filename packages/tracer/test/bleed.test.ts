/**
 * cross-test-bleed for timers, suspended tasks and listeners: the finding is
 * returned while test B runs but belongs to test A (its `test` is A's), with
 * nouns that say "test" for scopes that are tests.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createTracer } from '@asyncsan/tracer';
import { repoRoot } from '@asyncsan/test-harness/expectations';

const self = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
const lineOf = (name: string) => self.findIndex((l) => l.endsWith(`// line: ${name}`)) + 1;
const FILE = 'packages/tracer/test/bleed.test.ts';

const tracer = createTracer({ cwd: repoRoot });
afterAll(() => tracer.stop());

const testA = { file: FILE, name: 'A', fullName: 'bleed > A' };
const testB = { file: FILE, name: 'B', fullName: 'bleed > B' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)); // line: sleep

describe('cross-test-bleed', () => {
  it('a task test A left suspended resumes during test B: reported on A, at its await, never on B', async () => {
    const log: string[] = [];
    // The timer must outlast A's settle (50 ms of loop turns, longer on a loaded machine: at 80 ms it fired during
    // the settle once under CI load, and the task was a finished floating promise instead of an unsettled one).
    async function refresh(): Promise<void> {
      await sleep(400); // line: refresh await
      log.push('refreshed');
    }
    const a = await tracer.trace('A', () => void refresh(), { test: testA });
    // One root cause: the task asleep on its sleep timer (named in the finding), not a leaked timer beside it.
    expect(a.findings.map((f) => [f.id, f.location?.line])).toEqual([['unsettled-task', lineOf('refresh await')]]);
    expect(a.findings[0]!.related?.map((r) => [r.label, r.location.line])).toEqual([['timer armed at', lineOf('sleep')]]);
    const b = await tracer.trace('B', () => sleep(500), { test: testB });
    expect(log).toEqual(['refreshed']);
    // And one bleed: the task resuming (the timer firing is the same event, seen from the other side).
    const bleed = b.findings.filter((f) => f.id === 'cross-test-bleed');
    expect(bleed.map((f) => [f.location?.line, f.test?.name, f.message])).toEqual([
      [lineOf('refresh await'), 'A', 'The task async refresh suspended at this await in test "A" resumed while test "B" was running'],
    ]);
    expect(bleed[0]!.related).toEqual([{ label: 'left suspended by test "A"', location: bleed[0]!.location }]);
    // Nothing of it is B's own.
    expect(b.findings.filter((f) => f.id !== 'cross-test-bleed')).toEqual([]);
  });

  it('a listener test A left on a longer-lived emitter runs during test B', async () => {
    const bus = new EventEmitter();
    const seen: string[] = [];
    const a = await tracer.trace('A', () => void bus.on('saved', (name: string) => seen.push(name)), { test: testA }); // line: bus.on
    expect(a.findings.map((f) => [f.id, f.location?.line])).toEqual([['leaked-listener', lineOf('bus.on')]]);
    const b = await tracer.trace('B', () => void bus.emit('saved', 'bob'), { test: testB });
    expect(seen).toEqual(['bob']);
    expect(b.findings.map((f) => [f.id, f.location?.line, f.test?.name, f.message])).toEqual([
      ['cross-test-bleed', lineOf('bus.on'), 'A', `A 'saved' listener on a EventEmitter added in test "A" ran while test "B" was running`],
    ]);
    // The emit wrapper is per instance and invisible to enumeration.
    expect(Object.keys(bus)).not.toContain('emit');
    bus.removeAllListeners();
  });

  it('not once the listener is removed before B emits', async () => {
    const bus = new EventEmitter();
    const onSaved = () => {};
    await tracer.trace('A', () => void bus.on('saved', onSaved), { test: testA });
    bus.off('saved', onSaved);
    const b = await tracer.trace('B', () => void bus.emit('saved'), { test: testB });
    expect(b.findings).toEqual([]);
  });

  it("an 'abort' listener test A left on a shared signal runs when test B aborts it", async () => {
    const shared = new AbortController();
    const a = await tracer.trace('A', () => shared.signal.addEventListener('abort', () => {}), { test: testA }); // line: signal listener
    expect(a.findings.map((f) => [f.id, f.location?.line])).toEqual([['leaked-listener', lineOf('signal listener')]]);
    const b = await tracer.trace('B', () => shared.abort(), { test: testB });
    expect(b.findings.map((f) => [f.id, f.location?.line, f.test?.name])).toEqual([['cross-test-bleed', lineOf('signal listener'), 'A']]);
    expect(b.findings[0]!.message).toBe(`A 'abort' listener on a AbortSignal added in test "A" ran while test "B" was running`);
  });

  it('scopes that are not tests are called scopes, and the finding carries no test', async () => {
    const bus = new EventEmitter();
    await tracer.trace('first', () => void bus.on('tick', () => {}));
    const b = await tracer.trace('second', () => void bus.emit('tick'));
    expect(b.findings.map((f) => [f.id, f.test, f.message])).toEqual([
      ['cross-test-bleed', undefined, `A 'tick' listener on a EventEmitter added in scope "first" ran while scope "second" was running`],
    ]);
    bus.removeAllListeners();
  });

  it('what test A left behind is alive at an ignoreCurrent() call: it is not reported when it runs later', async () => {
    const own = createTracer({ cwd: repoRoot });
    try {
      const bus = new EventEmitter();
      await own.trace('A', () => {
        setTimeout(() => {}, 40);
        bus.on('saved', () => {});
      }, { test: testA });
      own.ignoreCurrent({ reason: 'known leftovers of A' });
      const b = await own.trace('B', async () => {
        bus.emit('saved');
        await sleep(80);
      }, { test: testB });
      expect(b.findings).toEqual([]);
      bus.removeAllListeners();
    } finally {
      own.stop();
    }
  });

  it('stop() takes back the per-instance emit', async () => {
    const own = createTracer({ cwd: repoRoot });
    const bus = new EventEmitter();
    await own.trace('A', () => void bus.on('x', () => {}));
    expect(Object.prototype.hasOwnProperty.call(bus, 'emit')).toBe(true);
    own.stop();
    expect(Object.prototype.hasOwnProperty.call(bus, 'emit')).toBe(false);
    expect(bus.emit('x')).toBe(true);
  });
});
