/**
 * @asyncsan/tracer/worker is the index bundled into one module for test workers
 * (scripts/bundle-tracer-worker.mjs): same API, and nothing of ours left to resolve.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('@asyncsan/tracer/worker', () => {
  it('exports exactly what the index exports', async () => {
    const index = await import('@asyncsan/tracer');
    const worker = await import('@asyncsan/tracer/worker');
    expect(Object.keys(worker).sort()).toEqual(Object.keys(index).sort());
  });

  it('is one module: it imports Node built-ins only', () => {
    const file = fileURLToPath(import.meta.resolve('@asyncsan/tracer/worker'));
    const specifiers = [...readFileSync(file, 'utf8').matchAll(/^import\b[^'"]*["']([^'"]+)["']/gm)].map((m) => m[1]);
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.filter((s) => !s!.startsWith('node:'))).toEqual([]);
  });

  it('traces: a leaked timer is found through the bundled entry', async () => {
    const { createTracer } = await import('@asyncsan/tracer/worker');
    const tracer = createTracer();
    try {
      let timer: NodeJS.Timeout | undefined;
      const { findings } = await tracer.trace('leaks', () => {
        timer = setTimeout(() => {}, 60_000);
      });
      clearTimeout(timer);
      expect(findings.map((f) => f.id)).toEqual(['leaked-timer']);
    } finally {
      tracer.stop();
    }
  });
});
