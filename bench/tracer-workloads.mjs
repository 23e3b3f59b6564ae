// Workloads for bench/tracer.mjs. Run as: node tracer-workloads.mjs <workload> <plain|traced>
// Prints one JSON line: { ms, rssMB, findings }.
import { createServer, connect } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const [workload, mode] = process.argv.slice(2);

const workloads = {
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

const work = workloads[workload];
if (!work) throw new Error(`unknown workload ${workload}`);
let findings = 0;
const started = performance.now();
if (mode === 'traced') {
  const { createTracer } = await import('../packages/tracer/dist/index.js');
  const tracer = createTracer();
  const result = await tracer.trace(workload, work);
  findings = result.findings.length;
  tracer.stop();
} else {
  await work();
}
const ms = performance.now() - started;
console.log(JSON.stringify({ ms: Math.round(ms), rssMB: Math.round(process.resourceUsage().maxRSS / 1024), findings }));
