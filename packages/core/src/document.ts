import { readFileSync } from 'node:fs';
import { catalog } from './catalog.js';
import { UserError } from './config.js';
import type { Finding, Location, TestRef } from './finding.js';
import { isSeverity } from './finding.js';
import { firstSchemaError } from './schema.js';

export const FINDINGS_VERSION = 1;

/** What a timeline lane stands for: an async task, or a resource or wait the test created. */
export type LaneKind = 'task' | 'timer' | 'handle' | 'event-wait' | 'stream' | 'generator' | 'listener';
export const LANE_KINDS: readonly LaneKind[] = ['task', 'timer', 'handle', 'event-wait', 'stream', 'generator', 'listener'];

/**
 * How a lane ended: `settled` (a task or wait finished), `closed` (a resource was
 * closed, cleared or fired), `pending` (a task or wait still suspended when judged),
 * `leaked` (a resource still open when judged).
 */
export type LaneState = 'settled' | 'closed' | 'pending' | 'leaked';
export const LANE_STATES: readonly LaneState[] = ['settled', 'closed', 'pending', 'leaked'];

/** A moment on a lane: a task suspended at an await, an interval that fired. */
export interface TimelineEvent {
  /** Milliseconds since the test started. */
  at: number;
  kind: 'suspended' | 'fired';
  /** Where it happened (the await a task is suspended at). */
  site?: Location;
}

/** One task or resource of a test, from its start to its end (or past the test's end when it outlived it). */
export interface TimelineLane<Ref = string> {
  label: string;
  kind: LaneKind;
  /** Where it was created; for a suspended task, the await it is stuck on. */
  site?: Location;
  /** Milliseconds since the test started. */
  start: number;
  /** When it ended, in ms since the test started; absent when still live when judged, or when the end was not observed. */
  end?: number;
  state: LaneState;
  /** One line more: what awaits the task, what kind of handle. */
  detail?: string;
  events?: TimelineEvent[];
  /** The findings about it: fingerprints in the document (indexes into the scope's findings in the tracer's API). */
  findings?: Ref[];
}

/** The timeline of one test that has findings: what it started, and what outlived it. */
export interface TestTimeline<Ref = string> {
  test: TestRef;
  /** Wall-clock start, in ms since the epoch. */
  startedAt?: number;
  /** When the test (body and hooks) ended, in ms since it started. */
  end: number;
  /** When the tracer judged what was left, after settling, in ms since the test started. */
  judged: number;
  outcome?: 'passed' | 'failed';
  /** At most a bounded number of lanes: what is left or pending first, then the rest by start. */
  lanes: TimelineLane<Ref>[];
  /** Lanes left out by the cap. */
  omitted?: number;
}

/**
 * A file an engine could not analyse: it does not parse (`syntax`: skipped, its
 * findings are missing), or a check failed on it (`internal`).
 */
export interface Diagnostic {
  /** Relative to the directory the command ran in. */
  file: string;
  line: number;
  column: number;
  message: string;
  kind: 'syntax' | 'internal';
}

/** The findings JSON (docs/findings-json.md; schema in packages/core/schema/findings.schema.json). */
export interface FindingsDocument {
  version: 1;
  tool: { name: 'asyncsan'; version: string };
  findings: Finding[];
  /** How many findings a baseline hid, when one was applied. */
  baselined?: number;
  /** With `asyncsan report --compare`: fingerprints of the new findings, and the fixed ones. */
  comparison?: { base: string; new: string[]; unchanged: number; fixed: Finding[] };
  /** Per-test timelines of the runtime engine, for tests that have findings (absent in static-only documents). */
  timelines?: TestTimeline[];
  /** Files that could not be analysed (absent when every file was). */
  diagnostics?: Diagnostic[];
}

export function createDocument(findings: readonly Finding[], toolVersion: string, baselined?: number, timelines?: readonly TestTimeline[]): FindingsDocument {
  return {
    version: 1,
    tool: { name: 'asyncsan', version: toolVersion },
    findings: [...findings],
    ...(baselined ? { baselined } : {}),
    ...(timelines && timelines.length > 0 ? { timelines: [...timelines] } : {}),
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
  // The published schema first: one line with the place that breaks it.
  const broken = firstSchemaError(data);
  if (broken) throw new UserError(`${source}: does not match the findings schema at ${broken.path}: ${broken.message}`);
  const findings = d.findings.map((f, i) => checkFinding(f, `${source}: findings[${i}]`));
  // Timelines are optional: documents written before them, and static-only ones, have none.
  if (d.timelines !== undefined && !Array.isArray(d.timelines)) throw new UserError(`${source}: "timelines" must be an array`);
  const timelines = (d.timelines ?? []).map((t, i) => checkTimeline(t, `${source}: timelines[${i}]`));
  return {
    version: 1,
    tool: { name: 'asyncsan', version: d.tool?.version ?? 'unknown' },
    findings,
    ...(d.baselined ? { baselined: d.baselined } : {}),
    ...(timelines.length > 0 ? { timelines } : {}),
    ...(d.diagnostics && d.diagnostics.length > 0 ? { diagnostics: d.diagnostics } : {}),
  };
}

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function checkLocation(l: unknown, bad: (what: string) => never, name: string): void {
  const x = l as Record<string, unknown> | null;
  if (typeof x !== 'object' || x === null || typeof x.file !== 'string' || typeof x.line !== 'number' || typeof x.column !== 'number') {
    bad(`"${name}" must be { file: string, line: number, column: number }`);
  }
}

function checkTimeline(t: unknown, where: string): TestTimeline {
  const bad = (what: string): never => {
    throw new UserError(`${where}: ${what}`);
  };
  if (typeof t !== 'object' || t === null) bad('is not an object');
  const x = t as Record<string, unknown>;
  const test = x.test as Record<string, unknown> | undefined;
  if (typeof test !== 'object' || test === null || typeof test.file !== 'string' || typeof test.name !== 'string' || typeof test.fullName !== 'string') {
    bad('"test" must be { file: string, name: string, fullName: string }');
  }
  if (!isTime(x.end) || !isTime(x.judged)) bad('"end" and "judged" must be numbers (ms since the test started)');
  if (x.startedAt !== undefined && !isTime(x.startedAt)) bad('"startedAt" must be a number (ms since the epoch)');
  if (x.outcome !== undefined && x.outcome !== 'passed' && x.outcome !== 'failed') bad(`"outcome" must be "passed" or "failed", got ${JSON.stringify(x.outcome)}`);
  if (x.omitted !== undefined && (typeof x.omitted !== 'number' || x.omitted < 0)) bad('"omitted" must be a non-negative number');
  if (!Array.isArray(x.lanes)) bad('"lanes" must be an array');
  (x.lanes as unknown[]).forEach((lane, i) => checkLane(lane, (what) => bad(`lanes[${i}]: ${what}`)));
  return x as unknown as TestTimeline;
}

function checkLane(lane: unknown, bad: (what: string) => never): void {
  if (typeof lane !== 'object' || lane === null) bad('is not an object');
  const l = lane as Record<string, unknown>;
  if (typeof l.label !== 'string') bad('"label" must be a string');
  if (!LANE_KINDS.includes(l.kind as LaneKind)) bad(`"kind" must be one of ${LANE_KINDS.join(', ')}, got ${JSON.stringify(l.kind)}`);
  if (!LANE_STATES.includes(l.state as LaneState)) bad(`"state" must be one of ${LANE_STATES.join(', ')}, got ${JSON.stringify(l.state)}`);
  if (!isTime(l.start)) bad('"start" must be a number (ms since the test started)');
  if (l.end !== undefined && !isTime(l.end)) bad('"end" must be a number (ms since the test started)');
  if (l.site !== undefined) checkLocation(l.site, bad, 'site');
  if (l.detail !== undefined && typeof l.detail !== 'string') bad('"detail" must be a string');
  if (l.findings !== undefined && (!Array.isArray(l.findings) || !l.findings.every((f) => typeof f === 'string'))) bad('"findings" must be an array of fingerprints');
  if (l.events !== undefined) {
    if (!Array.isArray(l.events)) bad('"events" must be an array');
    for (const [i, e] of (l.events as unknown[]).entries()) {
      const ev = e as Record<string, unknown> | null;
      if (typeof ev !== 'object' || ev === null || !isTime(ev.at) || (ev.kind !== 'suspended' && ev.kind !== 'fired')) {
        bad(`events[${i}] must be { at: number, kind: "suspended" | "fired" }`);
      }
      if (ev!.site !== undefined) checkLocation(ev!.site, (what) => bad(`events[${i}]: ${what}`), 'site');
    }
  }
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

/** Merges the diagnostics of several runs: exact repeats are kept once; ordered by file and position. */
export function mergeDiagnostics(lists: readonly (readonly Diagnostic[] | undefined)[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const list of lists) {
    for (const d of list ?? []) {
      const key = JSON.stringify([d.file, d.line, d.column, d.kind, d.message]);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(d);
    }
  }
  return sortDiagnostics(out);
}

export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)));
}

/** How many distinct files the diagnostics are about. */
export function filesNotAnalysed(list: readonly Diagnostic[]): number {
  return new Set(list.map((d) => d.file)).size;
}

const timelineKey = (t: TestTimeline) => JSON.stringify([t.test.file, t.test.fullName, t.startedAt ?? null, t.end, t.lanes.length]);

/**
 * Merges the timelines of several runs: exact repeats (the same test run, read
 * twice) are kept once; retries and other shards keep their own. Ordered by test file, name and start.
 */
export function mergeTimelines(lists: readonly (readonly TestTimeline[] | undefined)[]): TestTimeline[] {
  const seen = new Set<string>();
  const out: TestTimeline[] = [];
  for (const list of lists) {
    for (const t of list ?? []) {
      const key = timelineKey(t);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(t);
    }
  }
  return out.sort(
    (a, b) =>
      (a.test.file < b.test.file ? -1 : a.test.file > b.test.file ? 1 : 0) ||
      (a.test.fullName < b.test.fullName ? -1 : a.test.fullName > b.test.fullName ? 1 : 0) ||
      (a.startedAt ?? 0) - (b.startedAt ?? 0),
  );
}
