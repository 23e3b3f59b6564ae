#!/usr/bin/env node
// `npm run demo`: asyncsan on the bundled example service (fixtures/demo/), statically and at test time.
// `npm run demo:ci` (--ci): the same as a CI job would run it, writing every report format to fixtures/demo/.asyncsan/ci/.
// Finding hazards there is the point, so exit code 1 ("findings") counts as success here;
// 2 (a usage, config or internal error) does not.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const demo = path.join(root, 'fixtures/demo');
const bin = path.join(root, 'packages/cli/bin/asyncsan.js');
const vitest = path.join(root, 'node_modules/vitest/vitest.mjs');
const ci = process.argv.includes('--ci');
const out = path.join(demo, '.asyncsan/ci');

function step(title, display, args, options = {}) {
  process.stdout.write(`\n\u001b[1m$ ${display}\u001b[0m   # ${title}\n\n`);
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', ...options });
  if (r.status !== 0 && r.status !== 1) {
    process.stderr.write(`demo: "${display}" failed with exit code ${r.status}\n`);
    process.exit(r.status ?? 2);
  }
  return r.status;
}

if (ci) mkdirSync(out, { recursive: true });
const staticJson = path.join(out, 'static.json');
const runtimeJson = ci ? path.join(out, 'runtime.json') : path.join(demo, '.asyncsan/findings.json');

// Every step runs in fixtures/demo, as a CI job of that project would: the
// static and runtime findings then name the same files the same way.
step(
  'static analysis: the same checks as the ESLint rules, plus whole-program ones',
  `asyncsan check .${ci ? ` --format json --output ${path.relative(demo, staticJson)}` : ''}   (in fixtures/demo)`,
  [bin, 'check', '.', ...(ci ? ['--format', 'json', '--output', staticJson] : [])],
  { cwd: demo },
);
step(
  "the demo's own Vitest suite with the asyncsan plugin: leaks and stuck tasks, per test",
  'vitest run (in fixtures/demo, plugins: [asyncsan()])',
  [vitest, 'run', '--root', demo],
  { cwd: demo, env: { ...process.env, ASYNCSAN_FINDINGS: runtimeJson, ...(ci ? {} : { CI: '' }) } },
);
if (ci) {
  for (const format of ['html', 'sarif', 'junit', 'markdown', 'github', 'json']) {
    const ext = { html: 'html', sarif: 'sarif', junit: 'xml', markdown: 'md', github: 'txt', json: 'json' }[format];
    step(`merged report (${format})`, `asyncsan report static.json runtime.json --format ${format}`, [
      bin, 'report', staticJson, runtimeJson, '--format', format, '--output', path.join(out, `report.${ext}`),
    ], { cwd: demo });
  }
  process.stdout.write(`\nReports in ${path.relative(root, out)}/ (open report.html in a browser: the findings, and a timeline per failing test of what it started and what outlived it).\n`);
}
process.stdout.write('\nThe demo service has these hazards on purpose: see fixtures/demo/README.md.\n');
