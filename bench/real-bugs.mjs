#!/usr/bin/env node
// Static recall on real bugs (issue 18): the buggy and the fixed version of files from real fix commits of
// open-source projects (bench/real-bugs.json), analysed by the asyncsan check this script lives in. For every case it
// tells whether the expected id is reported on the buggy version at the bug (a recorded bug line or a line the fix
// changed) and whether the fixed version is clean there; then recall per family and false reports on the fixed versions.
//
// The files come from the fetch tool's git mirrors (/work/.mirror/<owner>+<name>/repo, or $MIRROR_ROOT): this script
// never downloads a repository, it lists the mirrors that are missing (bring them with the fetch tool, `github:<repo>`).
// Everything it writes goes to the git-ignored bench/.work/real-bugs/<case>/{buggy,fixed}/<mode>/.
//
// Modes (--modes, default standalone,tree,deps):
//   standalone  the file alone, at its repository path, with a minimal tsconfig: allowJs (checkJs off), strict,
//               skipLibCheck, lib es2023 + DOM, types ["node"] from this repository's node_modules/@types; its imports
//               stay unresolved.
//   tree        the same tsconfig at the root of the file's package (nearest package.json) extracted whole at the
//               commit, so the file's relative imports resolve (and the package tsconfig's `paths`, when it has some);
//               no dependencies.
//   deps        the tree plus the package's dependencies, installed with npm, for the cases whose JSON entry says
//               `deps` (true: every production dependency; a list: those only). Installed once per distinct set of
//               dependencies in bench/.work/real-bugs/.deps/ (`workspace:` versions become `*`).
//
// Usage: node bench/real-bugs.mjs [--only id,id] [--modes standalone,tree,deps] [--reuse] [--markdown] [--recommended]
//   asyncsan check runs with --strict (every check: recall is each check's own, unbounded-concurrency is strict-only);
//   --recommended measures the default, recommended set instead.
//   --reuse     evaluate the last run's raw output again (no analysis), e.g. after editing bug lines.
//   --markdown  also print the result tables as markdown (bench/REAL-BUGS.md).
// Exit status: 0 when every case ran, 3 when some were skipped (missing mirror or failed install; listed), 2 on a
// setup error (asyncsan not built, a recorded line that does not match the file, a mirror at an unexpected parent).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const ts = require(path.join(root, 'node_modules/typescript'));
const work = path.join(import.meta.dirname, '.work', 'real-bugs');
const casesFile = path.join(import.meta.dirname, 'real-bugs.json');
const asyncsanBin = path.join(root, 'packages/cli/bin/asyncsan.js');
const mirrorRoot = process.env.MIRROR_ROOT ?? '/work/.mirror';
const MODES = ['standalone', 'tree', 'deps'];

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}
function fail(msg) {
  process.stderr.write(`real-bugs: ${msg}\n`);
  process.exit(2);
}

const { families, cases: allCases } = JSON.parse(readFileSync(casesFile, 'utf8'));
const only = arg('--only')?.split(',');
for (const id of only ?? []) if (!allCases.some((c) => c.id === id)) fail(`unknown case '${id}' (see ${path.relative(process.cwd(), casesFile)})`);
const cases = only ? allCases.filter((c) => only.includes(c.id)) : allCases;
const modes = arg('--modes', MODES.join(',')).split(',');
for (const m of modes) if (!MODES.includes(m)) fail(`unknown mode '${m}' (known: ${MODES.join(', ')})`);
const reuse = process.argv.includes('--reuse');
const checkSet = process.argv.includes('--recommended') ? [] : ['--strict'];
if (!existsSync(path.join(root, 'packages/cli/dist/main.js'))) fail('asyncsan is not built here: run `npx tsc -b` first');

const git = (mirror, args, opts = {}) => execFileSync('git', ['--git-dir', mirror, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, ...opts });
const mirrorOf = (c) => path.join(mirrorRoot, c.mirror, 'repo');

/** Lines of `file` changed between the two commits: { buggy: Set, fixed: Set } (git diff -U0 hunks). */
function changedLines(mirror, c, file) {
  const diff = git(mirror, ['diff', '-U0', '--no-color', c.parent, c.fix, '--', file]);
  const buggy = new Set();
  const fixed = new Set();
  for (const m of diff.matchAll(/^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/gm)) {
    const [a, b, c2, d] = [Number(m[1]), m[2] === undefined ? 1 : Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])];
    for (let i = 0; i < b; i++) buggy.add(a + i);
    for (let i = 0; i < d; i++) fixed.add(c2 + i);
  }
  return { buggy, fixed };
}

/** The directory of the nearest package.json above `file` at `commit` ('' for the repository root). */
function packageDir(mirror, commit, file) {
  const have = new Set(git(mirror, ['ls-tree', '-r', '--name-only', commit]).split('\n').filter((f) => f.endsWith('package.json')));
  for (let dir = path.posix.dirname(file); ; dir = path.posix.dirname(dir)) {
    const d = dir === '.' ? '' : dir;
    if (have.has(d ? `${d}/package.json` : 'package.json')) return d;
    if (d === '') return '';
  }
}

/** A minimal tsconfig for `files` (paths relative to `dir`). `typeRoots`: where `types: ["node"]` is looked up. */
function writeTsconfig(dir, files, { typeRoots, paths } = {}) {
  const compilerOptions = {
    target: 'es2022',
    module: 'preserve',
    moduleResolution: 'bundler',
    lib: ['es2023', 'dom', 'dom.iterable'],
    strict: true,
    allowJs: true,
    checkJs: false,
    noEmit: true,
    skipLibCheck: true,
    experimentalDecorators: true,
    jsx: 'preserve',
    types: ['node'],
    ...(typeRoots ? { typeRoots } : {}),
    ...(paths ? { paths } : {}),
  };
  writeFileSync(path.join(dir, 'tsconfig.json'), `${JSON.stringify({ compilerOptions, files }, null, 2)}\n`);
}

/** `paths` of the package's own tsconfig (made relative to the package root), when it declares some. */
function packagePaths(dir) {
  const file = path.join(dir, 'tsconfig.json');
  if (!existsSync(file)) return undefined;
  const read = ts.readConfigFile(file, ts.sys.readFile);
  const o = read.config?.compilerOptions;
  if (!o?.paths) return undefined;
  const base = path.posix.normalize(o.baseUrl ?? '.');
  const out = {};
  for (const [k, v] of Object.entries(o.paths)) out[k] = v.map((p) => `./${path.posix.join(base, p)}`);
  return out;
}

function extractTree(mirror, commit, pkg, into) {
  rmSync(into, { recursive: true, force: true });
  mkdirSync(into, { recursive: true });
  const strip = pkg ? pkg.split('/').length : 0;
  // Streamed (git archive | tar): some trees are hundreds of megabytes.
  const r = spawnSync('bash', ['-c', 'set -o pipefail; git --git-dir "$1" archive --format=tar "$2" $3 | tar -x -C "$4" --strip-components="$5"', 'bash', mirror, commit, pkg, into, String(strip)], { encoding: 'utf8' });
  if (r.status !== 0) fail(`extracting ${pkg || 'the repository'} at ${commit} into ${into}: ${r.stderr.trim()}`);
}

/** Installs the dependencies a case asks for (once per distinct set); returns the node_modules folder or an error. */
function installDeps(c, pkgJson) {
  const pj = JSON.parse(pkgJson);
  const all = { ...pj.peerDependencies, ...pj.dependencies };
  const wanted = c.deps === true ? Object.keys(pj.dependencies ?? {}) : c.deps;
  const deps = {};
  for (const name of wanted) {
    if (!all[name]) return { error: `${name} is not a dependency in package.json` };
    deps[name] = /^(workspace|link|file):/.test(all[name]) ? '*' : all[name];
  }
  if (!deps['@types/node'] && pj.devDependencies?.['@types/node'] && !/^(workspace|link|file):/.test(pj.devDependencies['@types/node'])) deps['@types/node'] = pj.devDependencies['@types/node'];
  const key = createHash('sha256').update(JSON.stringify(deps)).digest('hex').slice(0, 12);
  const dir = path.join(work, '.deps', key);
  const nm = path.join(dir, 'node_modules');
  if (existsSync(path.join(dir, 'installed.json'))) return { nodeModules: nm, deps };
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: `real-bugs-deps-${key}`, private: true, dependencies: deps }, null, 2)}\n`);
  process.stderr.write(`  npm install ${Object.entries(deps).map(([n, v]) => `${n}@${v}`).join(' ')}\n`);
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--omit=dev', '--legacy-peer-deps', '--no-package-lock'], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) return { error: `npm install failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}` };
  writeFileSync(path.join(dir, 'installed.json'), `${JSON.stringify(deps, null, 2)}\n`);
  return { nodeModules: nm, deps };
}

/** Runs asyncsan check on `files` of `dir`; returns { findings, diagnostics, exit } (raw JSON kept next to it). */
function analyse(dir, files) {
  const out = path.join(dir, '..', `${path.basename(dir)}.asyncsan.json`);
  if (!reuse) {
    const r = spawnSync(process.execPath, [asyncsanBin, 'check', ...checkSet, '--project', 'tsconfig.json', '--format', 'json', '--output', out, ...files], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 30 });
    // 0 nothing, 1 findings, 3 a file did not parse (the rest written); 2 is an error of the run itself.
    if (![0, 1, 3].includes(r.status)) return { error: `asyncsan check exited ${r.status}: ${r.stderr.trim().split('\n').slice(0, 3).join(' ')}`, findings: [] };
    writeFileSync(`${out}.exit`, String(r.status));
  } else if (!existsSync(out)) return { error: `--reuse: no earlier run in ${dir}`, findings: [] };
  const raw = JSON.parse(readFileSync(out, 'utf8'));
  const findings = raw.findings.map((f) => ({ id: f.id, file: f.location.file.replaceAll('\\', '/'), line: f.location.line, message: f.message }));
  return { findings, diagnostics: raw.diagnostics ?? [], exit: Number(readFileSync(`${out}.exit`, 'utf8')) };
}

const missing = [];
const skipped = [];
const results = [];
const t0 = Date.now();
mkdirSync(work, { recursive: true });

for (const c of cases) {
  const mirror = mirrorOf(c);
  if (!existsSync(mirror)) {
    missing.push(c);
    continue;
  }
  const parent = git(mirror, ['rev-parse', `${c.fix}^`]).trim();
  if (parent !== c.parent) fail(`${c.id}: ${c.fix}^ is ${parent} in ${mirror}, the JSON records ${c.parent}`);
  const caseDir = path.join(work, c.id);
  const res = { id: c.id, family: c.family, expectedId: c.expectedId, modes: {} };
  results.push(res);
  process.stderr.write(`${c.id} (${c.repo} ${c.fix.slice(0, 10)})\n`);

  // The files at both commits, checked against the recorded lines.
  const files = c.files.map((f) => {
    const text = { buggy: git(mirror, ['show', `${c.parent}:${f.path}`]), fixed: git(mirror, ['show', `${c.fix}:${f.path}`]) };
    for (const [version, lines] of [
      ['buggy', f.bugLines],
      ['fixed', f.fixedLines],
    ]) {
      const all = text[version].split(/\r?\n/);
      for (const { line, text: expect } of lines)
        if (!(all[line - 1] ?? '').includes(expect)) fail(`${c.id}: ${f.path}:${line} of the ${version} version is '${(all[line - 1] ?? '').trim()}', the JSON expects '${expect}'`);
    }
    const changed = changedLines(mirror, c, f.path);
    return {
      ...f,
      text,
      at: {
        buggy: new Set([...f.bugLines.map((l) => l.line), ...changed.buggy]),
        fixed: new Set([...f.fixedLines.map((l) => l.line), ...changed.fixed]),
      },
    };
  });

  for (const mode of modes) {
    if (mode === 'deps' && !c.deps) continue;
    const per = {};
    for (const version of ['buggy', 'fixed']) {
      const commit = version === 'buggy' ? c.parent : c.fix;
      const dir = path.join(caseDir, version, mode);
      let rel = files.map((f) => f.path);
      if (!reuse) {
        if (mode === 'standalone') {
          rmSync(dir, { recursive: true, force: true });
          for (const f of files) {
            mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
            writeFileSync(path.join(dir, f.path), f.text[version]);
          }
          writeTsconfig(dir, rel, { typeRoots: [path.join(root, 'node_modules/@types')] });
        } else {
          const pkg = packageDir(mirror, commit, files[0].path);
          extractTree(mirror, commit, pkg, dir);
          rel = files.map((f) => (pkg ? path.posix.relative(pkg, f.path) : f.path));
          let typeRoots = [path.join(root, 'node_modules/@types')];
          if (mode === 'deps') {
            const got = installDeps(c, readFileSync(path.join(dir, 'package.json'), 'utf8'));
            if (got.error) {
              skipped.push(`${c.id} (deps, ${version}): ${got.error}`);
              per[version] = { error: got.error, findings: [] };
              continue;
            }
            rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true });
            symlinkSync(got.nodeModules, path.join(dir, 'node_modules'), 'dir');
            if (existsSync(path.join(got.nodeModules, '@types/node'))) typeRoots = [path.join(got.nodeModules, '@types')];
          }
          writeTsconfig(dir, rel, { typeRoots, paths: packagePaths(dir) });
        }
      } else if (mode !== 'standalone') {
        const pkg = packageDir(mirror, commit, files[0].path);
        rel = files.map((f) => (pkg ? path.posix.relative(pkg, f.path) : f.path));
      }
      const run = analyse(dir, rel);
      // A finding counts when it has the expected id and lies on a bug line of its file (recorded or changed by the fix).
      const hits = run.findings.filter((x) => {
        const i = rel.indexOf(x.file);
        return i >= 0 && x.id === c.expectedId && files[i].at[version].has(x.line);
      });
      per[version] = {
        error: run.error,
        exit: run.exit,
        diagnostics: run.diagnostics?.length ?? 0,
        hits: hits.map((x) => `${x.file}:${x.line}`),
        sameIdElsewhere: run.findings.filter((x) => x.id === c.expectedId && !hits.includes(x)).map((x) => `${x.file}:${x.line}`),
        other: run.findings.filter((x) => x.id !== c.expectedId).map((x) => `${x.id} ${x.file}:${x.line}`),
      };
    }
    res.modes[mode] = { found: (per.buggy?.hits.length ?? 0) > 0, fixedReported: (per.fixed?.hits.length ?? 0) > 0, ...per };
  }
}

const machine = `${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, TypeScript ${ts.version}`;
const asyncsanAt = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
writeFileSync(path.join(work, 'results.json'), `${JSON.stringify({ date: new Date().toISOString(), machine, asyncsan: asyncsanAt, checks: checkSet.length ? 'strict' : 'recommended', modes, results }, null, 1)}\n`);

// ---- report ----
const mark = (m) => (!m ? '–' : m.buggy?.error || m.fixed?.error ? 'error' : `${m.found ? 'found' : 'missed'}${m.fixedReported ? ', FIXED REPORTED' : ''}`);
console.log(`\nReal bugs: ${results.length} cases, asyncsan check ${checkSet.length ? '--strict' : '(recommended checks)'} at ${asyncsanAt.slice(0, 10)}, ${((Date.now() - t0) / 1000).toFixed(0)} s on ${machine}\n`);
const pad = (s, n) => String(s).padEnd(n);
console.log(`${pad('case', 34)}${pad('family', 7)}${pad('expected id', 27)}${modes.map((m) => pad(m, 26)).join('')}`);
for (const r of results) console.log(`${pad(r.id, 34)}${pad(r.family, 7)}${pad(r.expectedId, 27)}${modes.map((m) => pad(mark(r.modes[m]), 26)).join('')}`);

/** Per family and overall: found / cases that ran in the mode, and fixed versions reported. */
function tally(mode, pick = () => true) {
  const rs = results.filter((r) => pick(r) && r.modes[mode] && !r.modes[mode].buggy?.error);
  return { n: rs.length, found: rs.filter((r) => r.modes[mode].found).length, fixedReported: rs.filter((r) => r.modes[mode].fixedReported).length };
}
const bestOf = (r) => modes.some((m) => r.modes[m]?.found);
console.log('\nRecall (found on the buggy version / cases), and fixed versions still reported at the bug:');
for (const fam of [...Object.keys(families), 'all']) {
  const pick = fam === 'all' ? () => true : (r) => r.family === fam;
  const cells = modes.map((m) => {
    const t = tally(m, pick);
    return t.n ? `${m} ${t.found}/${t.n}${t.fixedReported ? ` (fixed reported ${t.fixedReported})` : ''}` : `${m} –`;
  });
  const rs = results.filter(pick);
  console.log(`  ${pad(fam === 'all' ? 'all' : `${fam} ${families[fam].expectedId}`, 32)}${cells.map((c) => pad(c, 36)).join('')}any mode ${rs.filter(bestOf).length}/${rs.length}`);
}

if (process.argv.includes('--markdown')) {
  const url = (c) => `[\`${c.fix.slice(0, 10)}\`](${c.url})`;
  console.log('\n| # | case | project | fix commit | family | expected id | bug line(s) | ' + modes.join(' | ') + ' |');
  console.log(`| ---: | --- | --- | --- | --- | --- | --- | ${modes.map(() => '---').join(' | ')} |`);
  results.forEach((r, i) => {
    const c = cases.find((x) => x.id === r.id);
    const lines = c.files.map((f) => `${f.path.split('/').pop()}:${f.bugLines.map((l) => l.line).join(',')}`).join('; ');
    console.log(`| ${i + 1} | ${r.id} | ${c.repo} | ${url(c)} | ${r.family} | ${r.expectedId} | ${lines} | ${modes.map((m) => mark(r.modes[m])).join(' | ')} |`);
  });
  console.log(`\n| family | expected id | ${modes.join(' | ')} | any mode |`);
  console.log(`| --- | --- | ${modes.map(() => '---:').join(' | ')} | ---: |`);
  for (const fam of [...Object.keys(families), 'all']) {
    const pick = fam === 'all' ? () => true : (r) => r.family === fam;
    const rs = results.filter(pick);
    const cell = (m) => {
      const t = tally(m, pick);
      return t.n ? `${t.found}/${t.n}` : '–';
    };
    console.log(`| ${fam === 'all' ? '**all**' : `${fam} ${families[fam].title}`} | ${fam === 'all' ? '' : families[fam].expectedId} | ${modes.map(cell).join(' | ')} | ${rs.filter(bestOf).length}/${rs.length} |`);
  }
}

if (missing.length) {
  console.log(`\nMissing mirrors (${missing.length} case(s) skipped): bring them with the fetch tool, then run again:`);
  for (const c of missing) console.log(`  ${c.id}: ${path.join(mirrorRoot, c.mirror, 'repo')}  <- fetch github:${c.repo}`);
}
if (skipped.length) {
  console.log(`\nSkipped (${skipped.length}):`);
  for (const s of skipped) console.log(`  ${s}`);
}
process.exit(missing.length || skipped.length ? 3 : 0);
