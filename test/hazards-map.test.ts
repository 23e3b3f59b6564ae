/**
 * docs/hazards.md is the map from a hazard id to every file of it. This test keeps
 * it true: every linked path exists, every name given in parentheses after a link
 * occurs in that file, every catalog id has one row (in catalog order), and every
 * file named after an id is in that id's row, in its column. Each ESLint rule has
 * its own test file (a rule = one file + one doc + one test). The contributor docs
 * that send a newcomer to these files (CONTRIBUTING.md, docs/design.md) name files that exist.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalog, catalogIds } from '@asyncsan/core';
import { repoRoot } from '@asyncsan/test-harness/expectations';

const docsDir = path.join(repoRoot, 'docs');
const text = readFileSync(path.join(docsDir, 'hazards.md'), 'utf8');

const COLUMNS = ['id', 'static check', 'program check', 'ESLint rule', 'runtime detector', 'fixtures', 'doc page', 'tests'] as const;
type Column = (typeof COLUMNS)[number];

interface Link {
  /** Repo-relative, forward slashes; a folder keeps its trailing slash. */
  target: string;
  /** Names written in parentheses right after the link: `(`a`, `b`)`. */
  names: string[];
}

const LINK = /\[[^\]]*\]\(([^)\s]+)\)(?: \(((?:`[^`]+`(?:, )?)+)\))?/g;

function linksIn(markdown: string): Link[] {
  return [...markdown.matchAll(LINK)].map((m) => {
    const resolved = path.relative(repoRoot, path.resolve(docsDir, m[1]!)).split(path.sep).join('/');
    return {
      target: m[1]!.endsWith('/') ? `${resolved}/` : resolved,
      names: m[2] ? [...m[2].matchAll(/`([^`]+)`/g)].map((n) => n[1]!) : [],
    };
  });
}

const header = text.split('\n').find((l) => l.startsWith('| id |'));
const rows = text
  .split('\n')
  .filter((l) => l.startsWith('| `'))
  .map((line) => {
    const cells = line.slice(2, -2).split(' | ');
    const row = Object.fromEntries(COLUMNS.map((c, i) => [c, cells[i] ?? ''])) as Record<Column, string>;
    return { id: row.id.replace(/`/g, ''), cells: row, width: cells.length };
  });
const byId = new Map(rows.map((r) => [r.id, r]));

describe('docs/hazards.md', () => {
  it('has the columns this test reads, and every row has them all', () => {
    expect(header).toBe(`| ${COLUMNS.join(' | ')} |`);
    expect(rows.filter((r) => r.width !== COLUMNS.length).map((r) => r.id)).toEqual([]);
  });

  it('has one row per catalog id, in catalog order', () => {
    expect(rows.map((r) => r.id)).toEqual([...catalogIds]);
  });

  it('links only paths that exist, and each name given after a link occurs in that file', () => {
    const links = linksIn(text);
    expect(links.length).toBeGreaterThan(catalogIds.length * 4);
    expect(links.filter((l) => !existsSync(path.join(repoRoot, l.target))).map((l) => l.target)).toEqual([]);
    const absent = links.flatMap((l) => {
      if (l.names.length === 0) return [];
      const source = readFileSync(path.join(repoRoot, l.target), 'utf8');
      return l.names.filter((n) => !source.includes(n)).map((n) => `${l.target}: ${n}`);
    });
    expect(absent).toEqual([]);
  });

  it.each(catalogIds)('%s: every file named after the id is in its row, in its column', (id) => {
    const row = byId.get(id);
    expect(row, `a row for ${id}`).toBeDefined();
    const named = (column: Column) => linksIn(row!.cells[column]).map((l) => l.target);
    // [column, file named after the id]: when the file exists, the row must link it there.
    const own: [Column, string][] = [
      ['static check', `packages/checks/src/${id}.ts`],
      ['program check', `packages/analyzer/src/program-checks/${id}.ts`],
      ['ESLint rule', `eslint-plugin/src/rules/${id}.ts`],
      ['fixtures', `fixtures/${id}/`],
      ['fixtures', `fixtures/runtime/${id}/`],
      ['tests', `packages/checks/test/${id}.test.ts`],
      ['tests', `eslint-plugin/tests/rules/${id}.test.ts`],
      ['tests', `packages/analyzer/test/${id}.test.ts`],
    ];
    for (const [column, file] of own) {
      if (existsSync(path.join(repoRoot, file))) expect(named(column), `${id}: ${column}`).toContain(file);
    }
    expect(named('doc page')).toEqual([`docs/rules/${id}.md`]);
    expect(named('program check').every((f) => f.startsWith('packages/analyzer/src/program-checks/')), 'program checks live in the analyser').toBe(true);
    expect(named('runtime detector').every((f) => f.startsWith('packages/tracer/src/')), 'runtime detectors live in the tracer').toBe(true);
  });

  it.each(catalogIds)("%s: the row agrees with the catalog's engines", (id) => {
    const { engines } = catalog.get(id)!;
    const row = byId.get(id)!;
    const has = (column: Column) => linksIn(row.cells[column]).length > 0;
    // A lint id is a check and its rule (the analyser runs the same check); a tracer id has a detector.
    expect(has('static check') && has('ESLint rule'), `${id}: lint`).toBe(engines.includes('lint'));
    expect(has('static check') || has('program check'), `${id}: analyzer`).toBe(engines.includes('analyzer'));
    expect(has('runtime detector'), `${id}: tracer`).toBe(engines.includes('tracer'));
  });
});

describe('eslint-plugin: a rule is one file, one doc page and one test file', () => {
  const rulesDir = path.join(repoRoot, 'eslint-plugin/src/rules');
  const testsDir = path.join(repoRoot, 'eslint-plugin/tests/rules');
  const ruleIds = readdirSync(rulesDir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -'.ts'.length)).sort();
  const testIds = readdirSync(testsDir).filter((f) => f.endsWith('.test.ts')).map((f) => f.slice(0, -'.test.ts'.length)).sort();

  it('has a rule per catalog lint id, and a test file per rule and for no other name', () => {
    expect(ruleIds).toEqual(catalogIds.filter((id) => catalog.get(id)!.engines.includes('lint')).sort());
    expect(testIds).toEqual(ruleIds);
  });

  // The test file is the rule's own: it imports that rule and runs it through the RuleTester.
  it.each(ruleIds)('%s: its test file in eslint-plugin/tests/rules/ runs that rule through the RuleTester', (id) => {
    const source = readFileSync(path.join(testsDir, `${id}.test.ts`), 'utf8');
    const imported = new RegExp(`^import (\\w+) from '\\.\\./\\.\\./src/rules/${id}\\.js';$`, 'm').exec(source);
    expect(imported, `${id}: imports ../../src/rules/${id}.js`).not.toBeNull();
    expect(source).toMatch(new RegExp(`^createRuleTester\\(\\)\\.run\\('[^']*', ${imported![1]}, \\{$`, 'm'));
  });
});

describe('packages/checks: each check has its own test file', () => {
  const checksDir = path.join(repoRoot, 'packages/checks/src');
  const checkIds = readdirSync(checksDir)
    .filter((f) => f.endsWith('.ts') && catalog.has(f.slice(0, -'.ts'.length)))
    .map((f) => f.slice(0, -'.ts'.length))
    .sort();

  it('finds the checks', () => expect(checkIds.length).toBeGreaterThan(10));

  it.each(checkIds)('%s: packages/checks/test/%s.test.ts imports that check', (id) => {
    const file = path.join(repoRoot, 'packages/checks/test', `${id}.test.ts`);
    expect(existsSync(file), `${id}: packages/checks/test/${id}.test.ts`).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain(`from '../src/${id}.js'`);
  });
});

describe('CONTRIBUTING.md and docs/design.md', () => {
  // Relative links, and repository paths written out (`packages/…/x.ts`); templates such as `<id>.ts` are not paths.
  const REPO_PATH = /\b(?:packages|eslint-plugin|test|fixtures|docs|bench|scripts)\/[\w./-]+\.(?:ts|mjs|cjs|md|json)\b/g;
  it.each(['CONTRIBUTING.md', 'docs/design.md'])('%s names only files that exist', (doc) => {
    const markdown = readFileSync(path.join(repoRoot, doc), 'utf8');
    const dir = path.dirname(path.join(repoRoot, doc));
    const linked = [...markdown.matchAll(/\]\(([^)\s#]+)\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z]+:/.test(t));
    const written = doc === 'CONTRIBUTING.md' ? [...markdown.matchAll(REPO_PATH)].map((m) => m[0]) : [];
    expect(linked.length + written.length).toBeGreaterThan(0);
    const missing = new Set([
      ...linked.filter((t) => !existsSync(path.resolve(dir, t))),
      ...written.filter((t) => !existsSync(path.join(repoRoot, t))),
    ]);
    expect([...missing]).toEqual([]);
  });
});
