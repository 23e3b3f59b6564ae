/**
 * Timers on a fake clock (@sinonjs/fake-timers): pending in the clock's queue at
 * the scope's end while the clock is still installed = leaked-timer; run, cleared
 * or uninstalled = nothing. The globals keep their attributes and come back as
 * data properties when the tracer stops.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { install } from '@sinonjs/fake-timers';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createTracer } from '@asyncsan/tracer';
import { repoRoot } from '@asyncsan/test-harness/expectations';

const self = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
const lineOf = (name: string) => self.findIndex((l) => l.endsWith(`// line: ${name}`)) + 1;

const realSetTimeout = globalThis.setTimeout;
const before = Object.getOwnPropertyDescriptor(globalThis, 'setTimeout')!;
const tracer = createTracer({ cwd: repoRoot });
afterAll(() => tracer.stop());

const TIMERS = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate'] as const;

describe('fake clocks', () => {
  it('a fake timer still queued at the end while the clock is installed is a leaked timer, at its line', async () => {
    const clock = install({ toFake: [...TIMERS] });
    try {
      const result = await tracer.trace('fake', () => {
        setTimeout(() => {}, 5_000); // line: fake timeout
        setInterval(() => {}, 1_000); // line: fake interval
        setImmediate(() => {}); // line: fake immediate
      });
      expect(result.findings.map((f) => [f.id, f.location?.line, f.message])).toEqual([
        ['leaked-timer', lineOf('fake timeout'), expect.stringMatching(/^setTimeout\(…, 5000\) on a fake clock, created in this scope, has not fired yet when it ends and the fake clock is still installed/)],
        ['leaked-timer', lineOf('fake interval'), expect.stringMatching(/^setInterval\(…, 1000\) on a fake clock, created in this scope, is still armed/)],
        ['leaked-timer', lineOf('fake immediate'), expect.stringMatching(/^setImmediate\(…\) on a fake clock/)],
      ]);
    } finally {
      clock.uninstall();
    }
  });

  it('nothing once the fake timer ran, was cleared, or the clock was uninstalled', async () => {
    const clock = install({ toFake: [...TIMERS] });
    let uninstalled = false;
    try {
      const ran = await tracer.trace('ran and cleared', () => {
        setTimeout(() => {}, 5_000);
        clock.tick(5_000);
        clearInterval(setInterval(() => {}, 1_000));
      });
      expect(ran.findings).toEqual([]);
      const gone = await tracer.trace('uninstalled', () => {
        setTimeout(() => {}, 5_000);
        clock.uninstall();
        uninstalled = true;
      });
      expect(gone.findings).toEqual([]);
    } finally {
      if (!uninstalled) clock.uninstall();
    }
  });

  it('a fake timer created before the scope is not the scope’s', async () => {
    const clock = install({ toFake: [...TIMERS] });
    try {
      setTimeout(() => {}, 5_000);
      const result = await tracer.trace('later', () => {});
      expect(result.findings).toEqual([]);
    } finally {
      clock.uninstall();
    }
  });

  it('real timers are still reported as real ones alongside, and uninstall() puts the real function back', async () => {
    const clock = install({ toFake: ['setInterval', 'clearInterval'] });
    let real: NodeJS.Timeout | undefined;
    try {
      const result = await tracer.trace('mixed', () => {
        real = setTimeout(() => {}, 70_000); // line: real timeout
        setInterval(() => {}, 1_000); // line: fake only interval
      });
      expect(result.findings.map((f) => [f.location?.line, f.message.split(' created')[0]])).toEqual([
        [lineOf('real timeout'), 'setTimeout(…, 70000)'],
        [lineOf('fake only interval'), 'setInterval(…, 1000) on a fake clock,'],
      ]);
    } finally {
      clearTimeout(real);
      clock.uninstall();
    }
    expect(globalThis.setTimeout).toBe(realSetTimeout);
  });

  it("Vitest's vi.useFakeTimers() (its bundled copy of fake-timers) is followed the same way", async () => {
    vi.useFakeTimers();
    try {
      const installed = await tracer.trace('vi fake', () => {
        setTimeout(() => {}, 2_000); // line: vi timeout
      });
      expect(installed.findings.map((f) => [f.id, f.location?.line])).toEqual([['leaked-timer', lineOf('vi timeout')]]);
      const restored = await tracer.trace('vi restored', () => {
        setTimeout(() => {}, 2_000);
        vi.useRealTimers();
      });
      expect(restored.findings).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps the globals’ attributes while watching, and puts the data properties back on stop()', () => {
    const patched = Object.getOwnPropertyDescriptor(globalThis, 'setTimeout')!;
    expect(typeof patched.get).toBe('function');
    expect([patched.enumerable, patched.configurable]).toEqual([before.enumerable, true]);
    expect(globalThis.setTimeout).toBe(realSetTimeout);
    tracer.stop();
    expect(Object.getOwnPropertyDescriptor(globalThis, 'setTimeout')).toEqual(before);
  });
});
