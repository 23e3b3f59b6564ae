/**
 * stuck-event-wait for on() iterators, EventTarget waits and unreachable emitters,
 * and stuck-stream for pipelines that never finish: exact ids, lines and messages.
 */
import { EventEmitter, on, once } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MessageChannel } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTracer, type Tracer } from '@asyncsan/tracer';
import { repoRoot } from '@asyncsan/test-harness/expectations';

interface FixtureModule {
  main(): unknown;
}

const fixture = async (tracer: Tracer, rel: string) => {
  const mod = (await import(`../../../fixtures/runtime/${rel}`)) as FixtureModule;
  return tracer.trace(rel, () => mod.main());
};
/** The line of this file that carries `// line: <name>`. */
const self = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
const lineOf = (name: string) => self.findIndex((l) => l.endsWith(`// line: ${name}`)) + 1;
const summary = (findings: ReadonlyArray<{ id: string; location?: { file: string; line: number } }>) => findings.map((f) => `${f.location?.file}:${f.location?.line} ${f.id}`);

// Without a GC to force: the order matters, the proving tracer below turns --expose-gc on for this file.
describe('stuck-event-wait without a GC proof', () => {
  it('reports a wait on an emitter nothing references only as an unsettled task', async () => {
    const plain = createTracer({ cwd: repoRoot });
    try {
      const result = await fixture(plain, 'stuck-event-wait/bad-unreachable-emitter.ts');
      expect(summary(result.findings)).toEqual(['fixtures/runtime/stuck-event-wait/bad-unreachable-emitter.ts:14 unsettled-task']);
    } finally {
      plain.stop();
    }
  });
});

// Created once the test above has run: proveWithGc turns the GC on for this file from then on.
let tracer: Tracer;
afterAll(() => tracer.stop());

describe('stuck-event-wait', () => {
  beforeAll(() => {
    tracer = createTracer({ cwd: repoRoot, proveWithGc: true });
  });

  it('on(): a for await loop over a destroyed stream, at the loop, in place of the unsettled task', async () => {
    const result = await fixture(tracer, 'stuck-event-wait/bad-on-destroyed-stream.ts');
    expect(summary(result.findings)).toEqual(['fixtures/runtime/stuck-event-wait/bad-on-destroyed-stream.ts:7 stuck-event-wait']);
    expect(result.findings[0]!.message).toBe(
      "for await over on(PassThrough, 'data') is still waiting for the next event when it ends, but the PassThrough is already destroyed: no event can arrive and the loop never ends",
    );
  });

  it('on() over an EventTarget: more abort events from a signal that already aborted', async () => {
    const result = await fixture(tracer, 'stuck-event-wait/bad-on-aborted-signal.ts');
    expect(summary(result.findings)).toEqual(['fixtures/runtime/stuck-event-wait/bad-on-aborted-signal.ts:5 stuck-event-wait']);
    expect(result.findings[0]!.message).toContain("on(AbortSignal, 'abort')");
    expect(result.findings[0]!.message).toContain('was already aborted');
  });

  it('once() on a closed MessagePort', async () => {
    const result = await fixture(tracer, 'stuck-event-wait/bad-closed-port.ts');
    expect(summary(result.findings)).toEqual(['fixtures/runtime/stuck-event-wait/bad-closed-port.ts:6 stuck-event-wait']);
    expect(result.findings[0]!.message).toContain("once(MessagePort, 'message') is still waiting when it ends, but the MessagePort is already closed");
  });

  it('once() on a port whose other end closes while it waits', async () => {
    const { port1, port2 } = new MessageChannel();
    const result = await tracer.trace('reply', async () => {
      const waitForReply = async () => {
        await once(port2, 'message'); // line: partner closes
      };
      void waitForReply();
      port1.close();
      await new Promise((resolve) => setImmediate(resolve));
    });
    expect(result.findings.map((f) => [f.id, f.location?.line])).toEqual([['stuck-event-wait', lineOf('partner closes')]]);
    expect(result.findings[0]!.message).toContain('but the MessagePort is already closed');
  });

  it('once() on an emitter nothing references: proven with a forced GC', async () => {
    const result = await fixture(tracer, 'stuck-event-wait/bad-unreachable-emitter.ts');
    expect(summary(result.findings)).toEqual(['fixtures/runtime/stuck-event-wait/bad-unreachable-emitter.ts:14 stuck-event-wait']);
    expect(result.findings[0]!.message).toBe(
      "once(Job, 'done') is still waiting when it ends, but the Job is unreachable (only the waiting code referenced it, and a forced GC collected it): the event can never fire and the task awaiting it hangs",
    );
  });

  it('once() on an EventTarget nothing references', async () => {
    const result = await tracer.trace('event target', async () => {
      const waitForReady = async () => {
        await once(new EventTarget(), 'ready'); // line: event target
      };
      void waitForReady();
      await Promise.resolve();
    });
    expect(result.findings.map((f) => [f.id, f.location?.line])).toEqual([['stuck-event-wait', lineOf('event target')]]);
    expect(result.findings[0]!.message).toContain("once(EventTarget, 'ready') is still waiting when it ends, but the EventTarget is unreachable");
  });

  it('on() over an EventTarget nothing references', async () => {
    const result = await tracer.trace('loop on target', async () => {
      const loop = async () => {
        for await (const [event] of on(new EventTarget(), 'tick')) void event; // line: target loop
      };
      void loop();
      await Promise.resolve();
    });
    expect(result.findings.map((f) => [f.id, f.location?.line])).toEqual([['stuck-event-wait', lineOf('target loop')]]);
    expect(result.findings[0]!.message).toContain("for await over on(EventTarget, 'tick') is still waiting for the next event when it ends, but the EventTarget is unreachable");
  });

  it('not while something still references the emitter', async () => {
    const kept: EventEmitter[] = [];
    const result = await tracer.trace('kept', async () => {
      const emitter = new EventEmitter();
      kept.push(emitter);
      const wait = async () => {
        await once(emitter, 'later'); // line: kept
      };
      void wait();
      await Promise.resolve();
    });
    expect(result.findings.map((f) => [f.id, f.location?.line])).toEqual([['unsettled-task', lineOf('kept')]]);
    kept[0]!.emit('later');
  });

  it('an on() loop on a live emitter is only an unsettled task, and nothing once the loop is left', async () => {
    const bus = new EventEmitter();
    const result = await tracer.trace('live loop', async () => {
      const loop = async () => {
        for await (const [value] of on(bus, 'tick')) if (value === 'stop') break; // line: live loop
      };
      void loop();
      await Promise.resolve();
    });
    expect(result.findings.map((f) => [f.id, f.location?.line])).toEqual([['unsettled-task', lineOf('live loop')]]);
    bus.emit('tick', 'stop');
    // Let that loop finish first: resuming while the next scope runs would be cross-test-bleed.
    await new Promise((resolve) => setImmediate(resolve));
    const left = await tracer.trace('left loop', async () => {
      const loop = async () => {
        for await (const [value] of on(bus, 'tock')) if (value === 'stop') break;
      };
      const done = loop();
      // The loop already waits in next(): the event is delivered to it.
      bus.emit('tock', 'stop');
      await done;
    });
    expect(left.findings).toEqual([]);
  });
});

describe('stuck-stream: pipelines', () => {
  it('a promise pipeline whose source never ends and has nothing scheduled, at the pipeline call', async () => {
    const result = await fixture(tracer, 'stuck-stream/bad-pipeline-source-never-ends.ts');
    expect(summary(result.findings)).toEqual(['fixtures/runtime/stuck-stream/bad-pipeline-source-never-ends.ts:13 stuck-stream']);
    expect(result.findings[0]!.message).toBe(
      'pipeline(PassThrough → Writable) started in this scope has not finished when it ends and never will: its source PassThrough never ended and nothing that could feed it (a timer, handle or pending I/O) is scheduled',
    );
  });

  it('a callback pipeline whose destination is blocked forever; its streams are not reported again', async () => {
    const result = await fixture(tracer, 'stuck-stream/bad-pipeline-destination-blocked.ts');
    expect(summary(result.findings)).toEqual(['fixtures/runtime/stuck-stream/bad-pipeline-destination-blocked.ts:7 stuck-stream']);
    expect(result.findings[0]!.message).toMatch(/^pipeline\(Readable → PassThrough\) started in this scope has not finished when it ends and never will: its destination PassThrough is blocked with \d+ bytes buffered and nothing reads from it/);
  });

  it('a root task awaiting such a pipeline: the stuck pipeline, not a deadlock, at that line', async () => {
    const result = await tracer.trace('upload', async () => {
      const body = new PassThrough();
      await pipeline(body, new Writable({ write: (_chunk, _encoding, callback) => callback() })); // line: upload
    });
    expect(result.deadlocked).toBe(true);
    expect(result.findings.map((f) => [f.id, f.location?.line])).toEqual([['stuck-stream', lineOf('upload')]]);
  });

  it('not while a timer of the scope may still feed the source (the timer is the leak)', async () => {
    let feeder: NodeJS.Timeout | undefined;
    const body = new PassThrough();
    const result = await tracer.trace('fed', async () => {
      void pipeline(body, new Writable({ write: (_chunk, _encoding, callback) => callback() }));
      feeder = setInterval(() => body.write('tick'), 10_000); // line: feeder
      await Promise.resolve();
    });
    clearInterval(feeder);
    body.end();
    expect(result.findings.map((f) => [f.id, f.location?.line])).toEqual([['leaked-timer', lineOf('feeder')]]);
  });
});
