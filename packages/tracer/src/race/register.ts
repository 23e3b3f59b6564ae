/**
 * Race mode for a whole program: `node --import @asyncsan/tracer/race/register app.mjs`.
 * Installs the race runtime, registers the loader hooks that instrument the
 * program's own modules, and at exit reports the races that happened: JSON into
 * $ASYNCSAN_OUTPUT_DIR/<pid>-race.json as { version: 1, findings }, or the
 * `WARNING: ASYNC RACE` text on stderr; also when SIGINT or SIGTERM kills it. ASYNCSAN_SHUFFLE=<seed> turns on the
 * seeded shuffle; the seed is printed first, and again when the program fails.
 * ASYNCSAN_RACE_START_STACKS=0 drops the per-call "started at" stacks (faster).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { beforeSignalDeath } from '../signals.js';
import { installRaceRuntime } from './runtime.js';
import { parseSeed } from './shuffle.js';

if (isMainThread) {
  const seed = parseSeed(process.env.ASYNCSAN_SHUFFLE);
  // A whole program can afford a few frames per async call to say where each task started.
  // Compiled TypeScript (tsc's .js and its source map): races are reported at the .ts lines.
  const runtime = installRaceRuntime({ shuffleSeed: seed, startStacks: process.env.ASYNCSAN_RACE_START_STACKS !== '0', sourceMaps: true });
  if (seed !== undefined) process.stderr.write(`asyncsan: --shuffle seed ${seed} (ASYNCSAN_SHUFFLE=${seed} reproduces this order)\n`);
  // Stacks through the instrumented code point at the original lines.
  process.setSourceMapsEnabled(true);
  register('./loader.js', import.meta.url);

  let written = false;
  const writeReport = () => {
    if (written) return;
    written = true;
    const dir = process.env.ASYNCSAN_OUTPUT_DIR;
    try {
      if (dir) {
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, `${process.pid}-race.json`), `${JSON.stringify({ version: 1, findings: runtime.findings }, null, 2)}\n`);
      } else {
        for (const text of runtime.reports) process.stderr.write(text);
      }
    } catch (error) {
      process.stderr.write(`asyncsan: could not write the race report: ${String(error)}\n`);
    }
  };
  process.on('exit', (code) => {
    writeReport();
    if (seed !== undefined && code !== 0) {
      process.stderr.write(`asyncsan: the program failed (exit code ${code}) under --shuffle seed ${seed}; rerun with ASYNCSAN_SHUFFLE=${seed} to reproduce\n`);
    }
  });
  // A server stops only when it is interrupted, and dies of the signal without an 'exit' event: the races it saw are written first.
  beforeSignalDeath(writeReport);
}
