#!/usr/bin/env node
// Leak detection of the test runners on the tracer's workloads (issue 5, "Performance"):
// each workload of bench/tracer-workloads.mjs becomes one Vitest test file and one Jest
// test file (generated into bench/.work/leak-tools), run plain and with the runner's own
// leak detection on (Vitest --detectAsyncLeaks, Jest --detectOpenHandles), and in Vitest
// with the asyncsan plugin, alternating, ROUNDS rounds each; medians are reported.
// "test ms" is the workload's own time measured inside the test, "wall ms" the whole
// runner process. Jest comes from bench/.work/jest (npm install --prefix bench/.work/jest jest),
// never from the repo's node_modules; without it the Jest rows are skipped.
// Prints markdown.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { workloads } from './tracer-workloads.mjs';

const repo = path.resolve(import.meta.dirname, '..');
const work = path.join(import.meta.dirname, '.work', 'leak-tools');
const vitest = path.join(repo, 'node_modules/vitest/vitest.mjs');
const plugin = path.join(repo, 'packages/vitest/dist/index.js');
const jest = path.join(import.meta.dirname, '.work/jest/node_modules/jest/bin/jest.js');
const rounds = Number(process.env.ROUNDS ?? 3);
const only = process.env.WORKLOADS?.split(',') ?? Object.keys(workloads);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The workload's source, the same text in both runners; the test writes its own duration to $LEAK_TOOLS_OUT. */
function testFile(name, flavour) {
  const imports =
    flavour === 'esm'
      ? [
          `import { createServer, connect } from 'node:net';`,
          `import { readFile, writeFile } from 'node:fs/promises';`,
          `import { appendFileSync } from 'node:fs';`,
          `import os from 'node:os';`,
          `import path from 'node:path';`,
          `import { test } from 'vitest';`,
        ]
      : [
          `const { createServer, connect } = require('node:net');`,
          `const { readFile, writeFile } = require('node:fs/promises');`,
          `const { appendFileSync } = require('node:fs');`,
          `const os = require('node:os');`,
          `const path = require('node:path');`,
        ];
  return [
    ...imports,
    `const workloads = { ${workloads[name].toString()} };`,
    `test(${JSON.stringify(name)}, async () => {`,
    `  const started = performance.now();`,
    `  await workloads[${JSON.stringify(name)}]();`,
    `  appendFileSync(process.env.LEAK_TOOLS_OUT, JSON.stringify({ ms: performance.now() - started }) + '\\n');`,
    `}, 600_000);`,
    '',
  ].join('\n');
}

function vitestConfig(name, withPlugin) {
  return [
    `import { defineConfig } from 'vitest/config';`,
    withPlugin ? `import asyncsan from ${JSON.stringify(plugin)};` : '',
    `export default defineConfig({`,
    withPlugin ? `  plugins: [asyncsan({ mode: 'warn' })],` : '',
    `  test: { include: [${JSON.stringify(`vitest/${name}.test.mjs`)}], testTimeout: 600_000 },`,
    `});`,
    '',
  ].join('\n');
}

rmSync(work, { recursive: true, force: true });
mkdirSync(path.join(work, 'vitest'), { recursive: true });
mkdirSync(path.join(work, 'jest'), { recursive: true });
writeFileSync(
  path.join(work, 'jest', 'jest.config.cjs'),
  `module.exports = { testMatch: ['**/*.test.cjs'], transform: {}, testEnvironment: 'node', testTimeout: 600000, cache: false };\n`,
);
for (const name of only) {
  writeFileSync(path.join(work, 'vitest', `${name}.test.mjs`), testFile(name, 'esm'));
  writeFileSync(path.join(work, `${name}.plain.config.mjs`), vitestConfig(name, false));
  writeFileSync(path.join(work, `${name}.asyncsan.config.mjs`), vitestConfig(name, true));
  writeFileSync(path.join(work, 'jest', `${name}.test.cjs`), testFile(name, 'cjs'));
}

const hasJest = existsSync(jest);
/** Tool variants: [label, argv builder]. */
const variants = [
  ['Vitest', 'plain', (w) => [vitest, 'run', '--config', path.join(work, `${w}.plain.config.mjs`), '--root', work]],
  ['Vitest', '--detectAsyncLeaks', (w) => [vitest, 'run', '--config', path.join(work, `${w}.plain.config.mjs`), '--root', work, '--detectAsyncLeaks']],
  ['Vitest', 'asyncsan plugin', (w) => [vitest, 'run', '--config', path.join(work, `${w}.asyncsan.config.mjs`), '--root', work]],
  ...(hasJest
    ? [
        ['Jest', 'plain', (w) => [jest, '--config', path.join(work, 'jest', 'jest.config.cjs'), '--rootDir', path.join(work, 'jest'), `${w}.test.cjs`]],
        ['Jest', '--detectOpenHandles', (w) => [jest, '--config', path.join(work, 'jest', 'jest.config.cjs'), '--rootDir', path.join(work, 'jest'), '--detectOpenHandles', `${w}.test.cjs`]],
      ]
    : []),
];

/** A run longer than this (ms) is stopped and recorded as "> limit". */
const limit = Number(process.env.LIMIT_MS ?? 300_000);

function runOnce(argv) {
  const out = path.join(work, `out-${process.pid}.jsonl`);
  rmSync(out, { force: true });
  const started = performance.now();
  const r = spawnSync(process.execPath, argv, {
    cwd: work,
    env: { ...process.env, LEAK_TOOLS_OUT: out, CI: '1', FORCE_COLOR: '0' },
    encoding: 'utf8',
    timeout: limit,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  const wall = performance.now() - started;
  if (r.error?.code === 'ETIMEDOUT' || (r.signal === 'SIGKILL' && wall >= limit)) return { wall: Infinity, test: Infinity };
  if (r.status !== 0 || !existsSync(out)) throw new Error(`failed: ${argv.join(' ')}\n${r.stdout}\n${r.stderr}`);
  return { wall, test: JSON.parse(readFileSync(out, 'utf8').trim().split('\n').pop()).ms };
}

const show = (ms) => (Number.isFinite(ms) ? String(Math.round(ms)) : `> ${limit}`);
const ratio = (a, b) => (Number.isFinite(a) ? (a / b).toFixed(2) : `> ${(limit / b).toFixed(0)}`);

const rows = [];
for (const name of only) {
  const results = variants.map(() => []);
  for (let i = 0; i < rounds; i++) variants.forEach(([, , argv], j) => results[j].push(runOnce(argv(name))));
  const plainOf = (tool) => results[variants.findIndex(([t, v]) => t === tool && v === 'plain')];
  variants.forEach(([tool, variant], j) => {
    const test = median(results[j].map((r) => r.test));
    const wall = median(results[j].map((r) => r.wall));
    const base = plainOf(tool);
    const baseTest = median(base.map((r) => r.test));
    const baseWall = median(base.map((r) => r.wall));
    rows.push(`| ${name} | ${tool} | ${variant} | ${show(test)} | ${ratio(test, baseTest)} | ${show(wall)} | ${ratio(wall, baseWall)} |`);
    process.stderr.write(`${name} ${tool} ${variant}: test ${show(test)} ms, wall ${show(wall)} ms\n`);
  });
}
console.log(
  [
    `Machine: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; median of ${rounds} alternating runs${hasJest ? '' : '; Jest not installed (npm install --prefix bench/.work/jest jest), its rows skipped'}.`,
    '',
    '| workload | runner | leak detection | test ms | × test | wall ms | × wall |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n'),
);
