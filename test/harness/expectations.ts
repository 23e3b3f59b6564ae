/**
 * The fixture harness: reads `// expect: <id>[, <id>]` markers and compares any
 * engine's findings against them exactly. A missing or an unexpected finding
 * is a failure; later engines only add fixtures.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isHazardId, type Finding, type HazardId } from '@asyncsan/core';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const fixturesRoot = path.join(repoRoot, 'fixtures');

export type EngineName = 'lint' | 'analyzer' | 'tracer';

export interface Expectation {
  /** Relative to the repo root, with forward slashes. */
  file: string;
  line: number;
  id: HazardId;
  /**
   * Engines the marker is meant for; absent means every engine that claims the id.
   * Written `// expect: tracer:leaked-timer` (or `static:` for lint and analyzer)
   * where one engine sees a hazard the other cannot.
   */
  engines?: EngineName[];
  /**
   * Reported only with the strict set's options (`asyncsan check --strict`, the ESLint plugin's strict config):
   * `// expect: strict:floating-promise`. A run with default options must not report it.
   */
  strictOnly?: true;
}

const MARKER = /\/\/\s*expect:\s*((?:[a-z]+:)?[a-z0-9-]+(?:\s*,\s*(?:[a-z]+:)?[a-z0-9-]+)*)\s*$/;
/** `strict:` is not an engine: the marker holds for every engine that claims the id, under the strict options only. */
const STRICT = 'strict';
const QUALIFIERS: Record<string, EngineName[]> = { lint: ['lint'], analyzer: ['analyzer'], tracer: ['tracer'], static: ['lint', 'analyzer'] };

export function parseExpectations(file: string, text: string): Expectation[] {
  const out: Expectation[] = [];
  text.split(/\r?\n/).forEach((lineText, i) => {
    const m = MARKER.exec(lineText);
    if (!m) return;
    for (const raw of m[1]!.split(',')) {
      const [q, id] = raw.trim().includes(':') ? raw.trim().split(':') : [undefined, raw.trim()];
      if (q !== undefined && q !== STRICT && !QUALIFIERS[q]) throw new Error(`${file}:${i + 1}: unknown qualifier "${q}:" (use lint:, analyzer:, tracer:, static: or strict:)`);
      // A misspelt id would be a marker no engine can ever meet: an error, not a silently missing finding.
      if (id === undefined || !isHazardId(id)) throw new Error(`${file}:${i + 1}: "${id}" is not a hazard id of the catalog`);
      if (q === STRICT) out.push({ file, line: i + 1, id, strictOnly: true });
      else out.push({ file, line: i + 1, id, ...(q ? { engines: QUALIFIERS[q] } : {}) });
    }
  });
  return out;
}

export function listSourceFiles(dir: string, exts = ['.ts', '.mts', '.cts', '.js', '.mjs']): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listSourceFiles(full, exts));
    else if (exts.some((e) => name.endsWith(e)) && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

export function toRepoPath(file: string): string {
  return path.relative(repoRoot, path.resolve(repoRoot, file)).split(path.sep).join('/');
}

export function readExpectations(files: readonly string[]): Expectation[] {
  return files.flatMap((f) => parseExpectations(toRepoPath(f), readFileSync(f, 'utf8')));
}

/** A finding no marker asked for: its id is whatever the engine emitted. */
export interface Unexpected {
  file: string;
  line: number;
  id: string;
}

export interface ExpectationDiff {
  missing: Expectation[];
  unexpected: Unexpected[];
}

const key = (e: Unexpected) => `${e.file}:${e.line}: ${e.id}`;

/**
 * Multiset comparison on (file, line, id). `ids` limits the comparison to the
 * hazards an engine claims, so one engine's run is not failed by another's markers;
 * `strict`: the run had the strict set's options, so `strict:` markers are expected too.
 * Finding locations may be absolute or relative to `cwd`.
 */
export function diffFindings(
  expected: readonly Expectation[],
  findings: readonly Pick<Finding, 'id' | 'location'>[],
  options: { ids?: readonly HazardId[]; cwd?: string; engine?: EngineName; strict?: boolean } = {},
): ExpectationDiff {
  const claimed = options.ids ? new Set<string>(options.ids) : undefined;
  const want = new Map<string, Expectation[]>();
  for (const e of expected) {
    if (claimed && !claimed.has(e.id)) continue;
    if (e.strictOnly && !options.strict) continue;
    if (e.engines && options.engine && !e.engines.includes(options.engine)) continue;
    want.set(key(e), [...(want.get(key(e)) ?? []), e]);
  }
  const unexpected: Unexpected[] = [];
  for (const f of findings) {
    if (!f.location) continue;
    if (claimed && !claimed.has(f.id)) continue;
    const got: Unexpected = {
      file: toRepoPath(path.resolve(options.cwd ?? repoRoot, f.location.file)),
      line: f.location.line,
      id: f.id,
    };
    const list = want.get(key(got));
    if (list && list.length > 0) list.pop();
    else unexpected.push(got);
  }
  const missing = [...want.values()].flat();
  return { missing, unexpected };
}

/** Human-readable diff for an assertion message; empty string when equal. */
export function formatDiff(diff: ExpectationDiff): string {
  const lines = [
    ...diff.missing.map((e) => `missing    ${key(e)}`),
    ...diff.unexpected.map((e) => `unexpected ${key(e)}`),
  ];
  return lines.join('\n');
}
