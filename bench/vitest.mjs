#!/usr/bin/env node
// @asyncsan/vitest overhead (issue 7): real Vitest runs of fixtures/demo and of a
// generated suite (bench/.work/vitest/generated: FILES files × TESTS tests with timers,
// promises and file I/O), plain vs with the plugin in warn mode, alternating,
// ROUNDS rounds each; the median wall time is reported. Prints a markdown table
// (writes nothing to bench/RESULTS.md).
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '..');
const work = path.join(import.meta.dirname, '.work', 'vitest');
const vitest = path.join(repo, 'node_modules/vitest/vitest.mjs');
const plugin = path.join(repo, 'packages/vitest/dist/index.js');
const rounds = Number(process.env.ROUNDS ?? 3);
const files = Number(process.env.FILES ?? 200);
const tests = Number(process.env.TESTS ?? 10);
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

function config(include, withPlugin) {
  return [
    `import { defineConfig } from 'vitest/config';`,
    withPlugin ? `import asyncsan from ${JSON.stringify(plugin)};` : '',
    `export default defineConfig({`,
    withPlugin ? `  plugins: [asyncsan({ mode: 'warn' })],` : '',
    `  test: { include: ${JSON.stringify(include)} },`,
    `});`,
    '',
  ].join('\n');
}

rmSync(work, { recursive: true, force: true });
const generated = path.join(work, 'generated');
mkdirSync(path.join(generated, 'test'), { recursive: true });
for (let n = 0; n < files; n++) writeFileSync(path.join(generated, 'test', `f${String(n).padStart(3, '0')}.test.mjs`), generatedFile(n));

const suites = [
  { name: 'fixtures/demo', root: path.join(repo, 'fixtures/demo'), include: ['test/**/*.test.ts'] },
  { name: `generated (${files} files × ${tests} tests)`, root: generated, include: ['test/**/*.test.mjs'] },
];

function run(suite, withPlugin) {
  const file = path.join(work, `${suite.name.replace(/\W+/g, '-')}-${withPlugin ? 'asyncsan' : 'plain'}.config.mjs`);
  writeFileSync(file, config(suite.include, withPlugin));
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [vitest, 'run', '--root', suite.root, '--config', file, '--reporter=dot'], {
    cwd: suite.root,
    encoding: 'utf8',
    env: { ...process.env, CI: '', NO_COLOR: '1' },
  });
  const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
  const summary = /Tests\s+(.*)/.exec(r.stdout)?.[1]?.trim() ?? `exit ${r.status}`;
  return { ms, summary };
}

const rows = [];
for (const suite of suites) {
  const plain = [];
  const traced = [];
  let summaries;
  for (let i = 0; i < rounds; i++) {
    const p = run(suite, false);
    const t = run(suite, true);
    plain.push(p.ms);
    traced.push(t.ms);
    summaries = `${p.summary} / ${t.summary}`;
  }
  const p = median(plain);
  const t = median(traced);
  rows.push(`| ${suite.name} | ${p} | ${t} | ${(t / p).toFixed(2)} | ${summaries} |`);
  process.stderr.write(`${suite.name}: plain ${plain.join(', ')} ms; with asyncsan ${traced.join(', ')} ms\n`);
}
console.log(
  [
    `Machine: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}, Node ${process.version}, Vitest wall time per \`vitest run\`, median of ${rounds} alternating runs; plugin in warn mode.`,
    '',
    '| suite | plain ms | with @asyncsan/vitest ms | × time | tests (plain / with plugin) |',
    '| --- | ---: | ---: | ---: | --- |',
    ...rows,
  ].join('\n'),
);
