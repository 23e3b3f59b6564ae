import { readFileSync } from 'node:fs';
import { catalog } from './catalog.js';
import { UserError } from './config.js';
import type { Finding } from './finding.js';
import { isSeverity } from './finding.js';

export const FINDINGS_VERSION = 1;

/** The findings JSON (docs/findings-json.md; schema in packages/core/schema/findings.schema.json). */
export interface FindingsDocument {
  version: 1;
  tool: { name: 'asyncsan'; version: string };
  findings: Finding[];
  /** How many findings a baseline hid, when one was applied. */
  baselined?: number;
  /** With `asyncsan report --compare`: fingerprints of the new findings, and the fixed ones. */
  comparison?: { base: string; new: string[]; unchanged: number; fixed: Finding[] };
}

export function createDocument(findings: readonly Finding[], toolVersion: string, baselined?: number): FindingsDocument {
  return {
    version: 1,
    tool: { name: 'asyncsan', version: toolVersion },
    findings: [...findings],
    ...(baselined ? { baselined } : {}),
  };
}

function checkFinding(f: unknown, where: string): Finding {
  const bad = (what: string): never => {
    throw new UserError(`${where}: ${what}`);
  };
  if (typeof f !== 'object' || f === null) bad('is not an object');
  const x = f as Record<string, unknown>;
  if (typeof x.id !== 'string' || !catalog.has(x.id)) bad(`"id" must be a hazard id, got ${JSON.stringify(x.id)}`);
  if (!isSeverity(x.severity)) bad(`"severity" must be "error", "warning" or "info", got ${JSON.stringify(x.severity)}`);
  if (typeof x.message !== 'string') bad('"message" must be a string');
  if (x.engine !== 'lint' && x.engine !== 'analyzer' && x.engine !== 'tracer') bad(`"engine" must be lint, analyzer or tracer, got ${JSON.stringify(x.engine)}`);
  if (x.location !== undefined) {
    const l = x.location as Record<string, unknown>;
    if (typeof l !== 'object' || l === null || typeof l.file !== 'string' || typeof l.line !== 'number' || typeof l.column !== 'number') {
      bad('"location" must be { file: string, line: number, column: number }');
    }
  }
  return x as unknown as Finding;
}

/** Parses and validates a findings document; errors name the file and the finding. */
export function parseDocument(text: string, source: string): FindingsDocument {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${source}: not valid JSON (${(err as Error).message})`);
  }
  const d = data as Partial<FindingsDocument>;
  if (typeof d !== 'object' || d === null || !Array.isArray(d.findings)) {
    throw new UserError(`${source}: not an asyncsan findings file (expected { "version": 1, "findings": [...] })`);
  }
  if (d.version !== FINDINGS_VERSION) {
    throw new UserError(`${source}: findings format version ${JSON.stringify(d.version)} is not supported (expected ${FINDINGS_VERSION})`);
  }
  const findings = d.findings.map((f, i) => checkFinding(f, `${source}: findings[${i}]`));
  return { version: 1, tool: { name: 'asyncsan', version: d.tool?.version ?? 'unknown' }, findings, ...(d.baselined ? { baselined: d.baselined } : {}) };
}

export function readDocument(file: string): FindingsDocument {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`${file}: cannot read findings file`);
  }
  return parseDocument(text, file);
}

/**
 * Merges findings from several runs (shards, workers, engines). Exact repeats
 * (same fingerprint, engine and test) are kept once.
 */
export function mergeFindings(lists: readonly (readonly Finding[])[]): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const list of lists) {
    for (const f of list) {
      const key = f.fingerprint
        ? `${f.fingerprint}\0${f.engine}\0${f.test?.fullName ?? ''}`
        : JSON.stringify([f.id, f.engine, f.location, f.message, f.test?.fullName]);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(f);
    }
  }
  return out;
}
