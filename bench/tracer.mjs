#!/usr/bin/env node
// Tracer overhead (issue 5): each workload untraced and traced, side by side in one run,
// alternating, 3 rounds each; the median is reported. Prints markdown for bench/RESULTS.md.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

const script = path.join(import.meta.dirname, 'tracer-workloads.mjs');
const rounds = Number(process.env.ROUNDS ?? 3);
const run = (workload, mode) => JSON.parse(execFileSync(process.execPath, [script, workload, mode], { encoding: 'utf8' }).trim().split('\n').pop());
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const rows = [];
for (const workload of ['promises', 'io', 'memory']) {
  const plain = [];
  const traced = [];
  for (let i = 0; i < rounds; i++) {
    plain.push(run(workload, 'plain'));
    traced.push(run(workload, 'traced'));
  }
  const p = { ms: median(plain.map((r) => r.ms)), rss: median(plain.map((r) => r.rssMB)) };
  const t = { ms: median(traced.map((r) => r.ms)), rss: median(traced.map((r) => r.rssMB)) };
  rows.push(`| ${workload} | ${p.ms} | ${t.ms} | ${(t.ms / p.ms).toFixed(2)} | ${p.rss} | ${t.rss} | ${(t.rss / p.rss).toFixed(2)} |`);
  process.stderr.write(`${workload}: plain ${p.ms} ms / ${p.rss} MB, traced ${t.ms} ms / ${t.rss} MB\n`);
}
console.log(
  [
    `Machine: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; median of ${rounds} alternating runs.`,
    '',
    '| workload | untraced ms | traced ms | × time | untraced RSS MB | traced RSS MB | × memory |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n'),
);
