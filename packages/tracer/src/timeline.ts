/**
 * The timeline of a judged scope: one lane per task, timer, handle or wait it
 * started, from its start to its end, or past the scope's end when it outlived it.
 *
 * Cost: nothing is added per promise. Times are read only at rare records
 * (creation sites of timers, handles, waits, streams, generators, listeners: see
 * captureSite) and at the scope's start, end and judgement. A pending task is
 * placed by the async ids of its promises: Node hands ids out in increasing
 * order, so an id is a logical clock, mapped to time by interpolating between
 * anchors that have both an id and a time. Promises that settled leave no trace
 * (that would cost a clock read each): tasks are shown while pending, plus the
 * body the scope waited for.
 */
import type { Finding, LaneKind, Location, TestTimeline, TestRef, TimelineLane } from '@asyncsan/core';
import { clearTimeout, setTimeout } from 'node:timers';
import { firstUserFrame, isTracerFrame, locationOf, parseStack, type AttributeOptions, type ParsedFrame } from './attribute.js';
import { isOpen } from './capture.js';
import type { AwaitChain, LeftResource } from './diff.js';
import { describe, resourceSite, targetName } from './format.js';
import { stillRegistered } from './listeners.js';
import type { EventWaitRecord, ResourceRecord, ScopeState, Site } from './state.js';
import { holdsUnreadData, stillBlocked } from './streams.js';
import { projectGeneratorAbandoned } from './iterators.js';

/** Lanes kept per scope; the rest are counted in `omitted`. */
export const MAX_LANES = 50;

/** A lane as the tracer's API gives it: `findings` are indexes into what `scope.end()` returned. */
export type Lane = TimelineLane<number>;

/** What `scope.timeline()` returns: the document's TestTimeline, for any scope. */
export interface Timeline extends Omit<TestTimeline<number>, 'test' | 'outcome'> {
  scope: string;
  test?: TestRef;
}

export interface TimelineInput {
  state: ScopeState;
  chains: readonly AwaitChain[];
  /** Resources judged left over (leaked). */
  left: readonly LeftResource[];
  /** Event waits still pending when judged. */
  waiting: ReadonlySet<EventWaitRecord>;
  /** What end() returns, and what the ignore rules dropped (their lanes go too). */
  findings: readonly Finding[];
  ignored: readonly Finding[];
  /** When the judgement happened: the tracer's clock and the async id then. */
  judgedAt: number;
  judgeId: number | undefined;
  idOf: (promise: Promise<unknown>) => number | undefined;
  /** "test", "scope": the body lane is named after it. */
  noun: string;
  /** Whole-program scopes judge no generators (see Scope.collect). */
  program: boolean;
  attribute: AttributeOptions;
}

/** Maps async ids to times by linear interpolation between anchors (sorted by id, times made monotonic). */
export class LogicalClock {
  private readonly ids: number[] = [];
  private readonly times: number[] = [];

  constructor(anchors: Array<[id: number | undefined, time: number | undefined]>) {
    const sorted = anchors.filter((a): a is [number, number] => a[0] !== undefined && a[1] !== undefined).sort((a, b) => a[0] - b[0]);
    let latest = -Infinity;
    for (const [id, time] of sorted) {
      latest = Math.max(latest, time);
      if (this.ids.length > 0 && this.ids[this.ids.length - 1] === id) continue;
      this.ids.push(id);
      this.times.push(latest);
    }
  }

  timeOf(id: number): number | undefined {
    const { ids, times } = this;
    if (ids.length === 0) return undefined;
    if (id <= ids[0]!) return times[0];
    if (id >= ids[ids.length - 1]!) return times[times.length - 1];
    let lo = 0;
    let hi = ids.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (ids[mid]! <= id) lo = mid;
      else hi = mid;
    }
    const span = ids[hi]! - ids[lo]!;
    return times[lo]! + ((times[hi]! - times[lo]!) * (id - ids[lo]!)) / span;
  }
}

interface TimeoutFields {
  _idleStart?: number;
  _idleTimeout?: number;
  _repeat?: number | null;
}

/** The loop's clock (what Timeout._idleStart is on) minus the tracer's, read from a throwaway timer. */
function loopOffset(now: number): number | undefined {
  const t = setTimeout(() => {}, 0) as unknown as TimeoutFields;
  clearTimeout(t as unknown as NodeJS.Timeout);
  return typeof t._idleStart === 'number' ? now - t._idleStart : undefined;
}

const round = (ms: number) => Math.round(ms * 100) / 100;
const siteOf = (site: Site | undefined, options: AttributeOptions): ParsedFrame | undefined =>
  firstUserFrame(parseStack(site?.stack, options).filter((f) => !isTracerFrame(f.absolute)));

/** Which findings speak about a lane of this kind (matched at the lane's line). */
const IDS_OF: Record<LaneKind, readonly string[]> = {
  task: ['unsettled-task', 'deadlock', 'stuck-event-wait'],
  timer: ['leaked-timer'],
  handle: ['leaked-handle', 'stuck-port'],
  'event-wait': ['stuck-event-wait', 'unsettled-task', 'deadlock'],
  stream: ['stuck-stream'],
  generator: ['abandoned-iterator'],
  listener: ['leaked-listener'],
};

interface Candidate {
  lane: Lane;
  /** Rank for the cap: lanes with findings, then leftovers, then the rest. */
  weight: number;
}

export function buildTimeline(input: TimelineInput): Timeline {
  const { state, attribute } = input;
  const { clock } = state;
  const t0 = clock.startedAt;
  const rel = (t: number) => round(Math.max(0, t - t0));
  const anchors: Array<[number | undefined, number | undefined]> = [
    [clock.startId, clock.startedAt],
    [clock.endId, clock.endedAt],
    [input.judgeId, input.judgedAt],
    [clock.body?.endId, clock.body?.end],
  ];
  for (const r of state.resources.values()) anchors.push([r.asyncId, r.site?.at]);
  for (const w of state.eventWaits) anchors.push([input.idOf(w.promise), w.site.at]);
  const logical = new LogicalClock(anchors);
  const end = rel(clock.endedAt ?? input.judgedAt);
  const candidates: Candidate[] = [];
  const add = (lane: Lane, leftover: boolean) => candidates.push({ lane, weight: leftover ? 1 : 0 });

  if (clock.body) {
    const { body } = clock;
    // Handed to waitFor() once already running: its promise's birth is the earlier start.
    const born = body.id === undefined ? undefined : logical.timeOf(body.id);
    const start = rel(Math.min(body.start, born ?? body.start));
    const lane: Lane = { label: `${input.noun} body`, kind: 'task', start, state: body.end === undefined ? 'pending' : 'settled' };
    if (body.end !== undefined) lane.end = rel(body.end);
    if (body.rejected) lane.detail = 'rejected';
    add(lane, body.end === undefined);
  }

  for (const chain of input.chains) {
    const since = chain.since === undefined ? undefined : logical.timeOf(chain.since);
    const born = chain.born === undefined ? since : logical.timeOf(chain.born);
    const site = locationOf(chain.at);
    const lane: Lane = { label: `async ${chain.at.function ?? '<anonymous>'}`, kind: 'task', site, start: rel(born ?? t0), state: 'pending' };
    lane.events = [{ at: rel(since ?? born ?? t0), kind: 'suspended', site }];
    const waiters = chain.frames.slice(chain.frames.indexOf(chain.at) + 1).filter((f) => !f.external);
    lane.detail = `suspended at ${site.file}:${site.line}:${site.column}; ${waiters.length > 0 ? `awaited by ${waiters.map((f) => f.function ?? '<anonymous>').join(' ← ')}` : 'nothing awaits it'}`;
    add(lane, true);
  }

  const leaked = new Set(input.left.map((l) => l.record));
  const offset = loopOffset(input.judgedAt);
  for (const record of state.resources.values()) {
    const lane = resourceLane(record, leaked, offset, attribute, rel, rel(input.judgedAt));
    if (lane) add(lane, lane.state === 'leaked');
  }

  for (const w of state.eventWaits) {
    const at = siteOf(w.site, attribute);
    if (!at) continue;
    const event = typeof w.event === 'symbol' ? w.event.toString() : `'${w.event}'`;
    const pending = input.waiting.has(w);
    add({ label: `once(${targetName(w.emitter)}, ${event})`, kind: 'event-wait', site: locationOf(at), start: rel(w.site.at ?? t0), state: pending ? 'pending' : 'settled' }, pending);
  }

  for (const write of state.streamWrites) {
    const at = siteOf(write.site, attribute);
    if (!at) continue;
    const blocked = stillBlocked(write);
    const lane: Lane = { label: `write() to ${targetName(write.stream)}`, kind: 'stream', site: locationOf(at), start: rel(write.site.at ?? t0), state: blocked ? 'pending' : 'settled' };
    lane.detail = blocked ? "returned false; still waits for 'drain'" : "returned false; drained since";
    add(lane, blocked);
  }
  for (const r of state.readables) {
    if (!holdsUnreadData(r)) continue;
    const at = siteOf(r.site, attribute);
    if (at) add({ label: `${targetName(r.stream)} with unread data`, kind: 'stream', site: locationOf(at), start: rel(r.site.at ?? t0), state: 'leaked' }, true);
  }

  if (!input.program) {
    for (const g of state.generators) {
      const stuck = projectGeneratorAbandoned(g, attribute);
      if (!stuck && !g.finished) continue;
      const at = siteOf(g.site, attribute);
      if (!at) continue;
      const lane: Lane = { label: 'async generator', kind: 'generator', site: locationOf(at), start: rel(g.site.at ?? t0), state: stuck ? 'pending' : 'settled' };
      if (stuck) lane.detail = 'suspended at a yield; nobody calls next() or return() again';
      add(lane, stuck);
    }
  }

  for (const l of state.listeners) {
    if (!stillRegistered(l)) continue;
    const first = parseStack(l.site.stack, attribute).filter((f) => !isTracerFrame(f.absolute))[0];
    if (!first || first.external) continue;
    const event = typeof l.event === 'symbol' ? l.event.toString() : `'${l.event}'`;
    add({ label: `${event} listener on ${targetName(l.target)}`, kind: 'listener', site: locationOf(first), start: rel(l.site.at ?? t0), state: 'leaked' }, true);
  }

  const kept = link(candidates, input.findings, input.ignored);
  const chosen = kept
    .sort((a, b) => b.weight - a.weight || a.lane.start - b.lane.start)
    .slice(0, MAX_LANES)
    .map((c) => c.lane)
    .sort((a, b) => a.start - b.start);
  const timeline: Timeline = { scope: state.name, startedAt: clock.startWall, end, judged: rel(input.judgedAt), lanes: chosen };
  if (state.test) timeline.test = state.test;
  if (kept.length > chosen.length) timeline.omitted = kept.length - chosen.length;
  return timeline;
}

function resourceLane(
  record: ResourceRecord,
  leaked: ReadonlySet<ResourceRecord>,
  offset: number | undefined,
  attribute: AttributeOptions,
  rel: (t: number) => number,
  judged: number,
): Lane | undefined {
  // Opened by a runtime or library with no user frame: not the user's to read about (as for findings).
  const site = resourceSite(record, attribute);
  if (!site || record.site?.at === undefined) return undefined;
  const isLeaked = leaked.has(record);
  // Open but not judged a leftover (stdio, an unstarted port, unref'd when only ref'd work counts): not drawn.
  if (!isLeaked && isOpen(record)) return undefined;
  const text = describe({ record, refed: false });
  const kind: LaneKind = text.id === 'leaked-timer' ? 'timer' : 'handle';
  const start = rel(record.site.at);
  const lane: Lane = { label: timerLabel(record) ?? text.what.replace(/^An? /, ''), kind, site: locationOf(site.at), start, state: isLeaked ? 'leaked' : 'closed' };
  if (isLeaked) lane.detail = text.state;
  if (record.type === 'Timeout') {
    const t = record.resource as TimeoutFields;
    const interval = t._repeat !== null && t._repeat !== undefined;
    // A one-shot timer that fired (clearTimeout sets _idleTimeout to -1): it ended when due.
    if (!isLeaked && !interval && typeof t._idleTimeout === 'number' && t._idleTimeout >= 0) lane.end = round(start + t._idleTimeout);
    if (!isLeaked && !lane.end) lane.detail = 'cleared';
    // An interval re-arms at each firing: _idleStart (loop clock) is its last.
    if (interval && offset !== undefined && typeof t._idleStart === 'number') {
      // The loop's clock is read once per iteration: clamp what it may overshoot.
      const fired = Math.min(judged, rel(t._idleStart + offset));
      if (fired > start + (t._repeat ?? 0) / 2) lane.events = [{ at: fired, kind: 'fired' }];
    }
  }
  return lane;
}

/** A cleared timer has lost its delay (_idleTimeout is -1): an interval still has it in _repeat. */
function timerLabel(record: ResourceRecord): string | undefined {
  if (record.type !== 'Timeout') return undefined;
  const t = record.resource as TimeoutFields;
  if (t._repeat !== null && t._repeat !== undefined) return `setInterval(…, ${t._repeat})`;
  return typeof t._idleTimeout === 'number' && t._idleTimeout >= 0 ? `setTimeout(…, ${t._idleTimeout})` : 'setTimeout(…)';
}

const lineKey = (l: Location) => `${l.file}:${l.line}`;

/** Links lanes to the findings at their line; drops leftover lanes whose only finding an ignore rule dropped. */
function link(candidates: Candidate[], findings: readonly Finding[], ignored: readonly Finding[]): Candidate[] {
  const byLine = new Map<string, number[]>();
  findings.forEach((f, i) => {
    if (!f.location) return;
    const key = lineKey(f.location);
    byLine.set(key, [...(byLine.get(key) ?? []), i]);
  });
  const ignoredAt = new Set(ignored.flatMap((f) => (f.location ? [`${f.id}|${lineKey(f.location)}`] : [])));
  const out: Candidate[] = [];
  for (const c of candidates) {
    const { lane } = c;
    if (!lane.site) {
      out.push(c);
      continue;
    }
    const ids = IDS_OF[lane.kind];
    const linked = (byLine.get(lineKey(lane.site)) ?? []).filter((i) => ids.includes(findings[i]!.id));
    if (linked.length > 0) {
      lane.findings = linked;
      c.weight = 2;
    } else if (c.weight > 0 && ids.some((id) => ignoredAt.has(`${id}|${lineKey(lane.site!)}`))) {
      continue;
    }
    out.push(c);
  }
  return out;
}
