#!/usr/bin/env node
// @asyncsan/vitest overhead (issues 6 and 7): real `vitest run`s, plain and with the
// plugin, alternating, ROUNDS rounds each (default 3); the median wall time is reported.
// Prints a markdown table (writes nothing to bench/RESULTS.md).
//
// SUITES (comma list, default demo,generated):
//   demo       fixtures/demo (7 modules of TypeScript, one test file)
//   generated  bench/.work/vitest/generated: FILES files × TESTS tests (default 200 × 10),
//              every test sleeps, chains promises, touches the disk and cleans up
//   repo       this repo's own unit tests of packages/core and packages/checks (root: the
//              repo, so the race transform instruments the project's own sources that
//              those tests load through Vite; node_modules are never instrumented)
// MODES (comma list, default plain,leak): plain; leak = asyncsan({ mode: 'warn' });
//   race = asyncsan({ race: true, mode: 'warn' }).
// BUILDS=label=<dir>,…: copies of other builds, each laid out as <dir>/node_modules/@asyncsan/
//   {core,tracer,vitest}; their leak/race modes run in the same alternation ("leak (label)").
//   BEFORE=<dir> is short for BUILDS=before=<dir>.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '..');
const work = path.join(import.meta.dirname, '.work', 'vitest');
const vitest = path.join(repo, 'node_modules/vitest/vitest.mjs');
// Other builds to compare, as label=dir pairs: BUILDS=before=bench/.work/before (BEFORE=<dir> is before=<dir>).
const builds = (process.env.BUILDS ?? (process.env.BEFORE ? `before=${process.env.BEFORE}` : ''))
  .split(',')
  .filter(Boolean)
  .map((pair) => {
    const [label, dir] = pair.split('=');
    return { label, plugin: path.resolve(dir, 'node_modules/@asyncsan/vitest/dist/index.js') };
  });
const current = path.join(repo, 'packages/vitest/dist/index.js');
const rounds = Number(process.env.ROUNDS ?? 3);
const files = Number(process.env.FILES ?? 200);
const tests = Number(process.env.TESTS ?? 10);
const suiteNames = (process.env.SUITES ?? 'demo,generated').split(',');
const modeNames = (process.env.MODES ?? 'plain,leak').split(',');
/**
 * CPU seconds of waited-for children (Linux /proc: cutime + cstime, in clock ticks of 10 ms): Vitest and
 * its workers. On a shared machine CPU time is steadier than wall time, which other load stretches.
 */
function childCpuMs() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return NaN;
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One test file of the generated suite: every test sleeps, chains promises, touches the disk and cleans up. */
function generatedFile(n) {
  const body = [];
  body.push(`import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';`);
  body.push(`import os from 'node:os';`);
  body.push(`import path from 'node:path';`);
  body.push(`import { afterEach, describe, expect, it } from 'vitest';`);
  body.push(`const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));`);
  body.push(`async function chain(depth) { let sum = 0; for (let i = 0; i < depth; i++) sum += await Promise.resolve(i); return sum; }`);
  body.push(`describe('file ${n}', () => {`);
  body.push(`  let timer;`);
  body.push(`  afterEach(() => clearInterval(timer));`);
  for (let t = 0; t < tests; t++) {
    body.push(`  it('test ${t}', async () => {`);
    body.push(`    timer = setInterval(() => {}, 1000);`);
    body.push(`    await sleep(${t % 3});`);
    body.push(`    expect(await chain(200)).toBe(19900);`);
    body.push(`    const dir = await mkdtemp(path.join(os.tmpdir(), 'asyncsan-bench-'));`);
    body.push(`    await writeFile(path.join(dir, 'a.txt'), 'x'.repeat(1024));`);
    body.push(`    expect((await readFile(path.join(dir, 'a.txt'), 'utf8')).length).toBe(1024);`);
    body.push(`    await rm(dir, { recursive: true });`);
    body.push(`  });`);
  }
  body.push(`});`);
  return `${body.join('\n')}\n`;
}

/** The modes to compare, each a config variant; the first is the baseline. */
function modes() {
  const out = [];
  for (const name of modeNames) {
    if (name === 'plain') {
      out.push({ label: 'plain' });
      continue;
    }
    const options = name === 'race' ? `{ race: true, mode: 'warn' }` : `{ mode: 'warn' }`;
    if (name !== 'leak' && name !== 'race') throw new Error(`unknown mode ${name}`);
    for (const b of builds) out.push({ label: `${name} (${b.label})`, plugin: b.plugin, options });
    out.push({ label: name, plugin: current, options });
  }
  return out;
}

function config(include, mode) {
  return [
    `import { defineConfig } from 'vitest/config';`,
    mode.plugin ? `import asyncsan from ${JSON.stringify(mode.plugin)};` : '',
    `export default defineConfig({`,
    mode.plugin ? `  plugins: [asyncsan(${mode.options})],` : '',
    `  test: { include: ${JSON.stringify(include)}, testTimeout: 60_000 },`,
    `});`,
    '',
  ].join('\n');
}

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const suites = [];
for (const name of suiteNames) {
  if (name === 'demo') suites.push({ name: 'fixtures/demo', root: path.join(repo, 'fixtures/demo'), include: ['test/**/*.test.ts'] });
  else if (name === 'generated') {
    const generated = path.join(work, 'generated');
    mkdirSync(path.join(generated, 'test'), { recursive: true });
    for (let n = 0; n < files; n++) writeFileSync(path.join(generated, 'test', `f${String(n).padStart(3, '0')}.test.mjs`), generatedFile(n));
    suites.push({ name: `generated (${files} files × ${tests} tests)`, root: generated, include: ['test/**/*.test.mjs'] });
  } else if (name === 'repo') {
    suites.push({ name: 'repo: packages/core + packages/checks tests', root: repo, include: ['packages/core/test/**/*.test.ts', 'packages/checks/test/**/*.test.ts'] });
  } else throw new Error(`unknown suite ${name}`);
}

function run(suite, mode, i) {
  const file = path.join(work, `${suite.name.replace(/\W+/g, '-')}-${mode.label.replace(/\W+/g, '-')}.config.mjs`);
  writeFileSync(file, config(suite.include, mode));
  const started = process.hrtime.bigint();
  const cpuBefore = childCpuMs();
  const r = spawnSync(process.execPath, [vitest, 'run', '--root', suite.root, '--config', file, '--reporter=dot'], {
    cwd: suite.root,
    encoding: 'utf8',
    env: { ...process.env, CI: '', NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
  const cpu = childCpuMs() - cpuBefore;
  const summary = /Tests\s+(.*)/.exec(r.stdout)?.[1]?.trim() ?? `exit ${r.status}`;
  const hazards = /asyncsan\s+(\d+) async hazards?/.exec(r.stdout)?.[1] ?? '0';
  process.stderr.write(`  ${suite.name} ${mode.label} #${i + 1}: ${ms} ms, cpu ${cpu} ms (${summary}; ${mode.plugin ? `${hazards} findings` : 'no plugin'})\n`);
  return { ms, cpu, summary: mode.plugin ? `${summary}; ${hazards} findings` : summary };
}

const rows = [];
for (const suite of suites) {
  const ms = modes();
  const times = ms.map(() => []);
  const cpus = ms.map(() => []);
  const summaries = ms.map(() => '');
  for (let i = 0; i < rounds; i++) {
    ms.forEach((mode, j) => {
      const r = run(suite, mode, i);
      times[j].push(r.ms);
      cpus[j].push(r.cpu);
      summaries[j] = r.summary;
    });
  }
  const base = median(times[0]);
  const baseCpu = median(cpus[0]);
  ms.forEach((mode, j) => {
    const m = median(times[j]);
    const c = median(cpus[j]);
    rows.push(`| ${suite.name} | ${mode.label} | ${m} | ${(m / base).toFixed(2)} | ${c} | ${(c / baseCpu).toFixed(2)} | ${times[j].join(', ')} | ${summaries[j]} |`);
  });
}
console.log(
  [
    `Machine: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}, Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; wall time and CPU time (Vitest and its workers) per \`vitest run\`, medians of ${rounds} alternating runs; plugin in warn mode.`,
    '',
    '| suite | mode | wall ms | × plain | CPU ms | × plain | all runs, wall ms | tests; findings |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- | --- |',
    ...rows,
  ].join('\n'),
);
