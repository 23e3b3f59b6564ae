#!/usr/bin/env node
// The Vitest plugin on real open-source suites (issue 16): does warn mode leave every verdict
// alone, what does it report, and what does it cost. For each project: check it out at a pinned
// commit (outside this repo), install its dependencies with Vitest 4.1, install the packed
// @asyncsan packages as a user would, then run its suite plain and with asyncsan({ mode: 'warn' })
// alternately, ROUNDS times each, with Vitest's JSON reporter beside the default one.
//
// Prints, per project: test counts, every test whose outcome differs between plain and warn
// (a verdict change, when every plain run agrees and every warn run agrees; flaky otherwise),
// exit codes and Vitest's own "Errors" count per run, wall and CPU times, and every distinct
// reported site (id + file:line) with its judged verdict from bench/real-suites-verdicts.json
// (NEW when not judged yet, GONE when judged but no longer reported). The raw results
// (Vitest JSON, logs, findings JSON, summary.json) go to bench/.work/real-suites/ (git-ignored).
//
// Usage: node bench/real-suites.mjs [project…]      (default: every project below)
//   REALSUITES=/work/realsuites   where the checkouts live (created from MIRROR when absent)
//   MIRROR=/work/.mirror          bare git dirs, <owner>+<name>/repo (the search tool's fetch)
//   ROUNDS=2                      runs of each mode, alternating plain, warn, plain, warn, …
//   FIRST_ROUND=1                 number of the first round run; the results of earlier rounds on disk stay (FIRST_ROUND=3
//                                 ROUNDS=1 adds a third round to a two-round measurement)
//   SETUP=auto|force|skip         auto: install a project's dependencies once (marker file), force: again;
//                                 both build this checkout, npm pack its runtime packages and install them into every
//                                 project (so a run after a fix measures the fix); skip: use what is installed
//   MODES=plain,warn              which modes to run (also fail: asyncsan({ mode: 'fail' }), compared with the plain runs);
//                                 a run replaces only the results of the modes it runs, and the comparison reads every
//                                 mode on disk, so `MODES=fail` after a plain,warn run adds the fail runs to it
//   ANALYZE=1                     run nothing: compare and list the results already in bench/.work/real-suites/
//
// The projects' sources are never copied into this repo; only the small config edits below are
// made in the checkouts (each is listed in bench/REAL-SUITES.md).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '..');
const work = path.join(import.meta.dirname, '.work', 'real-suites');
const packs = path.join(work, 'packs');
const suites = process.env.REALSUITES ?? '/work/realsuites';
const mirror = process.env.MIRROR ?? '/work/.mirror';
const rounds = Number(process.env.ROUNDS ?? 2);
const firstRound = Number(process.env.FIRST_ROUND ?? 1);
const setupMode = process.env.SETUP ?? 'auto';
const modes = (process.env.MODES ?? 'plain,warn').split(',');
const analyzeOnly = process.env.ANALYZE === '1';
const verdictsFile = path.join(import.meta.dirname, 'real-suites-verdicts.json');
const VITEST = '4.1.12';

/** The line each config gets: the plugin only when ASYNCSAN_MODE is set, so plain and warn share one config. */
const PLUGIN_LINE =
  "  plugins: process.env.ASYNCSAN_MODE ? [asyncsan({ mode: process.env.ASYNCSAN_MODE as 'warn', outputFile: process.env.ASYNCSAN_OUT })] : [], // realsuites bench\n";
const IMPORT_LINE = "import asyncsan from '@asyncsan/vitest' // realsuites bench\n";

const projects = {
  // TanStack Query's core: fake timers everywhere (vi.useFakeTimers in beforeEach), jsdom.
  'query-core': {
    repo: 'TanStack/query',
    commit: '40321a0b1b3bdd0afa11f0e439642ab84cdf6afe',
    checkout: 'query',
    cwd: 'packages/query-core',
    config: 'vite.config.ts',
    // Only this package of the pnpm monorepo, installed with npm: its test utilities linked, the lockfile's jsdom.
    prepare(dir) {
      editJson(path.join(dir, 'package.json'), (p) => {
        p.devDependencies = { '@tanstack/query-test-utils': 'file:../query-test-utils', vitest: VITEST, jsdom: '27.4.0' };
      });
      npm(dir, ['install']);
    },
    // typecheck runs tsc over *.test-d.ts (type tests, no runtime): off.
    args: ['--typecheck.enabled=false'],
  },
  // The MCP TypeScript SDK 1.29.0: express and hono HTTP servers, SSE and streamable HTTP, stdio child
  // processes, OAuth with jose, express-rate-limit.
  'mcp-sdk': {
    repo: 'modelcontextprotocol/typescript-sdk',
    commit: 'e12cbd7078db388152f6e839abdbe09ba01f3f32',
    checkout: 'mcp-sdk',
    cwd: '.',
    config: 'vitest.config.ts',
    prepare(dir) {
      npm(dir, ['ci']);
      npm(dir, ['install', '-D', `vitest@${VITEST}`]); // locked 4.0.8; the plugin's peer is >= 4.1
    },
    args: [],
  },
  // Hono: the main project's unit tests under src/ (crypto.subtle JWT/JWK, streaming helpers,
  // compress, msw) and its Node runtime tests (real HTTP servers through @hono/node-server).
  hono: {
    repo: 'honojs/hono',
    commit: '28a9c128912de19f3fb28b00ae289c9b93f6f392',
    checkout: 'hono',
    cwd: '.',
    config: 'vitest.config.ts',
    prepare(dir) {
      // bun project: npm with the dev dependencies the chosen tests import (no wrangler, bun, deno, fastly).
      editJson(path.join(dir, 'package.json'), (p) => {
        const keep = ['@hono/node-server', 'jsdom', 'msw', 'ws', 'zod', 'esbuild'];
        p.devDependencies = Object.fromEntries([...keep.map((k) => [k, p.devDependencies[k]]), ['vitest', VITEST]]);
      });
      // The other runtimes' project configs need their own toolchains; the Node one becomes an inline
      // project that extends the root config (and so gets the root's plugins).
      const config = path.join(dir, 'vitest.config.ts');
      const text = readFileSync(config, 'utf8');
      const glob = "      './runtime-tests/*/vitest.config.ts',\n";
      if (text.includes(glob)) {
        writeFileSync(
          config,
          text.replace(
            glob,
            "      { extends: true, test: { name: 'node', include: ['runtime-tests/node/**/*.test.ts'], env: { NAME: 'Node' } } }, // realsuites bench\n",
          ),
        );
      }
      npm(dir, ['install']);
    },
    args: ['--coverage.enabled=false', '--project', 'main', '--project', 'node', 'src', 'runtime-tests/node'],
  },
  // Runtime held-out round 4 (2026-12-07): two suites nobody had run asyncsan on.
  // MSW's interceptors 0.41.6 (the last commit whose CI ran Node 20; later ones need Node 22): its Node
  // integration suite (test/vitest.config.js: http/https ClientRequest, fetch, XMLHttpRequest in jsdom/happy-dom,
  // WebSocket, net sockets, child processes) against real local servers (@open-draft/test-server, ws, socket.io).
  interceptors: {
    repo: 'mswjs/interceptors',
    commit: 'fa0f1eeb084f98553eece6ee29393a745bd2da11',
    checkout: 'interceptors',
    cwd: '.',
    config: 'test/vitest.config.mjs',
    prepare(dir) {
      // pnpm project: npm, without the git-hook "prepare" script (it calls pnpm); a few tests import the build (lib/).
      editJson(path.join(dir, 'package.json'), (p) => {
        delete p.scripts.prepare;
        p.devDependencies.vitest = VITEST;
      });
      // The package is CommonJS, so Vite bundles test/vitest.config.js as CommonJS and cannot require the ESM-only
      // @asyncsan/vitest ("This package is ESM only"): the same config as .mjs, as Vite's troubleshooting advises.
      const js = path.join(dir, 'test/vitest.config.js');
      if (!existsSync(`${js.slice(0, -3)}.mjs`)) writeFileSync(`${js.slice(0, -3)}.mjs`, readFileSync(js, 'utf8'));
      npm(dir, ['install']);
      console.error(`  $ (cd ${dir} && npx tsdown)`);
      execFileSync('npx', ['tsdown'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    },
    // Out before any asyncsan run: http-ssl-socket.test.ts, whose second test makes a real (bypassed) HTTPS request
    // to example.com (no network here: an uncaught ENOTFOUND, Vitest "Errors 1", in the plain trial run).
    args: ['--config', 'test/vitest.config.mjs', '--exclude', '**/http-ssl-socket.test.ts'],
  },
  // h3 2.0.0-beta.0: every app test twice, through app.fetch and through a real node:http server (fetch over
  // loopback): bodies and streams, SSE, proxy, static files, sessions, iterables; express/connect adapters.
  h3: {
    repo: 'unjs/h3',
    commit: 'ac609aae8fa93947b564de55e2d1a6bec5ad18ad',
    checkout: 'h3',
    cwd: '.',
    config: 'vitest.config.mjs',
    prepare(dir) {
      // pnpm project: npm with the dev dependencies the tests import (no lint, build or coverage tools).
      editJson(path.join(dir, 'package.json'), (p) => {
        const keep = ['connect', 'esbuild', 'express', 'get-port-please', 'h3-nightly', 'h3-v1', 'mitata', 'react', 'react-dom', 'zod'];
        p.devDependencies = Object.fromEntries([...keep.map((k) => [k, p.devDependencies[k]]), ['vitest', VITEST]]);
      });
      npm(dir, ['install']);
    },
    // typecheck runs tsc over test/unit/types.test-d.ts (type tests, no runtime): off. test/iterable.test.ts cannot
    // load under Vitest 4 (its harness's wrapped 'it' loses 'this', so it.each throws reading 'withContext'): out.
    args: ['--typecheck.enabled=false', '--exclude', 'test/iterable.test.ts'],
  },
  // Runtime held-out round 5 (2026-12-07): two more suites nobody had run asyncsan on.
  // Supabase's realtime-js at the repository's last commit (2025-10-02, its deprecation notice: the code moved into
  // supabase-js): a Phoenix-channel WebSocket client with heartbeats, reconnect and push timeouts, presence, a Web Worker
  // heartbeat; its tests drive it against mock-socket servers, with fake and real timers, in jsdom.
  'realtime-js': {
    repo: 'supabase/realtime-js',
    commit: '41a65b08074b8d531268e2d38792ff1e4fd28906',
    checkout: 'realtime-js',
    cwd: '.',
    config: 'vitest.config.ts',
    prepare(dir) {
      // npm project (package-lock.json): Vitest 4.1.12 instead of 3.1.4, without the coverage provider (a Vitest 3 peer).
      editJson(path.join(dir, 'package.json'), (p) => {
        delete p.devDependencies['@vitest/coverage-v8'];
        p.devDependencies.vitest = VITEST;
      });
      npm(dir, ['install']);
    },
    args: [],
  },
  // Tinypool 2.1.0, Vitest's own worker pool: worker_threads and child_process workers, idle timeouts, task
  // queues and cancellation with AbortSignal, pool destroy/recycle, resource limits, worker stdio. Its config runs
  // every file in one worker (isolate: false); the tests import the build (dist/).
  tinypool: {
    repo: 'tinylibs/tinypool',
    commit: 'abc247f85cba0309e3f1e5655db1837a2a1c2483',
    checkout: 'tinypool',
    cwd: '.',
    config: 'vitest.config.ts',
    prepare(dir) {
      // pnpm project: npm with what the build and tests need (tsdown, @types/node), Vitest 4.1.12 and the Vite it brings
      // (the locked Vite 5 is below Vitest 4's peer range).
      editJson(path.join(dir, 'package.json'), (p) => {
        const keep = ['@types/node', 'tsdown', 'typescript'];
        p.devDependencies = Object.fromEntries([...keep.map((k) => [k, p.devDependencies[k]]), ['vitest', VITEST]]);
      });
      npm(dir, ['install']);
      console.error(`  $ (cd ${dir} && npx tsdown)`);
      execFileSync('npx', ['tsdown'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    },
    args: [],
  },
  // Runtime held-out round 6 (2026-12-07): two more suites nobody had run asyncsan on.
  // @hono/node-server 2.0.11, Hono's Node adapter: its tests start real node:http, https and http2 servers and talk to
  // them over loopback (fetch, raw net sockets, clients that disconnect mid-body), stream bodies both ways, WebSockets
  // through ws; its config passes --expose-gc to the test forks.
  'node-server': {
    repo: 'honojs/node-server',
    commit: '3b1dd6875812e0b5aee43ec3fac66c191fd6251f',
    checkout: 'node-server',
    cwd: '.',
    config: 'vitest.config.ts',
    prepare(dir) {
      // pnpm project: npm with the dev dependencies the tests import, at the lockfile's versions (no lint, build, release).
      editJson(path.join(dir, 'package.json'), (p) => {
        p.devDependencies = { '@types/node': '20.19.37', '@whatwg-node/fetch': '0.9.23', hono: '4.12.8', ws: '8.19.0', vitest: VITEST };
      });
      npm(dir, ['install']);
    },
    args: [],
  },
  // TanStack Pacer 0.21.1: debouncers, throttlers, rate limiters, queuers, batchers and a retryer, each sync and async
  // (promises, AbortSignal, retries with backoff, concurrency), tested with fake and real timers in happy-dom.
  pacer: {
    repo: 'TanStack/pacer',
    commit: 'cac705b14f7b246ef95e0287dc7745684fb40867',
    checkout: 'pacer',
    cwd: 'packages/pacer',
    config: 'vitest.config.ts',
    prepare(dir) {
      // Only this package of the pnpm monorepo, with npm: its two dependencies from the registry at the lockfile's
      // versions, and the root's test dependencies (happy-dom, jest-dom for tests/test-setup.ts).
      editJson(path.join(dir, 'package.json'), (p) => {
        p.dependencies = { '@tanstack/devtools-event-client': '0.4.3', '@tanstack/store': '0.11.0' };
        p.devDependencies = { '@testing-library/jest-dom': '6.9.1', 'happy-dom': '20.9.0', vitest: VITEST };
      });
      npm(dir, ['install']);
    },
    args: [],
  },
};

function editJson(file, edit) {
  const value = JSON.parse(readFileSync(file, 'utf8'));
  edit(value);
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function npm(cwd, args) {
  console.error(`  $ (cd ${cwd} && npm ${args.join(' ')})`);
  execFileSync('npm', [...args, '--no-audit', '--no-fund'], { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
}

function git(args, opts = {}) {
  return execFileSync('git', args, { encoding: 'utf8', ...opts }).trim();
}

/** Checks the pinned commit out of the mirror into REALSUITES/<checkout> (once). */
function checkout(p) {
  const dir = path.join(suites, p.checkout);
  if (existsSync(path.join(dir, '.git'))) {
    const head = git(['-C', dir, 'rev-parse', 'HEAD']);
    if (head !== p.commit) throw new Error(`${dir} is at ${head}, expected ${p.commit}: check it out or move it away`);
    return dir;
  }
  const bare = path.join(mirror, p.repo.replace('/', '+'), 'repo');
  if (!existsSync(bare)) throw new Error(`no checkout at ${dir} and no mirror at ${bare}: fetch github:${p.repo} first`);
  mkdirSync(suites, { recursive: true });
  git(['clone', '-q', '--no-checkout', bare, dir]);
  // Snapshots lack files of 4 MiB and more (e.g. a logo): checkout complains about them but lands on the commit.
  spawnSync('git', ['-C', dir, 'checkout', '-q', p.commit], { stdio: 'ignore' });
  const head = git(['-C', dir, 'rev-parse', 'HEAD']);
  if (head !== p.commit) throw new Error(`checkout of ${p.commit} in ${dir} failed (HEAD ${head})`);
  return dir;
}

/** npm pack of this worktree's runtime packages (the Vitest plugin and what it depends on). */
function pack() {
  console.error('building and packing @asyncsan/core, tracer and vitest');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  rmSync(packs, { recursive: true, force: true });
  mkdirSync(packs, { recursive: true });
  const ws = ['packages/core', 'packages/tracer', 'packages/vitest'];
  execFileSync('npm', ['pack', '--ignore-scripts', '--loglevel=warn', '--pack-destination', packs, ...ws.flatMap((w) => ['-w', w])], {
    cwd: repo,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return readdirSync(packs).map((f) => path.join(packs, f));
}

function setup(name, p, tarballs) {
  const root = checkout(p);
  const dir = path.join(root, p.cwd);
  const marker = path.join(dir, 'node_modules', '.realsuites-setup');
  if (setupMode === 'force' || (setupMode === 'auto' && !existsSync(marker))) {
    console.error(`[${name}] installing dependencies`);
    p.prepare(dir);
  }
  // Every run installs the plugin packed from this checkout's current build, so an "after" run measures the fixes.
  if (setupMode !== 'skip') {
    console.error(`[${name}] installing the packed plugin`);
    rmSync(path.join(dir, 'node_modules/@asyncsan'), { recursive: true, force: true });
    npm(dir, ['install', '-D', ...tarballs()]);
  }
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  // The plugin as a user adds it, switched by ASYNCSAN_MODE so that plain and warn runs share the config.
  const config = path.join(dir, p.config);
  let text = readFileSync(config, 'utf8');
  if (!text.includes('@asyncsan/vitest')) {
    const anchor = 'export default defineConfig({\n';
    if (text.split(anchor).length !== 2) throw new Error(`${config}: no single "${anchor.trim()}" to add the plugin to`);
    // A JavaScript config (.js, .mjs) gets the line without its TypeScript cast.
    const line = /\.[cm]?ts$/.test(p.config) ? PLUGIN_LINE : PLUGIN_LINE.replace(" as 'warn'", '');
    text = IMPORT_LINE + text.replace(anchor, anchor + line);
    writeFileSync(config, text);
  }
  return dir;
}

/** Children's CPU time so far (cutime + cstime of this process, 10 ms ticks): Vitest and its workers. */
function childCpuMs() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

const stripAnsi = (s) => s.replace(/\u001b\[[0-9;]*m/g, '');

function runOnce(name, p, dir, mode, round) {
  const out = path.join(work, name);
  mkdirSync(out, { recursive: true });
  const base = path.join(out, `${mode}-${round}`);
  const findings = `${base}.findings.json`;
  rmSync(findings, { force: true });
  // The user's environment, minus CI (query-core turns coverage on under CI) and our own switches.
  // Colour is stripped from the log afterwards: NO_COLOR would change tests that detect colour support.
  const env = { ...process.env };
  for (const k of ['CI', 'ASYNCSAN_MODE', 'ASYNCSAN_OUT']) delete env[k];
  if (mode !== 'plain') Object.assign(env, { ASYNCSAN_MODE: mode, ASYNCSAN_OUT: findings });
  const args = ['vitest', 'run', ...p.args, '--reporter=default', '--reporter=json', `--outputFile.json=${base}.json`];
  const cpu0 = childCpuMs();
  const t0 = performance.now();
  const r = spawnSync('npx', args, { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 30 });
  const wallMs = performance.now() - t0;
  const cpuMs = childCpuMs() - cpu0;
  const log = stripAnsi(`${r.stdout}\n${r.stderr}`);
  writeFileSync(`${base}.log`, log);
  // Vitest's own count of errors outside tests ("Errors  1 error").
  const errors = Number(/^\s*Errors\s+(\d+) errors?/m.exec(log)?.[1] ?? 0);
  writeFileSync(`${base}.meta.json`, `${JSON.stringify({ mode, round, exit: r.status, signal: r.signal, wallMs, cpuMs, errors })}\n`);
  const result = loadRun(dir, base);
  const { tests } = result;
  console.error(
    `[${name}] ${mode} #${round}: exit ${r.status}, ${tests.size} tests, ${count(tests, 'failed')} failed, Errors ${errors}, ${(wallMs / 1000).toFixed(1)} s wall, ${(cpuMs / 1000).toFixed(1)} s CPU`,
  );
  return result;
}

/** One run's results from its files: <base>.meta.json (exit, times, Vitest's error count), <base>.json (Vitest's JSON report), <base>.findings.json. */
function loadRun(dir, base) {
  const meta = JSON.parse(readFileSync(`${base}.meta.json`, 'utf8'));
  const report = existsSync(`${base}.json`) ? JSON.parse(readFileSync(`${base}.json`, 'utf8')) : undefined;
  const tests = new Map();
  const failures = new Map();
  for (const file of report?.testResults ?? []) {
    const rel = path.relative(dir, file.name);
    for (const t of file.assertionResults) {
      // Two tests of one file can share a full name: number the later ones (the report's order is stable).
      let key = `${rel} > ${t.fullName}`;
      for (let n = 2; tests.has(key); n++) key = `${rel} > ${t.fullName} #${n}`;
      tests.set(key, t.status);
      if (t.status === 'failed') failures.set(key, String(t.failureMessages?.[0] ?? '').split('\n')[0].slice(0, 160));
    }
    // A file that failed to load has no tests: keep it as one entry so it cannot vanish silently.
    if (!file.assertionResults.length) tests.set(`${rel} (file)`, file.status);
  }
  const findings = `${base}.findings.json`;
  return { ...meta, tests, failures, findings: existsSync(findings) ? findings : undefined };
}

const MODE_ORDER = ['plain', 'warn', 'fail'];

/** The runs already on disk for a project (every mode), in round order. */
function loadRuns(name, dir) {
  const out = path.join(work, name);
  if (!existsSync(out)) throw new Error(`no results for ${name} in ${out}: run without ANALYZE first`);
  return readdirSync(out)
    .filter((f) => f.endsWith('.meta.json'))
    .map((f) => loadRun(dir, path.join(out, f.slice(0, -'.meta.json'.length))))
    .sort((a, b) => a.round - b.round || MODE_ORDER.indexOf(a.mode) - MODE_ORDER.indexOf(b.mode));
}

const count = (tests, status) => [...tests.values()].filter((s) => s === status).length;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/**
 * Test-by-test comparison. A verdict change: every plain run agrees and a warn run differs from them, in every
 * warn run ("always") or in some ("sometimes": load-dependent, e.g. a timing threshold). Flaky: the plain runs
 * disagree among themselves, so a warn difference proves nothing. The first line of a warn failure is kept,
 * which tells a plugin error (DeadlockError, AsyncsanError) from a test's own timeout.
 */
function compare(runs, other = 'warn') {
  const plain = runs.filter((r) => r.mode === 'plain');
  const warn = runs.filter((r) => r.mode === other);
  const names = new Set(runs.flatMap((r) => [...r.tests.keys()]));
  const changes = [];
  const flaky = [];
  for (const n of [...names].sort()) {
    const ps = plain.map((r) => r.tests.get(n) ?? 'absent');
    const ws = warn.map((r) => r.tests.get(n) ?? 'absent');
    if (new Set([...ps, ...ws]).size === 1) continue;
    const why = warn.map((r) => r.failures.get(n)).find(Boolean) ?? plain.map((r) => r.failures.get(n)).find(Boolean);
    if (new Set(ps).size === 1) changes.push({ test: n, plain: ps[0], warn: ws, always: ws.every((w) => w !== ps[0]), why });
    else flaky.push({ test: n, plain: ps, warn: ws, why });
  }
  return { changes, flaky };
}

/** Distinct sites over the warn runs' findings: id + file:line, with counts and the tests they were seen in. */
function sites(runs) {
  const map = new Map();
  for (const r of runs) {
    if (!r.findings) continue;
    const doc = JSON.parse(readFileSync(r.findings, 'utf8'));
    for (const f of doc.findings) {
      const key = `${f.id} ${f.location?.file ?? '?'}:${f.location?.line ?? '?'}`;
      const s = map.get(key) ?? { key, id: f.id, severity: f.severity, message: f.message, findings: 0, tests: new Set(), rounds: new Set(), frames: [] };
      s.findings++;
      (s.severities ??= new Set()).add(f.severity);
      s.tests.add(f.test?.fullName ?? '(no test)');
      s.rounds.add(r.round);
      if (!s.frames.length) s.frames = (f.stacks?.[0]?.frames ?? []).slice(0, 6).map((fr) => `${fr.file}:${fr.line}`);
      map.set(key, s);
    }
  }
  return [...map.values()].sort((a, b) => a.key.localeCompare(b.key));
}

/** The judged table of each project, in markdown (for bench/REAL-SUITES.md). */
function sitesMarkdown(summary, verdicts) {
  const esc = (t) => String(t).replaceAll('|', '\\|');
  const lines = [];
  for (const [name, p] of Object.entries(summary.projects)) {
    const warnRuns = p.runs.filter((r) => r.mode === 'warn').length;
    lines.push(`### ${name}: ${p.sites.length} distinct sites\n`);
    lines.push(`| verdict | id | site | severity | findings (${warnRuns} warn runs) | tests | reason |`, '| --- | --- | --- | --- | --- | --- | --- |');
    const order = { FALSE: 0, 'BY-DESIGN': 1, REAL: 2, NEW: 3 };
    for (const s of [...p.sites].sort((a, b) => order[a.verdict] - order[b.verdict] || a.key.localeCompare(b.key))) {
      const v = verdicts[name]?.sites?.[s.key];
      const site = s.key.slice(s.id.length + 1);
      const sev = ['error', 'warning', 'info'].filter((x) => s.severities?.includes(x)).join(', ');
      lines.push(`| ${s.verdict} | ${s.id} | \`${site}\` | ${sev} | ${s.findings} | ${s.tests.length} | ${esc(v?.reason ?? s.message)} |`);
    }
    lines.push('');
    const failOnly = p.failOnlySites ?? [];
    if (failOnly.length) {
      const failRuns = p.runs.filter((r) => r.mode === 'fail').length;
      lines.push(`#### ${name}: ${failOnly.length} more sites, in fail runs only\n`);
      lines.push(`| verdict | id | site | severity | findings (${failRuns} fail runs) | tests | reason |`, '| --- | --- | --- | --- | --- | --- | --- |');
      for (const s of [...failOnly].sort((a, b) => order[a.verdict] - order[b.verdict] || a.key.localeCompare(b.key))) {
        const v = verdicts[name]?.sites?.[s.key];
        const site = s.key.slice(s.id.length + 1);
        const sev = ['error', 'warning', 'info'].filter((x) => s.severities?.includes(x)).join(', ');
        lines.push(`| ${s.verdict} | ${s.id} | \`${site}\` | ${sev} | ${s.findings} | ${s.tests.length} | ${esc(v?.reason ?? s.message)} |`);
      }
      lines.push('');
    }
  }
  return `${lines.join('\n')}\n`;
}

function main() {
  const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(projects);
  for (const m of modes) if (!MODE_ORDER.includes(m)) throw new Error(`unknown mode "${m}" in MODES (known: ${MODE_ORDER.join(', ')})`);
  for (const n of names) if (!projects[n]) throw new Error(`unknown project "${n}" (known: ${Object.keys(projects).join(', ')})`);
  mkdirSync(work, { recursive: true });
  let tarballs;
  const getTarballs = () => (tarballs ??= pack());
  const verdicts = existsSync(verdictsFile) ? JSON.parse(readFileSync(verdictsFile, 'utf8')) : {};
  const summary = { machine: `${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`, date: new Date().toISOString(), projects: {} };
  let verdictChanges = 0;
  for (const name of names) {
    const p = projects[name];
    let runs;
    let dir;
    if (analyzeOnly) {
      dir = path.join(suites, p.checkout, p.cwd);
      runs = loadRuns(name, dir);
    } else {
      dir = setup(name, p, getTarballs);
      // Results of an earlier run of the same modes must not mix with this one's; other modes' results stay,
      // and with FIRST_ROUND=n the rounds before n stay too (more rounds added to a measurement).
      const out = path.join(work, name);
      const stale = (f) => modes.some((m) => f.startsWith(`${m}-`) && Number(f.slice(m.length + 1).split('.')[0]) >= firstRound);
      if (existsSync(out)) for (const f of readdirSync(out)) if (stale(f)) rmSync(path.join(out, f));
      for (let round = firstRound; round < firstRound + rounds; round++) for (const mode of modes) runOnce(name, p, dir, mode, round);
      runs = loadRuns(name, dir);
    }
    const { changes, flaky } = compare(runs);
    verdictChanges += changes.length;
    // Fail mode is meant to change verdicts: each change there should come from a REAL finding (listed, not counted).
    const failChanges = runs.some((r) => r.mode === 'fail') ? compare(runs, 'fail') : undefined;
    const found = sites(runs.filter((r) => r.mode === 'warn'));
    // Sites the fail runs reported that no warn run did (a judgement that sees the state at the test's end, where
    // warn mode's, beside the next test, sees it later): listed and judged apart, and never called GONE.
    const failOnly = sites(runs.filter((r) => r.mode === 'fail')).filter((s) => !found.some((w) => w.key === s.key));
    const judged = verdicts[name]?.sites ?? {};
    const out = [];
    out.push(`\n## ${name}  (${p.repo} @ ${p.commit.slice(0, 10)}, cwd ${p.cwd})`);
    for (const mode of MODE_ORDER) {
      const rs = runs.filter((r) => r.mode === mode);
      if (!rs.length) continue;
      const t = rs[0].tests;
      out.push(
        `${mode.padEnd(5)}: ${t.size} tests (${count(t, 'passed')} passed, ${count(t, 'failed')} failed, ${t.size - count(t, 'passed') - count(t, 'failed')} skipped/todo); ` +
          `exit ${rs.map((r) => r.exit).join('/')}; Errors ${rs.map((r) => r.errors).join('/')}; ` +
          `wall ${rs.map((r) => (r.wallMs / 1000).toFixed(1)).join('/')} s (median ${(median(rs.map((r) => r.wallMs)) / 1000).toFixed(1)}); ` +
          `CPU ${rs.map((r) => (r.cpuMs / 1000).toFixed(1)).join('/')} s`,
      );
    }
    const pw = (m, k) => median(runs.filter((r) => r.mode === m).map((r) => r[k]));
    if (runs.some((r) => r.mode === 'plain') && runs.some((r) => r.mode === 'warn')) {
      out.push(`warn/plain: wall ${(pw('warn', 'wallMs') / pw('plain', 'wallMs')).toFixed(2)}x, CPU ${(pw('warn', 'cpuMs') / pw('plain', 'cpuMs')).toFixed(2)}x (medians)`);
      const exits = (m) => new Set(runs.filter((r) => r.mode === m).map((r) => r.exit));
      const errs = (m) => new Set(runs.filter((r) => r.mode === m).map((r) => r.errors));
      const same = (a, b) => a.size === 1 && b.size === 1 && [...a][0] === [...b][0];
      if (!same(exits('plain'), exits('warn'))) out.push(`EXIT CODE differs: plain ${[...exits('plain')]} vs warn ${[...exits('warn')]}`);
      if (!same(errs('plain'), errs('warn'))) out.push(`VITEST ERRORS differ: plain ${[...errs('plain')]} vs warn ${[...errs('warn')]}`);
    }
    out.push(`verdict changes: ${changes.length}`);
    for (const c of changes)
      out.push(`  CHANGE (${c.always ? 'always' : 'sometimes'})  ${c.test}: plain ${c.plain}, warn ${c.warn.join('/')}${c.why ? `\n      ${c.why}` : ''}`);
    for (const f of flaky) out.push(`  flaky   ${f.test}: plain ${f.plain.join('/')}, warn ${f.warn.join('/')}${f.why ? `\n      ${f.why}` : ''}`);
    if (failChanges) {
      out.push(`fail-mode verdict changes: ${failChanges.changes.length}`);
      for (const c of failChanges.changes)
        out.push(`  FAIL-MODE (${c.always ? 'always' : 'sometimes'})  ${c.test}: plain ${c.plain}, fail ${c.warn.join('/')}${c.why ? `\n      ${c.why}` : ''}`);
    }
    const tally = { REAL: 0, 'BY-DESIGN': 0, FALSE: 0, NEW: 0 };
    out.push(`distinct sites: ${found.length}`);
    for (const s of found) {
      const v = judged[s.key];
      const label = v?.verdict ?? 'NEW';
      tally[label] = (tally[label] ?? 0) + 1;
      out.push(`  ${label.padEnd(9)} ${s.key}  x${s.findings} in ${s.tests.size} tests, rounds ${[...s.rounds].join(',')}${v ? `: ${v.reason}` : ''}`);
      if (!v) out.push(`            ${s.message}\n            ${s.frames.join(' < ')}\n            e.g. ${[...s.tests][0]}`);
    }
    if (failOnly.length) out.push(`sites in fail runs only: ${failOnly.length}`);
    for (const s of failOnly) {
      const v = judged[s.key];
      out.push(`  ${(v?.verdict ?? 'NEW').padEnd(9)} ${s.key}  x${s.findings} in ${s.tests.size} tests (fail runs), rounds ${[...s.rounds].join(',')}${v ? `: ${v.reason}` : ''}`);
      if (!v) out.push(`            ${s.message}\n            ${s.frames.join(' < ')}\n            e.g. ${[...s.tests][0]}`);
    }
    for (const key of Object.keys(judged))
      if (!found.some((s) => s.key === key) && !failOnly.some((s) => s.key === key)) out.push(`  GONE      ${key} (was ${judged[key].verdict}: ${judged[key].reason})`);
    // Info findings (garbage, idle guards, leftovers of a timed-out test…) fail no test in fail mode: the share among the rest.
    const failing = found.filter((s) => [...s.severities].some((x) => x !== 'info'));
    const tallyOf = (v) => failing.filter((s) => (judged[s.key]?.verdict ?? 'NEW') === v).length;
    const judgedNow = found.length - tally.NEW;
    out.push(
      `REAL share: ${tally.REAL}/${found.length} distinct sites` +
        (judgedNow ? ` (${Math.round((100 * tally.REAL) / found.length)}%)` : '') +
        `; BY-DESIGN ${tally['BY-DESIGN']}, FALSE ${tally.FALSE}, not judged ${tally.NEW}`,
    );
    out.push(
      `  sites with a warning or error finding: ${failing.length}; REAL ${tallyOf('REAL')}` +
        (failing.length ? ` (${Math.round((100 * tallyOf('REAL')) / failing.length)}%)` : '') +
        `, BY-DESIGN ${tallyOf('BY-DESIGN')}, FALSE ${tallyOf('FALSE')}, not judged ${tallyOf('NEW')}`,
    );
    console.log(out.join('\n'));
    summary.projects[name] = {
      repo: p.repo,
      commit: p.commit,
      cwd: p.cwd,
      args: p.args,
      runs: runs.map((r) => ({ ...r, tests: Object.fromEntries(r.tests), failures: Object.fromEntries(r.failures) })),
      changes,
      flaky,
      ...(failChanges ? { failChanges: failChanges.changes } : {}),
      sites: found.map((s) => ({ ...s, severities: [...s.severities], tests: [...s.tests], rounds: [...s.rounds], verdict: judged[s.key]?.verdict ?? 'NEW' })),
      failOnlySites: failOnly.map((s) => ({ ...s, severities: [...s.severities], tests: [...s.tests], rounds: [...s.rounds], verdict: judged[s.key]?.verdict ?? 'NEW' })),
    };
  }
  writeFileSync(path.join(work, 'summary.json'), `${JSON.stringify(summary, null, 1)}\n`);
  writeFileSync(path.join(work, 'sites.md'), sitesMarkdown(summary, verdicts));
  console.log(`\nraw results: ${path.relative(process.cwd(), work)}/ (summary.json, <project>/<mode>-<round>.{json,log,findings.json})`);
  if (verdictChanges) process.exitCode = 1;
}

try {
  main();
} catch (err) {
  console.error(`real-suites: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 2;
}
