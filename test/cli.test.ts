import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '@asyncsan/test-harness/cli';
import { repoRoot } from '@asyncsan/test-harness/expectations';

const sample = 'test/data/findings.json';
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'asyncsan-cli-'));

describe('asyncsan CLI shell', () => {
  it('prints help and version with exit 0', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: asyncsan/);
    expect(help.stdout).toMatch(/check \[options\] \[paths\.\.\.\]/);
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(path.join(repoRoot, 'packages/cli/package.json'), 'utf8')).version);
  });

  it('exits 2 with one clear line on usage errors, without a stack trace', async () => {
    const unknown = await runCli(['bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'bogus'/);
    const badFormat = await runCli(['report', sample, '--format', 'yaml']);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toMatch(/argument 'yaml' is invalid\. Allowed choices are text, json, sarif, junit, github, markdown, html/);
    const noArgs = await runCli([]);
    expect(noArgs.code).toBe(2);
    for (const r of [unknown, badFormat]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports a missing or malformed findings file as exit 2', async () => {
    const missing = await runCli(['report', 'nope.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('asyncsan: nope.json: cannot read findings file\n');
    const bad = await runCli(['report', 'test/data/bad-version.json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('asyncsan: test/data/bad-version.json: findings format version 7 is not supported (expected 1)\n');
  });

  it('report: text output groups by file, shows a code frame and exits 1 on errors', async () => {
    const r = await runCli(['report', sample]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('test/data/sample/metrics.ts\n  6:18    error  setInterval created in this test is still armed when the test ends  leaked-timer');
    expect(r.stdout).toContain('    > 6 |     this.timer = setInterval(flush, 1000);\n        |                  ^^^^^^^^^^^^^^^^^^^^^^^^');
    expect(r.stdout).toContain('test: metrics > reporter leaks its interval');
    expect(r.stdout).toContain('… 1 external frame');
    expect(r.stdout).toMatch(/✖ 3 problems \(2 errors, 1 warning\)\n$/);
    expect(r.stdout).not.toMatch(/\u001b\[/); // NO_COLOR is set by the harness
  });

  it('colours only when asked, and --no-color beats FORCE_COLOR', async () => {
    const forced = await runCli(['report', sample], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(forced.stdout).toMatch(/\u001b\[31merror\u001b\[0m/);
    const off = await runCli(['report', sample, '--no-color'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(off.stdout).not.toMatch(/\u001b\[/);
  });

  it('report converts to every format, and json round-trips', async () => {
    const dir = tmp();
    for (const format of ['json', 'sarif', 'junit', 'github', 'markdown', 'html', 'text']) {
      const out = path.join(dir, `out.${format}`);
      const r = await runCli(['report', sample, '--format', format, '--output', out]);
      expect(r.code, format).toBe(1);
      expect(r.stderr).toBe(`asyncsan: 3 findings written to ${out}\n`);
      expect(readFileSync(out, 'utf8').length).toBeGreaterThan(50);
    }
    const json = JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8'));
    expect(json.version).toBe(1);
    expect(json.findings.map((f: { id: string }) => f.id)).toEqual(['leaked-timer', 'floating-promise', 'unbounded-concurrency']);
    expect(json.findings.every((f: { fingerprint: string }) => /^[0-9a-f]{20}$/.test(f.fingerprint))).toBe(true);
    // Converting our own output again gives the same document.
    const again = await runCli(['report', path.join(dir, 'out.json'), '--format', 'json']);
    expect(JSON.parse(again.stdout)).toEqual(json);
    const gh = readFileSync(path.join(dir, 'out.github'), 'utf8').split('\n');
    expect(gh[0]).toBe(
      '::error file=test/data/sample/metrics.ts,line=6,col=18,endLine=6,endColumn=42,title=asyncsan/leaked-timer::setInterval created in this test is still armed when the test ends [test: metrics > reporter leaks its interval]%0AFix: Keep the handle and clearInterval it in stop(), or unref() it if it may outlive its owner.',
    );
    expect(gh[2]).toMatch(/^::warning file=test\/data\/sample\/metrics.ts,line=16,col=3,title=asyncsan\/unbounded-concurrency::.*100%25 done%0Asecond line/);
  });

  it('under GitHub Actions: annotations by default and a markdown step summary', async () => {
    const dir = tmp();
    const summary = path.join(dir, 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    const r = await runCli(['report', sample], { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('::'))).toHaveLength(3);
    const md = readFileSync(summary, 'utf8');
    expect(md.startsWith('# earlier step\n## asyncsan\n')).toBe(true);
    expect(md).toContain('**3 findings** (2 errors, 1 warning).');
    // An explicit --format still wins.
    const text = await runCli(['report', sample, '--format', 'text'], { env: { GITHUB_ACTIONS: 'true' } });
    expect(text.stdout).toContain('✖ 3 problems');
  });

  it('report --compare marks new, unchanged and fixed findings in every format; only new ones fail', async () => {
    const dir = tmp();
    const base = JSON.parse(readFileSync(path.join(repoRoot, sample), 'utf8'));
    // The earlier run had the timer leak and a deadlock since fixed; the floating promise is new.
    const old = { ...base, findings: [base.findings[0], base.findings[2], { id: 'deadlock', severity: 'error', message: 'all tasks are asleep', engine: 'tracer', location: { file: 'test/data/sample/metrics.ts', line: 17, column: 3 } }] };
    const oldFile = path.join(dir, 'old.json');
    writeFileSync(oldFile, JSON.stringify(old));

    const json = await runCli(['report', sample, '--compare', oldFile, '--format', 'json']);
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout);
    const fp = Object.fromEntries(doc.findings.map((f: { id: string; fingerprint: string }) => [f.id, f.fingerprint]));
    expect(doc.comparison.new).toEqual([fp['floating-promise']]);
    expect(doc.comparison.unchanged).toBe(2);
    expect(doc.comparison.fixed.map((f: { id: string }) => f.id)).toEqual(['deadlock']);

    const text = await runCli(['report', sample, '--compare', oldFile]);
    expect(text.stdout).toContain('error  [new] Promise returned by db.put');
    expect(text.stdout).toContain('error  [unchanged] setInterval created');
    expect(text.stdout).toContain('Fixed since ' + oldFile + ':\n  ✔ test/data/sample/metrics.ts:17:3  all tasks are asleep  deadlock');
    expect(text.stdout).toContain(`Compared with ${oldFile}: 1 new, 2 unchanged, 1 fixed`);

    const sarif = JSON.parse((await runCli(['report', sample, '--compare', oldFile, '--format', 'sarif'])).stdout);
    expect(sarif.runs[0].results.map((r: { ruleId: string; baselineState: string }) => `${r.ruleId}:${r.baselineState}`)).toEqual([
      'leaked-timer:unchanged',
      'floating-promise:new',
      'unbounded-concurrency:unchanged',
      'deadlock:absent',
    ]);
    const junit = (await runCli(['report', sample, '--compare', oldFile, '--format', 'junit'])).stdout;
    expect(junit).toContain('name="[new] floating-promise at test/data/sample/metrics.ts:15:3"');
    expect(junit).toContain('<testcase classname="asyncsan.deadlock" name="[fixed] deadlock at test/data/sample/metrics.ts:17:3"/>');
    const md = (await runCli(['report', sample, '--compare', oldFile, '--format', 'markdown'])).stdout;
    expect(md).toContain(`Compared with \`${oldFile}\`: **1 new**, 2 unchanged, 1 fixed.`);
    expect(md).toContain('### Fixed (1)');
    const gh = (await runCli(['report', sample, '--compare', oldFile, '--format', 'github'])).stdout;
    expect(gh).toContain('title=asyncsan/floating-promise::[new] Promise returned by db.put');
    expect(gh).toContain(`::notice title=asyncsan::Compared with ${oldFile}: 1 new, 2 unchanged, 1 fixed`);
    const html = (await runCli(['report', sample, '--compare', oldFile, '--format', 'html'])).stdout;
    expect(html).toContain('<span id="count-new">1 new</span><span id="count-fixed">1 fixed</span>');

    // Nothing new: exit 0 even though errors remain.
    const same = await runCli(['report', sample, '--compare', sample]);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('0 new, 3 unchanged, 0 fixed');
  });

  it('merges several findings files, keeping exact repeats once', async () => {
    const r = await runCli(['report', sample, sample, '--format', 'json']);
    expect(JSON.parse(r.stdout).findings).toHaveLength(3);
  });

  it('--fail-on and --max-warnings set the exit code', async () => {
    const dir = tmp();
    const warnOnly = path.join(dir, 'warn.json');
    const doc = JSON.parse(readFileSync(path.join(repoRoot, sample), 'utf8'));
    doc.findings = doc.findings.filter((f: { severity: string }) => f.severity === 'warning');
    writeFileSync(warnOnly, JSON.stringify(doc));
    expect((await runCli(['report', warnOnly])).code).toBe(0);
    expect((await runCli(['report', warnOnly, '--fail-on', 'warning'])).code).toBe(1);
    const maxed = await runCli(['report', warnOnly, '--max-warnings', '0']);
    expect(maxed.code).toBe(1);
    expect(maxed.stderr).toContain('1 warnings exceed --max-warnings 0');
    expect((await runCli(['report', warnOnly, '--max-warnings', '1'])).code).toBe(0);
    expect((await runCli(['report', warnOnly, '--max-warnings', 'x'])).code).toBe(2);
  });

  it('baseline: --update-baseline writes it, later runs report only new findings', async () => {
    const dir = tmp();
    const baseline = path.join(dir, 'baseline.json');
    const first = await runCli(['report', sample, '--baseline', baseline, '--update-baseline']);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('wrote 3 findings to the baseline');
    const b = JSON.parse(readFileSync(baseline, 'utf8'));
    expect(b.version).toBe(1);
    expect(b.findings).toHaveLength(3);

    const clean = await runCli(['report', sample, '--baseline', baseline]);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toBe('✔ No async hazards found · 3 baselined\n');

    // A new finding is reported; the accepted ones stay hidden.
    const doc = JSON.parse(readFileSync(path.join(repoRoot, sample), 'utf8'));
    doc.findings.push({ id: 'deadlock', severity: 'error', message: 'all tasks are asleep', engine: 'tracer', location: { file: 'test/data/sample/metrics.ts', line: 17, column: 3 } });
    const withNew = path.join(dir, 'new.json');
    writeFileSync(withNew, JSON.stringify(doc));
    const r = await runCli(['report', withNew, '--baseline', baseline, '--format', 'json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.findings.map((f: { id: string }) => f.id)).toEqual(['deadlock']);
    expect(out.baselined).toBe(3);

    const missing = await runCli(['report', sample, '--baseline', path.join(dir, 'none.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/baseline file not found \(create it with --update-baseline\)/);
  });

  it('a bad config gives one line naming the file, the key and what was expected, exit 2', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'asyncsan.config.json'), JSON.stringify({ severity: { 'floating-promises': 'error' } }));
    const typo = await runCli(['report', path.join(repoRoot, sample)], { cwd: dir });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe('asyncsan: asyncsan.config.json: "severity.floating-promises" is not a hazard id (did you mean "floating-promise"?); see docs/rules/ for the list\n');

    writeFileSync(path.join(dir, 'asyncsan.config.json'), JSON.stringify({ severity: { 'leaked-timer': 'loud' } }));
    const value = await runCli(['report', path.join(repoRoot, sample)], { cwd: dir });
    expect(value.code).toBe(2);
    expect(value.stderr).toBe('asyncsan: asyncsan.config.json: "severity.leaked-timer" must be one of "error", "warning", "warn", "info", "off", got "loud"\n');

    writeFileSync(path.join(dir, 'asyncsan.config.json'), '{ "severity": ');
    const syntax = await runCli(['report', path.join(repoRoot, sample)], { cwd: dir });
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(/^asyncsan: .*asyncsan\.config\.json: cannot load config: .*JSON/);
    expect(syntax.stderr.trim().split('\n')).toHaveLength(1);

    const explicit = await runCli(['report', sample, '--config', 'missing.config.json']);
    expect(explicit.code).toBe(2);
    expect(explicit.stderr).toBe('asyncsan: missing.config.json: config file not found\n');
  });

  it('config severity and ignores change what is reported', async () => {
    const dir = tmp();
    const findings = path.join(dir, 'findings.json');
    writeFileSync(findings, readFileSync(path.join(repoRoot, sample)));
    writeFileSync(
      path.join(dir, 'asyncsan.config.mjs'),
      `export default { severity: { 'leaked-timer': 'warn', 'unbounded-concurrency': 'off' }, ignores: ['vendor/**'] };\n`,
    );
    const r = await runCli(['report', findings, '--format', 'json'], { cwd: dir });
    const out = JSON.parse(r.stdout);
    expect(out.findings.map((f: { id: string; severity: string }) => `${f.id}:${f.severity}`)).toEqual(['leaked-timer:warning', 'floating-promise:error']);
    expect(r.code).toBe(1);

    writeFileSync(path.join(dir, 'asyncsan.config.mjs'), `export default { ignores: ['test/data/**'] };\n`);
    const ignored = await runCli(['report', findings], { cwd: dir });
    expect(ignored.code).toBe(0);
  });

  it('reads an "asyncsan" key in package.json and a TypeScript config', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'x', asyncsan: { failOn: 'sometimes' } }));
    const pkg = await runCli(['report', path.join(repoRoot, sample)], { cwd: dir });
    expect(pkg.code).toBe(2);
    expect(pkg.stderr).toBe('asyncsan: package.json "asyncsan": "failOn" must be one of "error", "warning", "info", got "sometimes"\n');

    const dir2 = tmp();
    writeFileSync(path.join(dir2, 'asyncsan.config.ts'), `const severity: Record<string, string> = { 'floating-promise': 'off', 'leaked-timer': 'off' };\nexport default { severity };\n`);
    const ts = await runCli(['report', path.join(repoRoot, sample)], { cwd: dir2 });
    expect(ts.code).toBe(0);
  });
});
