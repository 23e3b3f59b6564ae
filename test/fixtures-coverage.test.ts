import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalog, catalogIds } from '@asyncsan/core';
import { allChecks } from '@asyncsan/checks';
import { claimedIds } from '@asyncsan/analyzer';
import { fixturesRoot, parseExpectations } from '@asyncsan/test-harness/expectations';

/**
 * Every id an engine claims must have a bad fixture with markers and a good fixture without any, but for `strict:`
 * markers: a good fixture may show what only the strict options report (clean by default).
 */
function fixtureProblems(dir: string, id: string): string[] {
  if (!existsSync(dir)) return [`${path.relative(fixturesRoot, dir)}/ is missing`];
  const files = readdirSync(dir);
  const bad = files.filter((f) => f.startsWith('bad-'));
  const good = files.filter((f) => f.startsWith('good-'));
  const problems: string[] = [];
  if (bad.length === 0) problems.push(`${id}: no bad-* fixture`);
  if (good.length === 0) problems.push(`${id}: no good-* fixture`);
  const marked = bad.flatMap((f) => parseExpectations(f, readFileSync(path.join(dir, f), 'utf8')).filter((e) => e.id === id));
  if (bad.length > 0 && marked.length === 0) problems.push(`${id}: bad fixtures carry no "// expect: ${id}" marker`);
  for (const f of good) {
    const stray = parseExpectations(f, readFileSync(path.join(dir, f), 'utf8')).filter((e) => e.id === id && !e.strictOnly);
    if (stray.length > 0) problems.push(`${id}: good fixture ${f} expects a finding on line ${stray[0]!.line}`);
  }
  return problems;
}

describe('fixtures', () => {
  it('every marker in fixtures/ names a catalogued id', () => {
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.name === 'node_modules' ? [] : e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
      );
    const unknown = walk(fixturesRoot)
      .filter((f) => /\.([mc]?[jt]s)$/.test(f))
      .flatMap((f) => parseExpectations(path.relative(fixturesRoot, f), readFileSync(f, 'utf8')))
      .filter((e) => !catalog.has(e.id))
      .map((e) => `${e.file}:${e.line}: ${e.id}`);
    expect(unknown).toEqual([]);
  });

  it('every id the analyser claims has bad and good fixtures', () => {
    const problems = claimedIds().flatMap((id) => fixtureProblems(path.join(fixturesRoot, id), id));
    expect(problems).toEqual([]);
  });

  it('every id the catalog gives the tracer has runtime fixtures, bad and good', () => {
    const ids = catalogIds.filter((id) => catalog.get(id)!.engines.includes('tracer'));
    expect(ids.length).toBeGreaterThan(10);
    const problems = ids.flatMap((id) => fixtureProblems(path.join(fixturesRoot, 'runtime', id), id));
    expect(problems).toEqual([]);
  });

  it('every id the static engine claims has bad and good fixtures', () => {
    expect(allChecks.length).toBeGreaterThan(0);
    const problems = allChecks.flatMap((c) => fixtureProblems(path.join(fixturesRoot, c.id), c.id));
    expect(problems).toEqual([]);
  });
});
