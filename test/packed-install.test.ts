/**
 * The newcomer's first hour (issue 19), as a user gets the packages: every
 * workspace packed with `npm pack`, installed from the tarballs (no workspace
 * links) into a fresh project outside the repository that has a dist/ folder,
 * tests and config files. The install lines, eslint.config.js and
 * vitest.config.ts are taken from README.md's "Using it in your project", so the
 * README is what this test does. One install serves every assertion.
 */
import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_URL } from '@asyncsan/core';
import { repoRoot } from '@asyncsan/test-harness/expectations';

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const usage = readme.slice(readme.indexOf('## Using it in your project'), readme.indexOf('\n## ', readme.indexOf('## Using it in your project') + 1));

/** The fenced block of README's "Using it in your project" whose language and first line match. */
function snippet(lang: string, first: RegExp): string {
  for (const m of usage.matchAll(new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```$', 'gm'))) if (first.test(m[1]!)) return m[1]!;
  throw new Error(`README.md "Using it in your project" has no \`\`\`${lang} block matching ${first}`);
}

/** Every package the README's `npm i -D` lines install. */
function installLines(): string[] {
  const block = snippet('sh', /^npm i -D /);
  return block.split('\n').flatMap((line) => (line.startsWith('npm i -D ') ? line.replace(/#.*$/, '').trim().split(/\s+/).slice(3) : []));
}

const lock = JSON.parse(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
const workspaces = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
const manifest = (w: string) => JSON.parse(readFileSync(path.join(repoRoot, w, 'package.json'), 'utf8')) as { name: string; private?: boolean };
/** What a user can get: every workspace but the private ones (the test harness), which are never packed or published. */
const published = workspaces.filter((w) => !manifest(w).private);

/** The child's environment: a plain shell's, not the test runner's (no colour settings, no CI, no npm script context). */
function plainEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) {
    if (/^(NO_COLOR|FORCE_COLOR|CI|GITHUB_ACTIONS|GITHUB_STEP_SUMMARY|NODE_OPTIONS|VITEST.*|TEST|INIT_CWD)$/.test(k) || /^npm_(package|lifecycle)_/.test(k)) delete env[k];
  }
  return { ...env, TERM: 'xterm-256color', ...extra };
}

let work: string;
let project: string;
let packed: { name: string; filename: string; files: { path: string }[] }[];

function run(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; stdout?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, {
    cwd: project,
    encoding: 'utf8',
    env: plainEnv(options.env),
    stdio: ['ignore', options.stdout ?? 'pipe', 'pipe'],
    timeout: 180_000,
  });
}

const write = (file: string, text: string) => {
  mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
  writeFileSync(path.join(project, file), text);
};

const FLOATING_LINE = 7;

/** A small project as a newcomer has one: sources, tests, build output, config files. */
function writeProject(devDependencies: Record<string, string>, overrides: Record<string, string>): void {
  write('package.json', `${JSON.stringify({ name: 'newcomer-app', version: '1.0.0', private: true, type: 'module', devDependencies, overrides }, null, 2)}\n`);
  write(
    'tsconfig.json',
    `${JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, outDir: 'dist', declaration: true, skipLibCheck: true }, include: ['src', 'test'] }, null, 2)}\n`,
  );
  write(
    'src/orders.ts',
    [
      'export async function save(id: string): Promise<void> {',
      '  await new Promise((resolve) => setTimeout(resolve, 1));',
      "  if (id === '') throw new Error('no id');",
      '}',
      '',
      'export function submit(id: string): void {',
      '  save(id);', // line 7: the planted floating promise
      '}',
      '',
      'export function startPolling(): ReturnType<typeof setInterval> {',
      '  return setInterval(() => undefined, 1000);',
      '}',
      '',
    ].join('\n'),
  );
  // A job that exits with a timer still armed: `asyncsan run` reports leaked-timer unless the config turns it off.
  write('src/job.mjs', "setTimeout(() => console.log('retry'), 60_000);\nsetTimeout(() => process.exit(0), 20);\n");
  write(
    'test/orders.test.ts',
    [
      "import { expect, it } from 'vitest';",
      "import { startPolling, submit } from '../src/orders.js';",
      '',
      "it('submits', async () => {",
      "  expect(() => submit('a')).not.toThrow();",
      '  await new Promise((resolve) => setTimeout(resolve, 5));',
      '});',
      '',
      "it('polls', () => {",
      '  startPolling();',
      '});',
      '',
    ].join('\n'),
  );
  // Build output, as `tsc` leaves it: no tsconfig includes it.
  write('dist/orders.js', 'export async function save(id) { await Promise.resolve(id); }\nexport function submit(id) { save(id); }\n');
  write('dist/orders.d.ts', 'export declare function save(id: string): Promise<void>;\nexport declare function submit(id: string): void;\n');
  write('eslint.config.js', snippet('js', /^\/\/ eslint\.config\.js/));
  write('vitest.config.ts', snippet('ts', /from '@asyncsan\/vitest'/));
}

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'asyncsan-packed-'));
  project = path.join(work, 'app');
  mkdirSync(project);
  const packs = path.join(work, 'packs');
  mkdirSync(packs);
  // `npm pack --workspaces` would pack private workspaces too (only publish skips them): name the published ones.
  const pack = spawnSync('npm', ['pack', ...published.flatMap((w) => ['--workspace', w]), '--pack-destination', packs, '--json'], { cwd: repoRoot, encoding: 'utf8', env: plainEnv(), timeout: 300_000 });
  if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
  packed = JSON.parse(pack.stdout) as typeof packed;
  expect(packed.map((p) => p.name).sort()).toEqual(published.map((w) => manifest(w).name).sort());
  const tarball = new Map(packed.map((p) => [p.name, `file:${path.join(packs, p.filename)}`]));

  // What the README installs: ours from the tarballs, the rest at the versions of the root lock (npm's cache has them).
  const devDependencies: Record<string, string> = {};
  for (const name of installLines()) {
    const version = tarball.get(name) ?? lock.packages[`node_modules/${name}`]?.version;
    if (!version) throw new Error(`README installs ${name}, which is neither a workspace nor in package-lock.json`);
    devDependencies[name] = version;
  }
  // Our other packages come in as dependencies of those, resolved to their tarballs as the registry would serve them.
  const overrides = Object.fromEntries([...tarball].filter(([name]) => !(name in devDependencies)));
  writeProject(devDependencies, overrides);
  const install = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error']);
  if (install.status !== 0) throw new Error(`npm install failed:\n${install.stdout}\n${install.stderr}`);
}, 600_000);

afterAll(() => {
  if (work && !process.env.ASYNCSAN_KEEP_PACKED) rmSync(work, { recursive: true, force: true });
});

describe('the packed packages, installed in a fresh project', () => {
  it('installs what the README says, with no workspace link', () => {
    expect(installLines().sort()).toEqual(['@asyncsan/vitest', 'asyncsan', 'eslint', 'eslint-plugin-asyncsan', 'typescript', 'typescript-eslint', 'vitest']);
    for (const p of packed) {
      const dir = path.join(project, 'node_modules', p.name);
      expect(lstatSync(dir).isSymbolicLink(), `${p.name} is installed from its tarball, not linked`).toBe(false);
      expect(realpathSync(dir).startsWith(realpathSync(project)), p.name).toBe(true);
    }
  });

  it('every package has a README, the LICENSE, repository/homepage/bugs, and imports only what it declares', () => {
    const license = readFileSync(path.join(repoRoot, 'LICENSE'), 'utf8');
    for (const p of packed) {
      const files = p.files.map((f) => f.path);
      expect(files, p.name).toContain('README.md');
      expect(files, p.name).toContain('LICENSE');
      const dir = path.join(project, 'node_modules', p.name);
      expect(readFileSync(path.join(dir, 'LICENSE'), 'utf8'), p.name).toBe(license);
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
      expect(pkg.repository?.url, p.name).toBe(`git+${REPO_URL}.git`);
      expect(pkg.homepage?.startsWith(REPO_URL), p.name).toBe(true);
      expect(pkg.bugs?.url, p.name).toBe(`${REPO_URL}/issues`);
      // Nothing that only exists inside the repository: each bare import of its code is a declared dependency, resolvable from it.
      const declared = new Set([pkg.name, ...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
      const require = createRequire(path.join(dir, 'package.json'));
      for (const spec of bareImports(path.join(dir, 'dist'))) {
        expect(declared.has(spec), `${p.name} imports ${spec} without declaring it`).toBe(true);
        if (spec !== pkg.name && !pkg.peerDependenciesMeta?.[spec]?.optional) expect(installedFrom(require, spec), `${p.name}: ${spec}`).toBe(true);
      }
    }
    // asyncsan alone: its dependencies resolve from it (npm installed them from the declared graph, nothing hoisted by hand).
    const cli = JSON.parse(readFileSync(path.join(project, 'node_modules/asyncsan/package.json'), 'utf8')) as PackageJson;
    const fromCli = createRequire(path.join(project, 'node_modules/asyncsan/package.json'));
    for (const dep of Object.keys(cli.dependencies ?? {})) expect(installedFrom(fromCli, dep), dep).toBe(true);
  });

  it("the README's eslint.config.js lints the project with no parsing error and finds the planted floating promise", () => {
    const r = run('npx', ['eslint', '.', '--format', 'json']);
    const results = JSON.parse(r.stdout) as { filePath: string; messages: { ruleId: string | null; fatal?: boolean; message: string; line: number }[] }[];
    const rel = (f: string) => path.relative(project, f).split(path.sep).join('/');
    const problems = results.flatMap((res) => res.messages.map((m) => `${rel(res.filePath)}:${m.line} ${m.ruleId ?? (m.fatal ? 'FATAL' : 'null')} ${m.ruleId ? '' : m.message}`.trim()));
    expect(problems).toEqual([`src/orders.ts:${FLOATING_LINE} asyncsan/floating-promise`]);
    expect(r.status).toBe(1);
    // The tests and config files were linted (not skipped), the build output was not.
    expect(results.map((res) => rel(res.filePath)).sort()).toEqual(['eslint.config.js', 'src/job.mjs', 'src/orders.ts', 'test/orders.test.ts', 'vitest.config.ts']);
  });

  it('npx asyncsan check, redirected to a file, has no escape codes and names the rule page shipped with the package', () => {
    const out = path.join(work, 'check.txt');
    const fd = openSync(out, 'w');
    let r: SpawnSyncReturns<string>;
    try {
      r = run('npx', ['asyncsan', 'check'], { stdout: fd });
    } finally {
      closeSync(fd);
    }
    const text = readFileSync(out, 'utf8');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    expect(text).toContain(`src/orders.ts\n  ${FLOATING_LINE}:3 `);
    expect(text).not.toMatch(/\u001b/);
    expect(text.trimEnd().split('\n').at(-1)).toBe('✖ 1 problem (1 error, 0 warnings)');
    // The docs link names docs/rules/<id>.md in the repository; the same page is installed with @asyncsan/core.
    const link = /docs: (\S+)/.exec(text)![1]!;
    expect(link).toBe(`${REPO_URL}/blob/main/docs/rules/floating-promise.md`);
    const shipped = path.join(project, 'node_modules/@asyncsan/core/docs/rules/floating-promise.md');
    expect(readFileSync(shipped, 'utf8')).toBe(readFileSync(path.join(repoRoot, 'docs/rules/floating-promise.md'), 'utf8'));
    const installedRules = readdirSync(path.dirname(shipped)).sort();
    expect(installedRules).toEqual(readdirSync(path.join(repoRoot, 'docs/rules')).sort());
    // The ESLint rules link to the same pages.
    const eslintUrl = run('node', ['-e', "import('eslint-plugin-asyncsan').then((m) => console.log(m.default.rules['floating-promise'].meta.docs.url))"]);
    expect(eslintUrl.stdout.trim()).toBe(link);
  });

  it('a file with a syntax error appears in the JSON, the SARIF and the text summary, exit 3', () => {
    write('src/broken.ts', 'export function broken( {\n  return 1;\n');
    try {
      const json = run('npx', ['asyncsan', 'check', '--format', 'json', '--output', 'asyncsan.json']);
      expect(json.status).toBe(3);
      expect(json.stderr).toContain('asyncsan: 1 finding written to asyncsan.json; 1 file could not be analysed\n');
      const doc = JSON.parse(readFileSync(path.join(project, 'asyncsan.json'), 'utf8')) as { findings: { id: string }[]; diagnostics: { file: string; line: number; kind: string }[] };
      expect(doc.findings.map((f) => f.id)).toEqual(['floating-promise']);
      expect(doc.diagnostics.length).toBeGreaterThan(0);
      expect(new Set(doc.diagnostics.map((d) => `${d.file} ${d.kind}`))).toEqual(new Set(['src/broken.ts syntax']));

      // The same run as SARIF and as text (converted: the check itself runs once here).
      const sarif = run('npx', ['asyncsan', 'report', 'asyncsan.json', '--format', 'sarif']);
      expect(sarif.status).toBe(3);
      const notes = (JSON.parse(sarif.stdout) as SarifLog).runs[0]!.invocations![0]!.toolExecutionNotifications;
      expect(notes.length).toBe(doc.diagnostics.length);
      expect(notes.every((n) => n.locations[0]!.physicalLocation.artifactLocation.uri === 'src/broken.ts' && n.level === 'error')).toBe(true);

      const text = run('npx', ['asyncsan', 'report', 'asyncsan.json']);
      expect(text.status).toBe(3);
      expect(text.stdout).toContain('Could not analyse 1 file (findings there are missing):\n  src/broken.ts:');
      expect(text.stdout.trimEnd().split('\n').at(-1)).toBe('✖ 1 problem (1 error, 0 warnings) · 1 file could not be analysed');
    } finally {
      rmSync(path.join(project, 'src/broken.ts'));
      rmSync(path.join(project, 'asyncsan.json'), { force: true });
    }
  });

  it("the Vitest plugin from the README's vitest.config.ts obeys asyncsan.config.json", () => {
    const vitest = (): { verdicts: Record<string, string>; output: string } => {
      const results = path.join(work, `vitest-${Date.now()}.json`);
      // CI: the plugin's default mode there is 'fail', so the config decides the verdict.
      const r = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}`], { env: { CI: 'true' } });
      const json = JSON.parse(readFileSync(results, 'utf8')) as { testResults: { assertionResults: { title: string; status: string }[] }[] };
      return { verdicts: Object.fromEntries(json.testResults.flatMap((t) => t.assertionResults.map((a) => [a.title, a.status]))), output: r.stdout + r.stderr };
    };
    // Without a config, the interval the test leaves armed fails it.
    const before = vitest();
    expect(before.verdicts).toEqual({ submits: 'passed', polls: 'failed' });
    expect(before.output).toContain('leaked-timer');

    write('asyncsan.config.json', `${JSON.stringify({ severity: { 'leaked-timer': 'off' } }, null, 2)}\n`);
    try {
      const after = vitest();
      expect(after.verdicts).toEqual({ submits: 'passed', polls: 'passed' });
      expect(after.output).not.toContain('leaked-timer');

      // A mistake in it stops Vitest before any test, naming the file and the key.
      write('asyncsan.config.json', `${JSON.stringify({ severity: { 'leaked-timr': 'off' } })}\n`);
      const broken = run('npx', ['vitest', 'run'], { env: { CI: 'true' } });
      expect(broken.status).not.toBe(0);
      expect(broken.stdout + broken.stderr).toContain('asyncsan.config.json: "severity.leaked-timr" is not a hazard id (did you mean "leaked-timer"?)');
      expect(broken.stdout + broken.stderr).not.toMatch(/Tests\s+\d+ (passed|failed)/);
    } finally {
      rmSync(path.join(project, 'asyncsan.config.json'), { force: true });
    }
  });

  it('the same vitest config loads as CommonJS (a package without "type": "module", here a .cts config)', () => {
    // Vite bundles a CommonJS config and require()s its imports: the plugin resolves through its "default" export
    // condition and Node >= 20.19 loads the ES module (mswjs/interceptors' vitest.config.js, bench/REAL-SUITES.md round 4).
    write('vitest.config.cts', readFileSync(path.join(project, 'vitest.config.ts'), 'utf8'));
    try {
      const results = path.join(work, `vitest-cts-${Date.now()}.json`);
      const r = run('npx', ['vitest', 'run', '--config', 'vitest.config.cts', '--reporter=default', '--reporter=json', `--outputFile.json=${results}`], { env: { CI: 'true' } });
      expect(r.stdout + r.stderr).not.toContain('ESM only');
      const json = JSON.parse(readFileSync(results, 'utf8')) as { testResults: { assertionResults: { title: string; status: string }[] }[] };
      expect(Object.fromEntries(json.testResults.flatMap((t) => t.assertionResults.map((a) => [a.title, a.status])))).toEqual({ submits: 'passed', polls: 'failed' });
    } finally {
      rmSync(path.join(project, 'vitest.config.cts'), { force: true });
    }
  });

  it('asyncsan run obeys asyncsan.config.json, and reports a broken one before running the command', () => {
    const before = run('npx', ['asyncsan', 'run', '--', 'node', 'src/job.mjs']);
    expect(before.status).toBe(1);
    expect(before.stderr).toContain('leaked-timer');
    expect(before.stderr).not.toMatch(/\u001b/);

    write('asyncsan.config.json', `${JSON.stringify({ severity: { 'leaked-timer': 'off' } })}\n`);
    try {
      const after = run('npx', ['asyncsan', 'run', '--', 'node', 'src/job.mjs']);
      expect({ status: after.status, stderr: after.stderr }).toEqual({ status: 0, stderr: '✔ No async hazards found\n' });

      write('asyncsan.config.json', `${JSON.stringify({ failOn: 'sometimes' })}\n`);
      const broken = run('npx', ['asyncsan', 'run', '--', 'node', '-e', "console.log('the command ran')"]);
      expect(broken.status).toBe(2);
      expect(broken.stdout).toBe('');
      expect(broken.stderr).toBe('asyncsan: asyncsan.config.json: "failOn" must be one of "error", "warning", "info", got "sometimes"\n');
    } finally {
      rmSync(path.join(project, 'asyncsan.config.json'), { force: true });
    }
  });

  it('asyncsan report on a document that breaks the findings schema exits 2 with the file and the JSON path', () => {
    const finding = { id: 'leaked-timer', severity: 'error', message: 'left armed', engine: 'tracer', test: { file: 'test/orders.test.ts', name: 'polls' } };
    writeFileSync(path.join(project, 'broken.json'), JSON.stringify({ version: 1, tool: { name: 'asyncsan', version: '0.1.0' }, findings: [finding] }));
    const r = run('npx', ['asyncsan', 'report', 'broken.json']);
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
      status: 2,
      stdout: '',
      stderr: 'asyncsan: broken.json: does not match the findings schema at $.findings[0].test.fullName: is required\n',
    });
  });
});

/** Whether a package is installed where Node's resolution from `require`'s place looks (its exports may hide package.json). */
function installedFrom(require: NodeJS.Require, name: string): boolean {
  return (require.resolve.paths(name) ?? []).some((dir) => existsSync(path.join(dir, name, 'package.json')));
}

interface PackageJson {
  name: string;
  repository?: { url?: string };
  homepage?: string;
  bugs?: { url?: string };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

interface SarifLog {
  runs: { invocations?: { toolExecutionNotifications: { level: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] }[];
}

/** The packages a dist folder's JavaScript imports or requires by a literal bare name (TypeScript's scanner; node: built-ins left out). */
function bareImports(dist: string): Set<string> {
  const out = new Set<string>();
  const builtins = new Set(builtinModules);
  const visit = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) visit(file);
      else if (/\.(m?js|cjs)$/.test(name)) {
        for (const { fileName: spec } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
          if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:') || builtins.has(spec)) continue;
          out.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
        }
      }
    }
  };
  if (existsSync(dist)) visit(dist);
  return out;
}
