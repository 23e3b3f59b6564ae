import { EventEmitter, once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createTracer, MAX_LANES } from '@asyncsan/tracer';
import type { Timeline } from '@asyncsan/tracer';
import { repoRoot } from '@asyncsan/test-harness/expectations';

const tracer = createTracer({ cwd: repoRoot, ignore: [{ id: 'leaked-timer', site: 'ignoredLeak' }] });
const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const c of cleanups) c();
  tracer.stop();
});

const FILE = 'packages/tracer/test/timeline.test.ts';
const source = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
/** The line of this file that carries `// at: <name>`. */
const lineOf = (name: string) => source.findIndex((l) => l.endsWith(`// at: ${name}`)) + 1;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)); // at: sleep

function leakInterval(ms: number): void {
  const t = setInterval(() => {}, ms); // at: interval
  cleanups.push(() => clearInterval(t));
}

async function waitForever(): Promise<void> {
  await new Promise<void>(() => {}); // at: forever
}

async function outer(): Promise<void> {
  await waitForever(); // at: outer
}

async function waitReady(emitter: EventEmitter): Promise<void> {
  await once(emitter, 'ready'); // at: once
}

function ignoredLeak(): void {
  const t = setInterval(() => {}, 7777); // at: ignored
  cleanups.push(() => clearInterval(t));
}

/** The lanes without their times (which are not asserted), in the order drawn. */
const shape = (t: Timeline) => t.lanes.map(({ label, kind, state, site, findings }) => ({ label, kind, state, line: site?.line, findings }));

describe('the timeline of a scope', () => {
  it('a leaked timer: one timer lane, leaked, crossing the end, linked to its finding', async () => {
    const scope = tracer.createScope('leaks a timer');
    scope.run(() => leakInterval(4444));
    const findings = await scope.end();
    expect(findings.map((f) => [f.id, f.location?.line])).toEqual([['leaked-timer', lineOf('interval')]]);
    const t = scope.timeline()!;
    expect(t.scope).toBe('leaks a timer');
    expect(shape(t)).toEqual([{ label: 'setInterval(…, 4444)', kind: 'timer', state: 'leaked', line: lineOf('interval'), findings: [0] }]);
    const [lane] = t.lanes;
    expect(lane!.site!.file).toBe(FILE);
    expect(lane!.end).toBeUndefined();
    expect(lane!.detail).toBe('is still armed');
    // Created inside the scope, before it ended; judged after it ended.
    expect(lane!.start).toBeGreaterThanOrEqual(0);
    expect(lane!.start).toBeLessThanOrEqual(t.end);
    expect(t.judged).toBeGreaterThanOrEqual(t.end);
    expect(t.omitted).toBeUndefined();
  });

  it('a task pending on an await: the line it is stuck on, suspended after it started, and what awaits it', async () => {
    const scope = tracer.createScope('a task never completes');
    scope.run(() => {
      void outer();
    });
    const findings = await scope.end();
    expect(findings.map((f) => [f.id, f.location?.line])).toEqual([['unsettled-task', lineOf('forever')]]);
    const t = scope.timeline()!;
    expect(shape(t)).toEqual([{ label: 'async waitForever', kind: 'task', state: 'pending', line: lineOf('forever'), findings: [0] }]);
    const [lane] = t.lanes;
    expect(lane!.events).toEqual([{ at: expect.any(Number), kind: 'suspended', site: { file: FILE, line: lineOf('forever'), column: 3 } }]);
    expect(lane!.events![0]!.at).toBeGreaterThanOrEqual(lane!.start);
    expect(lane!.events![0]!.at).toBeLessThanOrEqual(t.end);
    expect(lane!.detail).toBe(`suspended at ${FILE}:${lineOf('forever')}:3; awaited by outer`);
    expect(lane!.end).toBeUndefined();
  });

  it('a task waiting on events.once: its task lane and the wait lane, both pending at the await', async () => {
    const emitter = new EventEmitter();
    const scope = tracer.createScope('waits');
    scope.run(() => {
      void waitReady(emitter);
    });
    const findings = await scope.end();
    expect(findings.map((f) => [f.id, f.location?.line])).toEqual([['unsettled-task', lineOf('once')]]);
    const t = scope.timeline()!;
    expect(shape(t)).toEqual([
      { label: 'async waitReady', kind: 'task', state: 'pending', line: lineOf('once'), findings: [0] },
      { label: "once(EventEmitter, 'ready')", kind: 'event-wait', state: 'pending', line: lineOf('once'), findings: [0] },
    ]);
    emitter.emit('ready');
  });

  it('places a task on the logical clock: suspended after the timer created before it', async () => {
    const scope = tracer.createScope('ordered');
    scope.run(() => {
      leakInterval(5555);
      void (async () => {
        await sleep(60);
        await waitForever();
      })();
    });
    await sleep(80);
    await scope.end();
    const t = scope.timeline()!;
    expect(shape(t).map((l) => [l.label, l.state, l.line])).toEqual([
      ['setInterval(…, 5555)', 'leaked', lineOf('interval')],
      ['setTimeout(…, 60)', 'closed', lineOf('sleep')],
      ['async waitForever', 'pending', lineOf('forever')],
    ]);
    const [timer, sleeper, task] = t.lanes;
    // Anchors are taken at rare records: the task suspended after the sleep's timer was created.
    expect(sleeper!.start).toBeGreaterThanOrEqual(timer!.start);
    expect(task!.events![0]!.at).toBeGreaterThanOrEqual(sleeper!.start);
    expect(task!.events![0]!.at).toBeLessThanOrEqual(t.end);
  });

  it('marks the last firing of a leaked interval', async () => {
    const scope = tracer.createScope('fires');
    let interval: NodeJS.Timeout | undefined;
    await scope.run(async () => {
      interval = setInterval(() => {}, 10);
      // The interval is due long before this timer: it has fired by the time the sleep ends.
      await sleep(60);
    });
    await scope.end();
    // Stopped at once: firing on, it would bleed into the next scopes.
    clearInterval(interval);
    const t = scope.timeline()!;
    const lane = t.lanes.find((l) => l.label === 'setInterval(…, 10)')!;
    expect(lane.state).toBe('leaked');
    expect(lane.events).toEqual([{ at: expect.any(Number), kind: 'fired' }]);
    expect(lane.events![0]!.at).toBeGreaterThan(lane.start);
    expect(lane.events![0]!.at).toBeLessThanOrEqual(t.judged);
  });

  it('a body that settled, a timer that fired and one that was cleared, in a scope without findings', async () => {
    const scope = tracer.createScope('all settles');
    const body = scope.run(async () => {
      await new Promise<void>((resolve) => setTimeout(resolve, 80)); // at: fired
      const t = setInterval(() => {}, 9999); // at: cleared
      clearInterval(t);
      return 1;
    });
    expect(await scope.waitFor(body)).toBe(1);
    expect(await scope.end()).toEqual([]);
    const t = scope.timeline()!;
    expect(shape(t)).toEqual([
      { label: 'scope body', kind: 'task', state: 'settled', line: undefined, findings: undefined },
      { label: 'setTimeout(…, 80)', kind: 'timer', state: 'closed', line: lineOf('fired'), findings: undefined },
      { label: 'setInterval(…, 9999)', kind: 'timer', state: 'closed', line: lineOf('cleared'), findings: undefined },
    ]);
    const [bodyLane, fired, cleared] = t.lanes;
    expect(bodyLane!.end).toBeGreaterThanOrEqual(bodyLane!.start);
    expect(bodyLane!.end).toBeLessThanOrEqual(t.end);
    // A one-shot timer that fired ended when it was due; a cleared one's end was not observed.
    expect(fired!.end).toBe(Math.round((fired!.start + 80) * 100) / 100);
    expect(cleared!.end).toBeUndefined();
    expect(cleared!.detail).toBe('cleared');
  });

  it('is there for any judged scope unless refused', async () => {
    const quiet = tracer.createScope('quiet');
    expect(quiet.timeline()).toBeUndefined();
    expect(await quiet.end()).toEqual([]);
    expect(quiet.timeline()!.lanes).toEqual([]);
    const refused = tracer.createScope('refused');
    refused.run(() => leakInterval(4321));
    expect(await refused.end({ timeline: false })).toHaveLength(1);
    expect(refused.timeline()).toBeUndefined();
  });

  it('keeps at most MAX_LANES lanes and says how many it left out', async () => {
    const scope = tracer.createScope('many');
    scope.run(() => {
      for (let i = 0; i < MAX_LANES + 7; i++) leakInterval(6000 + i);
    });
    const findings = await scope.end();
    expect(findings).toHaveLength(1); // one site: one finding
    expect(findings[0]?.count).toBe(MAX_LANES + 7);
    const t = scope.timeline()!;
    expect(t.lanes).toHaveLength(MAX_LANES);
    expect(t.omitted).toBe(7);
    expect(t.lanes.every((l) => l.state === 'leaked' && l.findings?.[0] === 0)).toBe(true);
  });

  it('drops the lane of a leftover whose finding an ignore rule dropped', async () => {
    const scope = tracer.createScope('ignored');
    scope.run(() => {
      ignoredLeak();
      leakInterval(4040);
    });
    const findings = await scope.end();
    expect(findings.map((f) => f.location?.line)).toEqual([lineOf('interval')]);
    expect(shape(scope.timeline()!).map((l) => [l.label, l.line])).toEqual([['setInterval(…, 4040)', lineOf('interval')]]);
  });

  it('names the test of a scope and the body it waited for', async () => {
    const test = { file: FILE, name: 'leaks', fullName: 'timeline > leaks' };
    const r = await tracer.trace('timeline > leaks', () => leakInterval(4141), { test });
    expect(r.findings).toHaveLength(1);
    expect(r.timeline!.test).toEqual(test);
    expect(shape(r.timeline!).map((l) => [l.label, l.state, l.findings])).toEqual([
      ['scope body', 'settled', undefined],
      ['setInterval(…, 4141)', 'leaked', [0]],
    ]);
  });
});
