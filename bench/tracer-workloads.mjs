// Workloads for bench/tracer.mjs. Run as: node tracer-workloads.mjs <workload> <plain|context|traced>
// `context` runs the workload inside an AsyncLocalStorage store and nothing else: on Node 20 that alone
// switches on async_hooks' promise tracking, the floor under any tracer that follows async context.
// Prints one JSON line: { ms, rssMB, findings }.
import { createServer, connect } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The workloads. Each body uses only the imports above (net, fs/promises, os, path): bench/leak-tools.mjs
 * copies their source into generated Vitest and Jest test files.
 */
export const workloads = {
  /** One million promises: awaits in a loop and Promise.all fan-outs. */
  async promises() {
    let sum = 0;
    for (let i = 0; i < 400_000; i++) sum += await Promise.resolve(i);
    for (let round = 0; round < 60; round++) {
      const values = await Promise.all(Array.from({ length: 10_000 }, async (_, i) => i));
      sum += values.length;
    }
    return sum;
  },
  /** Timers, file I/O and loopback TCP round trips. */
  async io() {
    const file = path.join(os.tmpdir(), `asyncsan-bench-${process.pid}.txt`);
    await writeFile(file, 'x'.repeat(64 * 1024));
    const server = createServer((s) => s.on('data', (d) => s.write(d)));
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address();
    let n = 0;
    for (let round = 0; round < 40; round++) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => new Promise((r) => setTimeout(r, i % 3))));
      await Promise.all(Array.from({ length: 20 }, () => readFile(file)));
      const socket = connect(port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      for (let i = 0; i < 25; i++) {
        socket.write('ping');
        await new Promise((r) => socket.once('data', r));
        n++;
      }
      socket.destroy();
    }
    await new Promise((r) => server.close(r));
    return n;
  },
  /** Memory: one million promises alive at once. */
  async memory() {
    const held = [];
    for (let i = 0; i < 1_000_000; i++) held.push(new Promise((r) => (i % 2 ? r(i) : undefined)));
    return held.length;
  },
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main(...process.argv.slice(2));

async function main(workload, mode) {
  const work = workloads[workload];
  if (!work) throw new Error(`unknown workload ${workload}`);
  let findings = 0;
  // Loading the tracer's modules is a one-time cost per process, not overhead on the workload: it happens before the clock starts.
  // ASYNCSAN_TRACER_DIST: another build of the tracer, to compare two versions in one run.
  const dist = process.env.ASYNCSAN_TRACER_DIST ? pathToFileURL(path.resolve(process.env.ASYNCSAN_TRACER_DIST, 'index.js')).href : '../packages/tracer/dist/index.js';
  const { createTracer } = mode === 'traced' ? await import(dist) : {};
  const started = performance.now();
  if (mode === 'traced') {
    const tracer = createTracer();
    const result = await tracer.trace(workload, work);
    findings = result.findings.length;
    tracer.stop();
  } else if (mode === 'context') {
    const { AsyncLocalStorage } = await import('node:async_hooks');
    await new AsyncLocalStorage().run({}, work);
  } else {
    await work();
  }
  const ms = performance.now() - started;
  console.log(JSON.stringify({ ms: Math.round(ms), rssMB: Math.round(process.resourceUsage().maxRSS / 1024), findings }));
}
