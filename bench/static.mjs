#!/usr/bin/env node
// Static-analysis benchmarks (issues 3 and 4), run side by side in one run on one machine:
//   tsc --noEmit  vs  asyncsan check           (wall time, peak RSS)
//   ESLint + typescript-eslint's three async rules  vs  asyncsan check
//   ESLint TIMING=1: every asyncsan rule together  vs  no-floating-promises alone
// Usage: node bench/static.mjs [--skip-eslint] [--separate]   (prints markdown; paste into bench/RESULTS.md)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureCorpus } from './corpus.mjs';

const root = path.resolve(import.meta.dirname, '..');
const bin = (name) => path.join(root, 'node_modules/.bin', name);
const work = path.join(import.meta.dirname, '.work');
mkdirSync(work, { recursive: true });

/** Runs a command under GNU time; returns wall seconds, peak RSS (MB), exit status, stdout. */
function measure(label, cmd, args, opts = {}) {
  const timeFile = path.join(work, 'time.txt');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', timeFile, cmd, ...args], {
    cwd: opts.cwd ?? corpus.dir,
    env: { ...process.env, ...opts.env },
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const [secs, kb] = execFileSync('tail', ['-1', timeFile], { encoding: 'utf8' }).trim().split(' ').map(Number);
  const result = { label, seconds: secs, rssMB: Math.round(kb / 1024), status: r.status, stdout: r.stdout, stderr: r.stderr };
  process.stderr.write(`${label}: ${secs}s, ${result.rssMB} MB, exit ${r.status}\n`);
  return result;
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

const corpus = ensureCorpus();
const skipEslint = process.argv.includes('--skip-eslint');
const files = ['node_modules/rxjs/src', 'node_modules/effect/src', 'node_modules/@tanstack/query-core/src', 'node_modules/zod/src', 'node_modules/@trpc/server/src'];

const results = [];
results.push(measure('tsc --noEmit', process.execPath, [bin('tsc').replace('.bin/tsc', 'typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit']));
const check = measure('asyncsan check', process.execPath, [path.join(root, 'packages/cli/bin/asyncsan.js'), 'check', '--project', 'tsconfig.json', '--format', 'json', '--output', path.join(work, 'findings.json'), '.']);
results.push(check);

let eslintRows = [];
if (!skipEslint) {
  const tsRules = { '@typescript-eslint/no-floating-promises': 'error', '@typescript-eslint/no-misused-promises': 'error', 'require-atomic-updates': 'error' };
  const { default: asyncsan } = await import(path.join(root, 'eslint-plugin/dist/index.js'));
  const ourRules = Object.fromEntries(Object.keys(asyncsan.rules).map((id) => [`asyncsan/${id}`, 'error']));
  const tsCfg = path.join(work, 'eslint.tseslint.config.mjs');
  const ourCfg = path.join(work, 'eslint.asyncsan.config.mjs');
  eslintConfig(tsCfg, tsRules, false);
  eslintConfig(ourCfg, { ...ourRules, '@typescript-eslint/no-floating-promises': 'error' }, true);
  const eslintArgs = (cfg) => [bin('eslint').replace('.bin/eslint', 'eslint/bin/eslint.js'), '--config', cfg, '--no-config-lookup', '--format', 'json', '-o', path.join(work, 'eslint-out.json'), ...files];
  const ts = measure('eslint: no-floating-promises + no-misused-promises + require-atomic-updates', process.execPath, eslintArgs(tsCfg), { env: { TIMING: 'all' } });
  results.push(ts);
  const ours = measure('eslint: all asyncsan rules + no-floating-promises', process.execPath, eslintArgs(ourCfg), { env: { TIMING: 'all' } });
  results.push(ours);
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
    results.push(o, n);
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
  '',
  '| command | wall s | × tsc | peak RSS MB | × tsc | exit |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...results.map((r) => `| ${r.label} | ${fmt(r.seconds)} | ${fmt(r.seconds / base.seconds)} | ${r.rssMB} | ${fmt(r.rssMB / base.rssMB)} | ${r.status} |`),
];
if (eslintRows.length > 0) {
  lines.push('', '| ESLint rule (TIMING=all) | ms |', '| --- | ---: |', ...eslintRows.map(([k, v]) => `| ${k} | ${fmt(v)} |`));
}
console.log(lines.join('\n'));
writeFileSync(path.join(work, 'static-results.md'), `${lines.join('\n')}\n`);
