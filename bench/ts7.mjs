#!/usr/bin/env node
// TypeScript 7 benchmark (issue 20), side by side in one run on one machine, alternating:
//   asyncsan check --backend ts7  vs  oxlint --type-aware (typescript/no-floating-promises + no-misused-promises)
//   and for reference: asyncsan check --backend ts6, tsc 6, tsc 7 (tsgo); with --eslint, ESLint + typescript-eslint's three rules.
// Usage: node bench/ts7.mjs [--runs N] [--eslint]   (prints markdown; paste into bench/RESULTS.md)
//
// typescript@7, oxlint and oxlint-tsgolint are installed (pinned) in bench/.work/ts7, never in the workspace: typescript@7's
// `tsc` bin would shadow the workspace's TypeScript 6. oxlint lints no file under node_modules or under a git-ignored
// folder, so the corpus sources are copied to a folder outside the repository, with the corpus's node_modules linked
// beside them (node_modules/typescript: the pinned 7.x) and the corpus's compiler options; every tool runs on that copy.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { corpusDir, ensureCorpus, packages } from './corpus.mjs';

const root = path.resolve(import.meta.dirname, '..');
const work = path.join(import.meta.dirname, '.work');
const tools = path.join(work, 'ts7');
const pinned = { typescript: '7.0.2', oxlint: '1.96.0', 'oxlint-tsgolint': '7.0.2009' };
const copy = path.join(os.tmpdir(), 'asyncsan-ts7-corpus');

function ensureTools() {
  mkdirSync(tools, { recursive: true });
  const have = (name) => {
    try {
      return JSON.parse(readFileSync(path.join(tools, 'node_modules', name, 'package.json'), 'utf8')).version === pinned[name];
    } catch {
      return false;
    }
  };
  if (Object.keys(pinned).every(have)) return;
  writeFileSync(path.join(tools, 'package.json'), JSON.stringify({ name: 'asyncsan-bench-ts7', private: true }, null, 2));
  const specs = Object.entries(pinned).map(([n, v]) => `${n}@${v}`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', ...specs], { cwd: tools, stdio: 'inherit' });
}

function countTs(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) n += countTs(path.join(dir, e.name));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) n++;
  }
  return n;
}

/** The corpus sources outside the repository, as one project (see the header). Rebuilt on every run. */
function prepareCopy() {
  ensureCorpus();
  rmSync(copy, { recursive: true, force: true });
  mkdirSync(path.join(copy, 'node_modules'), { recursive: true });
  for (const [name, p] of Object.entries(packages)) cpSync(path.join(corpusDir, 'node_modules', name, p.src), path.join(copy, 'src', name), { recursive: true });
  for (const e of readdirSync(path.join(corpusDir, 'node_modules'))) {
    if (e.startsWith('.') || e === 'typescript') continue;
    symlinkSync(path.join(corpusDir, 'node_modules', e), path.join(copy, 'node_modules', e));
  }
  symlinkSync(path.join(tools, 'node_modules/typescript'), path.join(copy, 'node_modules/typescript'));
  const tsconfig = JSON.parse(readFileSync(path.join(corpusDir, 'tsconfig.json'), 'utf8'));
  writeFileSync(path.join(copy, 'tsconfig.json'), JSON.stringify({ ...tsconfig, include: ['src/**/*.ts'] }, null, 2));
  writeFileSync(
    path.join(copy, '.oxlintrc.json'),
    JSON.stringify({ categories: { correctness: 'off' }, rules: { 'typescript/no-floating-promises': 'error', 'typescript/no-misused-promises': 'error' } }, null, 2),
  );
  return countTs(path.join(copy, 'src'));
}

// Wall, CPU and peak RSS of a command and every process it starts. Both back ends and oxlint talk to a native
// process (tsgo, tsgolint) that their Node parent may leave to exit on its own: GNU time would count that CPU only
// when the parent waited for it. This measures as a child subreaper (Linux prctl), reaping every descendant, so
// CPU is the whole tree's. Peak RSS twice: the largest single process (RUSAGE_CHILDREN), and the tree's sum sampled
// every 100 ms (what the machine must hold: node + tsgo, oxlint + tsgolint).
const TREE = `
import ctypes, os, resource, subprocess, sys, time, json, threading
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
page = os.sysconf('SC_PAGE_SIZE')
peak = 0
done = False
def tree_rss(root):
    kids, rss = {}, {}
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % d) as f:
                st = f.read().rsplit(')', 1)[1].split()
            kids.setdefault(int(st[1]), []).append(int(d))
            rss[int(d)] = int(st[21]) * page
        except (OSError, IndexError, ValueError):
            pass
    total, todo = 0, [root]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(kids.get(p, []))
    return total
def sample():
    global peak
    while not done:
        peak = max(peak, tree_rss(os.getpid()))
        time.sleep(0.1)
t = time.monotonic()
with open(sys.argv[1], 'w') as out, open(sys.argv[2], 'w') as err:
    p = subprocess.Popen(sys.argv[3:], stdout=out, stderr=err)
    threading.Thread(target=sample, daemon=True).start()
    status = p.wait()
    wall = time.monotonic() - t
    done = True
    while True:
        try:
            os.wait()
        except ChildProcessError:
            break
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": u.ru_utime + u.ru_stime, "kb": u.ru_maxrss, "treeKb": peak // 1024, "status": status}))
`;

function measure(label, cmd, args, env = {}) {
  const load0 = os.loadavg()[0];
  const outFile = path.join(work, 'ts7-run.out');
  const errFile = path.join(work, 'ts7-run.err');
  const r = spawnSync('python3', ['-c', TREE, outFile, errFile, cmd, ...args], { cwd: copy, env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${label}: measuring failed: ${r.stderr}`);
  const m = JSON.parse(r.stdout);
  const load = (load0 + os.loadavg()[0]) / 2;
  const result = {
    label,
    seconds: m.wall,
    cpu: m.cpu,
    rssMB: Math.round(m.kb / 1024),
    treeMB: Math.round(m.treeKb / 1024),
    load,
    status: m.status,
    stdout: readFileSync(outFile, 'utf8'),
    stderr: readFileSync(errFile, 'utf8'),
  };
  process.stderr.write(`${label}: ${m.wall.toFixed(1)}s wall, ${m.cpu.toFixed(1)}s CPU, ${result.rssMB} MB (tree ${result.treeMB} MB), load ${load.toFixed(1)}, exit ${m.status}\n`);
  return result;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

ensureTools();
const files = prepareCopy();
const runsArg = process.argv.indexOf('--runs');
const rounds = runsArg > 0 ? Math.max(1, Number(process.argv[runsArg + 1])) : 2;
const bin7 = (name) => path.join(tools, 'node_modules/.bin', name);
const asyncsan = (backend, out) => [
  path.join(root, 'packages/cli/bin/asyncsan.js'), 'check', '--strict', '--backend', backend, '--project', 'tsconfig.json', '--format', 'json', '--output', path.join(work, out), '.',
];
const eslintCfg = path.join(work, 'eslint.ts7.config.mjs');
writeFileSync(
  eslintCfg,
  `import tseslint from ${JSON.stringify(path.join(root, 'node_modules/typescript-eslint/dist/index.js'))};
export default [
  { files: ['src/**/*.ts'], languageOptions: { parser: tseslint.parser, parserOptions: { project: ${JSON.stringify(path.join(copy, 'tsconfig.json'))}, tsconfigRootDir: ${JSON.stringify(copy)} } },
    plugins: { '@typescript-eslint': tseslint.plugin }, linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: { '@typescript-eslint/no-floating-promises': 'error', '@typescript-eslint/no-misused-promises': 'error', 'require-atomic-updates': 'error' } },
];
`,
);
const commands = [
  ['asyncsan check --backend ts7', process.execPath, asyncsan('ts7', 'ts7-findings.json'), { ASYNCSAN_TS7_TIMING: '1' }],
  ['oxlint --type-aware (no-floating-promises, no-misused-promises)', bin7('oxlint'), ['--type-aware', '-c', '.oxlintrc.json', '-f', 'json', 'src'], { OXLINT_TSGOLINT_PATH: path.join(tools, 'node_modules/oxlint-tsgolint/bin/tsgolint.js') }],
  ['asyncsan check --backend ts6', process.execPath, asyncsan('ts6', 'ts6-findings.json'), {}],
  ['tsc 7 (tsgo) --noEmit', bin7('tsc'), ['-p', 'tsconfig.json', '--noEmit'], {}],
  ['tsc 6 --noEmit', process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit'], {}],
  ...(process.argv.includes('--eslint')
    ? [['eslint: no-floating-promises + no-misused-promises + require-atomic-updates', process.execPath, [path.join(root, 'node_modules/eslint/bin/eslint.js'), '--config', eslintCfg, '--no-config-lookup', '--format', 'json', '-o', path.join(work, 'eslint-ts7-out.json'), 'src'], {}]]
    : []),
];
// Alternating rounds, so that a burst of load from elsewhere falls on every command alike.
const runs = commands.map(() => []);
for (let round = 0; round < rounds; round++) commands.forEach(([label, cmd, args, env], i) => runs[i].push(measure(label, cmd, args, env)));

const fmt = (n) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : 'n/a');
const rows = runs.map((rs) => ({
  label: rs[0].label,
  seconds: median(rs.map((r) => r.seconds)),
  cpu: median(rs.map((r) => r.cpu)),
  rssMB: Math.max(...rs.map((r) => r.rssMB)),
  treeMB: Math.max(...rs.map((r) => r.treeMB)),
  status: rs[0].status,
  detail: rs.map((r) => `${r.seconds.toFixed(1)} (load ${r.load.toFixed(1)})`).join(', '),
  runs: rs,
}));
const [ts7, ox] = rows;
const findings = (f) => JSON.parse(readFileSync(path.join(work, f), 'utf8')).findings;
const key = (f) => `${f.id} ${f.location.file}:${f.location.line}:${f.location.column}`;
const k7 = new Set(findings('ts7-findings.json').map(key));
const k6 = new Set(findings('ts6-findings.json').map(key));
const oxDiags = JSON.parse(ox.runs[0].stdout).diagnostics ?? [];
const timing = ts7.runs.map((r) => /asyncsan ts7: (\{.*\})/.exec(r.stderr)?.[1]).filter(Boolean).map((j) => JSON.parse(j));
const lines = [
  `Machine: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 16)}Z; load average at start ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}.`,
  `Corpus: ${files} TypeScript files (${Object.keys(packages).join(', ')} sources, copied to ${copy}); typescript ${pinned.typescript}, oxlint ${pinned.oxlint}, oxlint-tsgolint ${pinned['oxlint-tsgolint']}.`,
  `${rounds} alternating rounds; wall and CPU (user + sys, with the children each waited for) are medians, peak RSS the maximum over the runs.`,
  '',
  '| command | wall s | × oxlint | CPU s | peak RSS MB, largest process | peak RSS MB, all its processes | exit | each run: wall s (load) |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ...rows.map((r) => `| ${r.label} | ${fmt(r.seconds)} | ${fmt(r.seconds / ox.seconds)} | ${fmt(r.cpu)} | ${r.rssMB} | ${r.treeMB} | ${r.status} | ${r.detail} |`),
  '',
  `Findings: asyncsan ts7 ${k7.size}, ts6 ${k6.size}; only ts7: ${[...k7].filter((k) => !k6.has(k)).join(', ') || 'none'}; only ts6: ${[...k6].filter((k) => !k7.has(k)).join(', ') || 'none'}. oxlint: ${oxDiags.length} diagnostics.`,
  ...timing.map(
    (t, i) =>
      `ts7 run ${i + 1}: program load ${fmt(t.loadMs / 1000)} s, checks ${fmt(t.checksMs / 1000)} s; ${t.requests} checker requests (${t.cached} answered from the cache), ` +
      `API: ${t.api.requestCount} round trips, ${fmt(t.api.roundTripMs / 1000)} s (native server ${fmt(t.api.serverTimeMs / 1000)} s, transport ${fmt(t.api.transportOverheadMs / 1000)} s), ${Math.round(t.api.bytesReceived / 2 ** 20)} MiB received.`,
  ),
];
console.log(lines.join('\n'));
writeFileSync(path.join(work, 'ts7-results.md'), `${lines.join('\n')}\n`);
