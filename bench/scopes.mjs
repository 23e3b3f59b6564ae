#!/usr/bin/env node
// Per-scope cost of the tracer (what the Vitest plugin pays per test), without Vitest:
// SCOPES scopes (default 500), each the body of one generated bench test (an interval
// cleared at the end, a 0-2 ms sleep, a 200-await chain, a temp file written, read and
// removed), run plain, or each inside `tracer.start()` … `await scope.end()` as the
// plugin's runner does. For profiling (`node --cpu-prof`, `clinic flame -- node …`).
// Usage: node bench/scopes.mjs [plain|traced] ; ASYNCSAN_TRACER_DIST=<dir> loads another build.
// Prints one JSON line: { ms, perScopeMs, findings }.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const mode = process.argv[2] ?? 'traced';
const scopes = Number(process.env.SCOPES ?? 500);
const dist = process.env.ASYNCSAN_TRACER_DIST || path.join(import.meta.dirname, '../packages/tracer/dist');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function chain(depth) {
  let sum = 0;
  for (let i = 0; i < depth; i++) sum += await Promise.resolve(i);
  return sum;
}

async function body(t) {
  const timer = setInterval(() => {}, 1000);
  await sleep(t % 3);
  if ((await chain(200)) !== 19900) throw new Error('wrong sum');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'asyncsan-scopes-'));
  await writeFile(path.join(dir, 'a.txt'), 'x'.repeat(1024));
  if ((await readFile(path.join(dir, 'a.txt'), 'utf8')).length !== 1024) throw new Error('short read');
  await rm(dir, { recursive: true });
  clearInterval(timer); // the afterEach of the generated suite
}

let findings = 0;
const started = performance.now();
if (mode === 'plain') {
  for (let t = 0; t < scopes; t++) await body(t);
} else {
  const { createTracer } = await import(pathToFileURL(path.join(dist, 'index.js')).href);
  const tracer = createTracer({ cwd: process.cwd() });
  for (let t = 0; t < scopes; t++) {
    // As the plugin's runner: the scope is entered in a fresh async context for each test.
    const scope = await new Promise((resolve) => {
      setImmediate(() => {
        const s = tracer.start(`test ${t}`, { test: { file: 'bench.mjs', name: `test ${t}`, fullName: `test ${t}` } });
        resolve({ s, run: s.waitFor(Promise.resolve().then(() => body(t))) });
      });
    });
    await scope.run;
    findings += (await scope.s.end({ noun: 'test' })).length;
  }
  tracer.stop();
}
const ms = performance.now() - started;
console.log(JSON.stringify({ mode, scopes, ms: Math.round(ms), perScopeMs: +(ms / scopes).toFixed(3), findings }));
