#!/usr/bin/env node
// Static-analysis benchmarks (issues 3 and 4), run side by side in one run on one machine:
//   tsc --noEmit  vs  asyncsan check           (wall time, peak RSS)
//   ESLint + typescript-eslint's three async rules  vs  asyncsan check
//   ESLint TIMING=1: every asyncsan rule together  vs  no-floating-promises alone
//   --floor: asyncsan check with floating-promise off, and with every check off (load + bind only)
// Usage: node bench/static.mjs [--runs N] [--skip-eslint] [--separate] [--floor] [--before DIR]   (prints markdown; paste into bench/RESULTS.md)
//   --before DIR  also times the asyncsan check of another built checkout (a git worktree of an earlier commit), in the
//                 same alternation: the before/after ratio of the analyser on one machine under one load. With every
//                 check (--strict when that CLI knows it; before it did, every check ran by default). ESLint with
//                 each build's `recommended` rules is timed in the same alternation too.
// The machine is shared: tsc, asyncsan check and ESLint run in alternation, N rounds (default 2); the
// table gives each command's median wall time, its CPU time (user + sys) and the load average around it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureCorpus } from './corpus.mjs';

const root = path.resolve(import.meta.dirname, '..');
const bin = (name) => path.join(root, 'node_modules/.bin', name);
const work = path.join(import.meta.dirname, '.work');
mkdirSync(work, { recursive: true });

/** Runs a command under GNU time; returns wall and CPU seconds, peak RSS (MB), load average, exit status, stdout. */
function measure(label, cmd, args, opts = {}) {
  const timeFile = path.join(work, 'time.txt');
  const load0 = os.loadavg()[0];
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, cmd, ...args], {
    cwd: opts.cwd ?? corpus.dir,
    env: { ...process.env, ...opts.env },
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const [secs, user, sys, kb] = execFileSync('tail', ['-1', timeFile], { encoding: 'utf8' }).trim().split(' ').map(Number);
  const load = (load0 + os.loadavg()[0]) / 2;
  const result = { label, seconds: secs, cpu: user + sys, rssMB: Math.round(kb / 1024), load, status: r.status, stdout: r.stdout, stderr: r.stderr };
  process.stderr.write(`${label}: ${secs}s wall, ${(user + sys).toFixed(1)}s CPU, ${result.rssMB} MB, load ${load.toFixed(1)}, exit ${r.status}\n`);
  return result;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** One row from several runs of the same command: median wall and CPU, max RSS, every wall time and load. */
function combine(runs) {
  return {
    label: runs[0].label,
    seconds: median(runs.map((r) => r.seconds)),
    cpu: median(runs.map((r) => r.cpu)),
    rssMB: Math.max(...runs.map((r) => r.rssMB)),
    status: runs[0].status,
    detail: runs.map((r) => `${r.seconds.toFixed(1)} (load ${r.load.toFixed(1)})`).join(', '),
    stdout: runs[0].stdout,
  };
}

/** TIMING=1 prints a table of the slowest rules; TIMING=all prints every rule. Parse "rule | ms | %". */
function timings(stdout) {
  const out = {};
  for (const line of stdout.split('\n')) {
    const m = /^(\S+)\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)%/.exec(line.trim());
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

function eslintConfig(file, rules, withAsyncsan) {
  writeFileSync(
    file,
    `import tseslint from ${JSON.stringify(path.join(root, 'node_modules/typescript-eslint/dist/index.js'))};
${withAsyncsan ? `import asyncsan from ${JSON.stringify(path.join(root, 'eslint-plugin/dist/index.js'))};` : ''}
export default [
  // The corpus lives under node_modules, which ESLint ignores by default.
  { ignores: ['!**/node_modules/'] },
  { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser, parserOptions: { project: ${JSON.stringify(path.join(corpus.dir, 'tsconfig.json'))}, tsconfigRootDir: ${JSON.stringify(corpus.dir)} } },
    plugins: { '@typescript-eslint': tseslint.plugin${withAsyncsan ? ', asyncsan' : ''} },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: ${JSON.stringify(rules)} },
];
`,
  );
}

/** ESLint with the `recommended` rules of the eslint-plugin built in `dir` (this checkout, or --before's). */
function recommendedConfig(file, dir) {
  writeFileSync(
    file,
    `import tseslint from ${JSON.stringify(path.join(root, 'node_modules/typescript-eslint/dist/index.js'))};
import asyncsan from ${JSON.stringify(path.join(dir, 'eslint-plugin/dist/index.js'))};
export default [
  { ignores: ['!**/node_modules/'] },
  { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser, parserOptions: { project: ${JSON.stringify(path.join(corpus.dir, 'tsconfig.json'))}, tsconfigRootDir: ${JSON.stringify(corpus.dir)} } },
    plugins: { asyncsan },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: asyncsan.configs.recommended.rules },
];
`,
  );
}

const corpus = ensureCorpus();
const skipEslint = process.argv.includes('--skip-eslint');
const files = ['node_modules/rxjs/src', 'node_modules/effect/src', 'node_modules/@tanstack/query-core/src', 'node_modules/zod/src', 'node_modules/@trpc/server/src'];

const runsArg = process.argv.indexOf('--runs');
const rounds = runsArg > 0 ? Math.max(1, Number(process.argv[runsArg + 1])) : 2;
const tsRules = { '@typescript-eslint/no-floating-promises': 'error', '@typescript-eslint/no-misused-promises': 'error', 'require-atomic-updates': 'error' };
const tsCfg = path.join(work, 'eslint.tseslint.config.mjs');
eslintConfig(tsCfg, tsRules, false);
const eslintArgs = (cfg) => [bin('eslint').replace('.bin/eslint', 'eslint/bin/eslint.js'), '--config', cfg, '--no-config-lookup', '--format', 'json', '-o', path.join(work, 'eslint-out.json'), ...files];
const checkArgs = (output, ...extra) =>
  // --backend ts6: the corpus has typescript 7 installed (a peer of @trpc/server), which would pick the ts7 back end (bench/ts7.mjs).
  [path.join(root, 'packages/cli/bin/asyncsan.js'), 'check', '--strict', '--backend', 'ts6', '--project', 'tsconfig.json', '--format', 'json', '--output', path.join(work, output), ...extra, '.'];
const commands = [
  ['tsc --noEmit', [bin('tsc').replace('.bin/tsc', 'typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit'], {}],
  ['asyncsan check', checkArgs('findings.json'), {}],
  // No TIMING here: its per-listener clock would slow the ESLint run the ratio is taken from.
  ...(skipEslint ? [] : [['eslint: no-floating-promises + no-misused-promises + require-atomic-updates', eslintArgs(tsCfg), {}]]),
];
const beforeArg = process.argv.indexOf('--before');
if (beforeArg > 0) {
  const dir = path.resolve(process.argv[beforeArg + 1] ?? '');
  const cli = path.join(dir, 'packages/cli/bin/asyncsan.js');
  const built = spawnSync(process.execPath, [cli, 'check', '--help'], { encoding: 'utf8' });
  if (built.status !== 0) {
    console.error(`--before ${dir}: no built asyncsan there (${cli} check --help failed; run npm install in that checkout)`);
    process.exit(2);
  }
  const rev = execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const args = checkArgs('findings.before.json').slice(1).filter((a) => a !== '--strict' || built.stdout.includes('--strict'));
  commands.splice(2, 0, [`asyncsan check, before (${rev})`, [cli, ...args], {}]);
  // The ESLint rules of both builds (recommended, as a user turns them on), in the same alternation.
  if (!skipEslint) {
    const now = path.join(work, 'eslint.recommended.config.mjs');
    const then = path.join(work, 'eslint.recommended.before.config.mjs');
    recommendedConfig(now, root);
    recommendedConfig(then, dir);
    commands.push(['eslint: asyncsan recommended', eslintArgs(now), {}], [`eslint: asyncsan recommended, before (${rev})`, eslintArgs(then), {}]);
  }
}
// What the run costs without its dearest check, and with no check at all (the Program's parse and bind).
if (process.argv.includes('--floor')) {
  const { claimedIds } = await import(path.join(root, 'packages/analyzer/dist/index.js'));
  const floorRun = (label, off) => {
    const name = label.replace(/\W+/g, '-');
    const cfg = path.join(work, `asyncsan.${name}.config.json`);
    writeFileSync(cfg, JSON.stringify({ severity: Object.fromEntries(off.map((id) => [id, 'off'])) }));
    return [label, checkArgs(`findings.${name}.json`, '--config', cfg), {}];
  };
  commands.push(floorRun('asyncsan check, floating-promise off', ['floating-promise']), floorRun('asyncsan check, every check off', claimedIds()));
}
// Alternating rounds, so that a burst of load from elsewhere falls on every command alike.
const runs = commands.map(() => []);
for (let round = 0; round < rounds; round++) {
  commands.forEach(([label, args, opts], i) => runs[i].push(measure(label, process.execPath, args, opts)));
}
const results = runs.map(combine);

let eslintRows = [];
if (!skipEslint) {
  const { default: asyncsan } = await import(path.join(root, 'eslint-plugin/dist/index.js'));
  const ourRules = Object.fromEntries(Object.keys(asyncsan.rules).map((id) => [`asyncsan/${id}`, 'error']));
  const ourCfg = path.join(work, 'eslint.asyncsan.config.mjs');
  eslintConfig(ourCfg, { ...ourRules, '@typescript-eslint/no-floating-promises': 'error' }, true);
  const ours = measure('eslint: all asyncsan rules + no-floating-promises', process.execPath, eslintArgs(ourCfg), { env: { TIMING: 'all' } });
  results.push(combine([ours]));
  const t = timings(ours.stdout);
  const nfp = t['@typescript-eslint/no-floating-promises'] ?? NaN;
  const oursTotal = Object.entries(t).filter(([k]) => k.startsWith('asyncsan/')).reduce((a, [, v]) => a + v, 0);
  eslintRows = [
    ['no-floating-promises (typescript-eslint)', nfp],
    ...Object.entries(t).filter(([k]) => k.startsWith('asyncsan/')).sort((a, b) => b[1] - a[1]),
    ['all asyncsan rules together', oursTotal],
  ];
  eslintRows.push(['ratio: asyncsan rules / no-floating-promises', oursTotal / nfp]);
  // In one run, no-floating-promises visits each statement before our rules run at Program:exit, so it pays
  // for type-checking what both need. --separate also times each side alone, each paying its own way.
  if (process.argv.includes('--separate')) {
    const aloneOurs = path.join(work, 'eslint.asyncsan-only.config.mjs');
    const aloneNfp = path.join(work, 'eslint.nfp-only.config.mjs');
    eslintConfig(aloneOurs, ourRules, true);
    eslintConfig(aloneNfp, { '@typescript-eslint/no-floating-promises': 'error' }, false);
    const o = measure('eslint: all asyncsan rules alone', process.execPath, eslintArgs(aloneOurs), { env: { TIMING: 'all' } });
    const n = measure('eslint: no-floating-promises alone', process.execPath, eslintArgs(aloneNfp), { env: { TIMING: 'all' } });
    results.push(combine([o]), combine([n]));
    const oursAlone = Object.entries(timings(o.stdout)).filter(([k]) => k.startsWith('asyncsan/')).reduce((a, [, v]) => a + v, 0);
    const nfpAlone = timings(n.stdout)['@typescript-eslint/no-floating-promises'] ?? NaN;
    eslintRows.push(['separate runs: all asyncsan rules alone', oursAlone], ['separate runs: no-floating-promises alone', nfpAlone], ['ratio (separate runs)', oursAlone / nfpAlone]);
  }
}

const fmt = (n) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : 'n/a');
const base = results[0];
const lines = [
  `Machine: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
  `Corpus: ${corpus.total} TypeScript files (${Object.entries(corpus.files).map(([k, v]) => `${k} ${v}`).join(', ')}).`,
  `${rounds} alternating rounds; wall and CPU (user + sys) are medians, peak RSS the maximum.`,
  '',
  '| command | wall s | × tsc | CPU s | peak RSS MB | × tsc | exit | each run: wall s (load) |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ...results.map(
    (r) =>
      `| ${r.label} | ${fmt(r.seconds)} | ${fmt(r.seconds / base.seconds)} | ${fmt(r.cpu)} | ${r.rssMB} | ${fmt(r.rssMB / base.rssMB)} | ${r.status} | ${r.detail} |`,
  ),
];
const check = results[1];
const eslint = results.find((r) => r.label.startsWith('eslint: no-floating'));
if (eslint) {
  lines.push('', `ESLint (3 rules) / asyncsan check: wall ${fmt(eslint.seconds / check.seconds)}x, CPU ${fmt(eslint.cpu / check.cpu)}x.`);
}
if (eslintRows.length > 0) {
  lines.push('', '| ESLint rule (TIMING=all) | ms |', '| --- | ---: |', ...eslintRows.map(([k, v]) => `| ${k} | ${fmt(v)} |`));
}
console.log(lines.join('\n'));
writeFileSync(path.join(work, 'static-results.md'), `${lines.join('\n')}\n`);
