#!/usr/bin/env node
// Tracer overhead (issue 5): each workload untraced and traced, side by side in one run,
// alternating, ROUNDS rounds each (default 5); the median is reported. Beside them, the
// same workload inside a bare AsyncLocalStorage store ("context"): on Node 20 that alone
// switches on async_hooks' promise tracking, the floor under any tracer that follows
// async context. ASYNCSAN_TRACER_DIST=<dir> compares another build of the tracer too.
// Prints markdown for bench/RESULTS.md.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

const script = path.join(import.meta.dirname, 'tracer-workloads.mjs');
const rounds = Number(process.env.ROUNDS ?? 5);
const other = process.env.ASYNCSAN_TRACER_DIST;
const run = (workload, mode, env = {}) =>
  JSON.parse(
    execFileSync(process.execPath, [script, workload, mode], { encoding: 'utf8', env: { ...process.env, ASYNCSAN_TRACER_DIST: '', ...env } })
      .trim()
      .split('\n')
      .pop(),
  );
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const modes = [
  ['untraced', (w) => run(w, 'plain')],
  ['context only', (w) => run(w, 'context')],
  ...(other ? [[`traced (${other})`, (w) => run(w, 'traced', { ASYNCSAN_TRACER_DIST: other })]] : []),
  ['traced', (w) => run(w, 'traced')],
];

const rows = [];
for (const workload of (process.env.WORKLOADS ?? 'promises,io,memory').split(',')) {
  const results = modes.map(() => []);
  for (let i = 0; i < rounds; i++) modes.forEach(([, fn], j) => results[j].push(fn(workload)));
  const med = results.map((rs) => ({ ms: median(rs.map((r) => r.ms)), rss: median(rs.map((r) => r.rssMB)), all: rs.map((r) => r.ms) }));
  const base = med[0];
  modes.forEach(([label], j) => {
    const m = med[j];
    rows.push(`| ${workload} | ${label} | ${m.ms} | ${(m.ms / base.ms).toFixed(2)} | ${m.rss} | ${(m.rss / base.rss).toFixed(2)} |`);
    process.stderr.write(`${workload} ${label}: ${m.ms} ms (${m.all.join(', ')}), ${m.rss} MB\n`);
  });
}
console.log(
  [
    `Machine: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; median of ${rounds} alternating runs.`,
    '',
    '| workload | mode | ms | × time | max RSS MB | × memory |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n'),
);
