/**
 * End to end: the real `eslint` CLI with the plugin's `strict` flat config and
 * typescript-eslint's parser, over fixtures/<id>/ for every rule the plugin
 * has, compared exactly with the `// expect:` markers.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog, docsUrl } from '@asyncsan/core';
import plugin from 'eslint-plugin-asyncsan';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations, repoRoot } from '@asyncsan/test-harness/expectations';
import { lintIds } from '@asyncsan/test-harness/ids';

interface EslintMessage {
  ruleId: string | null;
  line: number;
  column: number;
  fatal?: boolean;
  message: string;
}
interface EslintFileResult {
  filePath: string;
  messages: EslintMessage[];
}

// The catalog's lint ids: a rule the plugin lacks fails here as markers nothing reported.
const ruleIds = [...lintIds].sort();
let workDir: string;
let results: EslintFileResult[];
let lintedDirs: string[];

beforeAll(() => {
  const tmpRoot = path.join(repoRoot, '.asyncsan-tmp');
  mkdirSync(tmpRoot, { recursive: true });
  workDir = mkdtempSync(path.join(tmpRoot, 'eslint-e2e-'));
  const configFile = path.join(workDir, 'eslint.config.mjs');
  writeFileSync(
    configFile,
    [
      "import tseslint from 'typescript-eslint';",
      "import asyncsan from 'eslint-plugin-asyncsan';",
      'export default [',
      '  {',
      "    files: ['**/*.ts'],",
      '    languageOptions: {',
      '      parser: tseslint.parser,',
      `      parserOptions: { project: ${JSON.stringify(path.join(fixturesRoot, 'tsconfig.json'))}, tsconfigRootDir: ${JSON.stringify(repoRoot)} },`,
      '    },',
      '  },',
      '  asyncsan.configs.strict,',
      '];',
      '',
    ].join('\n'),
  );
  lintedDirs = ruleIds.map((id) => path.join('fixtures', id)).filter((d) => existsSync(path.join(repoRoot, d)));
  let stdout: string;
  try {
    stdout = execFileSync(
      path.join(repoRoot, 'node_modules/.bin/eslint'),
      ['--config', configFile, '--format', 'json', '--no-warn-ignored', ...lintedDirs],
      { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (error) {
    // eslint exits 1 when it reports problems; the JSON is still on stdout.
    const e = error as { status?: number; stdout?: string; stderr?: string };
    if (e.status !== 1 || !e.stdout) throw new Error(`eslint failed (exit ${e.status}): ${e.stderr ?? ''}`);
    stdout = e.stdout;
  }
  results = JSON.parse(stdout) as EslintFileResult[];
});

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('eslint CLI over fixtures/', () => {
  it('the plugin has rules, each in strict and with fixtures', () => {
    expect(ruleIds).toContain('floating-promise');
    expect(Object.keys(plugin.rules).sort()).toEqual(ruleIds);
    for (const id of ruleIds) {
      expect(plugin.configs.strict.rules?.[`asyncsan/${id}`], id).toBeDefined();
      const dir = path.join(fixturesRoot, id);
      expect(existsSync(dir), `fixtures/${id}/ exists`).toBe(true);
      const names = readdirSync(dir);
      expect(names.some((n) => n.startsWith('bad-')), `fixtures/${id} has bad-*.ts`).toBe(true);
      expect(names.some((n) => n.startsWith('good-')), `fixtures/${id} has good-*.ts`).toBe(true);
    }
  });

  it('recommended holds exactly the recommended catalog entries; every rule links its docs page', () => {
    const recommended = Object.keys(plugin.configs.recommended.rules ?? {}).sort();
    expect(recommended).toEqual(ruleIds.filter((id) => catalog.get(id)?.recommended).map((id) => `asyncsan/${id}`));
    expect(plugin.configs.recommended.plugins?.asyncsan).toBe(plugin);
    // Strict-only by measurement on real code (each page's "Why only in strict"); strict has every rule.
    for (const id of ['unbounded-concurrency', 'uncancelled-siblings', 'check-then-act', 'lost-update', 'leaked-timer']) {
      expect(recommended).not.toContain(`asyncsan/${id}`);
      expect(Object.keys(plugin.configs.strict.rules ?? {})).toContain(`asyncsan/${id}`);
    }
    expect(recommended).toEqual(
      ['floating-promise', 'leaked-listener', 'missing-abort-propagation', 'misused-async-callback', 'mutex-not-released', 'never-settling-promise', 'race-timeout-leak'].map((id) => `asyncsan/${id}`),
    );
    // strict also reports the promises and async callbacks that reject only if a synchronous call throws.
    for (const id of ['floating-promise', 'misused-async-callback']) {
      expect(plugin.configs.recommended.rules?.[`asyncsan/${id}`]).toBe('error');
      expect(plugin.configs.strict.rules?.[`asyncsan/${id}`]).toEqual(['error', { checkSyncThrows: true }]);
    }
    for (const id of ruleIds) {
      expect(plugin.rules[id]!.meta.docs?.url).toBe(docsUrl(id));
      expect(existsSync(path.join(repoRoot, 'docs/rules', `${id}.md`)), `docs/rules/${id}.md`).toBe(true);
    }
  });

  it('parses every fixture without fatal errors', () => {
    const fatal = results.flatMap((r) => r.messages.filter((m) => m.fatal || m.ruleId === null).map((m) => `${r.filePath}:${m.line}: ${m.message}`));
    expect(fatal).toEqual([]);
  });

  it.each(ruleIds)('%s reports exactly its markers, in its own fixtures and in every other linted folder', (id) => {
    const files = lintedDirs.flatMap((d) => listSourceFiles(path.join(repoRoot, d)));
    const expected = readExpectations(files);
    expect(expected.filter((e) => e.id === id).length, `fixtures/${id} has markers`).toBeGreaterThan(0);
    const findings = results.flatMap((r) =>
      r.messages
        .filter((m) => m.ruleId === `asyncsan/${id}`)
        .map((m) => ({ id, location: { file: r.filePath, line: m.line, column: m.column } })),
    );
    expect(formatDiff(diffFindings(expected, findings, { ids: [id], engine: 'lint', strict: true }))).toBe('');
  });
});

describe('eslint CLI over a JavaScript project (allowJs, types inferred)', () => {
  it('reports exactly the markers of its .js, .mjs and .cjs files', () => {
    const project = path.join(fixturesRoot, 'projects/javascript');
    const configFile = path.join(workDir, 'eslint.javascript.config.mjs');
    writeFileSync(
      configFile,
      [
        "import tseslint from 'typescript-eslint';",
        "import asyncsan from 'eslint-plugin-asyncsan';",
        'export default [',
        '  {',
        "    files: ['**/*.{js,mjs,cjs}'],",
        '    languageOptions: {',
        '      parser: tseslint.parser,',
        `      parserOptions: { project: ${JSON.stringify(path.join(project, 'tsconfig.json'))}, tsconfigRootDir: ${JSON.stringify(project)} },`,
        '    },',
        '  },',
        '  { ...asyncsan.configs.strict, files: ["**/*.{js,mjs,cjs}"] },',
        '];',
        '',
      ].join('\n'),
    );
    let stdout: string;
    try {
      stdout = execFileSync(path.join(repoRoot, 'node_modules/.bin/eslint'), ['--config', configFile, '--format', 'json', '--no-warn-ignored', path.join(project, 'src')], {
        cwd: repoRoot,
        encoding: 'utf8',
      });
    } catch (error) {
      const e = error as { status?: number; stdout?: string; stderr?: string };
      if (e.status !== 1 || !e.stdout) throw new Error(`eslint failed (exit ${e.status}): ${e.stderr ?? ''}`);
      stdout = e.stdout;
    }
    const linted = JSON.parse(stdout) as EslintFileResult[];
    expect(linted.map((r) => path.basename(r.filePath)).sort()).toEqual(['chat-room.js', 'good.cjs', 'workers.mjs']);
    expect(linted.flatMap((r) => r.messages.filter((m) => m.fatal || m.ruleId === null).map((m) => m.message))).toEqual([]);
    const findings = linted.flatMap((r) =>
      r.messages.map((m) => ({ id: (m.ruleId ?? '').replace(/^asyncsan\//, ''), location: { file: r.filePath, line: m.line, column: m.column } })),
    );
    const files = listSourceFiles(project, ['.js', '.mjs', '.cjs']);
    expect(formatDiff(diffFindings(readExpectations(files), findings, { ids: ruleIds, engine: 'lint', strict: true }))).toBe('');
  });
});
