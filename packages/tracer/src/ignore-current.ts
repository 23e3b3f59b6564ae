/**
 * ignoreCurrent(), goleak's IgnoreCurrent: a snapshot of what the live scopes
 * hold at the moment of the call (open timers and handles, pending promises,
 * registered listeners, blocked streams, suspended generators, fake-clock timers,
 * rejections already seen). Anything in a snapshot is never reported; it is kept
 * aside with the snapshot's reason for verbose output instead. The snapshot
 * holds its objects weakly: it keeps nothing alive.
 */
import type { Finding } from '@asyncsan/core';
import { isOpen } from './capture.js';
import { stillRegistered } from './listeners.js';
import type { ScopeState } from './state.js';

/** What was alive when ignoreCurrent() was called. */
export class CurrentSnapshot {
  private readonly objects = new WeakSet<object>();
  /** How many objects it took (for tests and verbose output). */
  size = 0;

  add(o: object): void {
    if (this.objects.has(o)) return;
    this.objects.add(o);
    this.size++;
  }

  has(o: object | undefined): boolean {
    return o !== undefined && this.objects.has(o);
  }
}

export interface IgnoredFinding {
  finding: Finding;
  /** The reason given with the rule or snapshot that dropped it. */
  reason?: string;
  /** 'current' for an ignoreCurrent() snapshot, 'rule' for an id/site/package/file rule. */
  by: 'current' | 'rule';
}

/** Takes the snapshot of every scope not yet judged. */
export function snapshotScopes(scopes: Iterable<ScopeState>, snapshot = new CurrentSnapshot()): CurrentSnapshot {
  for (const s of scopes) {
    if (s.ended || s.internal) continue;
    for (const r of s.resources.values()) if (isOpen(r)) snapshot.add(r.resource);
    for (const p of s.pending.values()) snapshot.add(p);
    for (const l of s.listeners) if (stillRegistered(l)) snapshot.add(l);
    for (const w of s.eventWaits) snapshot.add(w);
    for (const w of s.streamWrites) snapshot.add(w.stream);
    for (const r of s.readables) snapshot.add(r.stream);
    for (const g of s.generators) if (!g.finished) snapshot.add(g.generator);
    for (const p of s.pipelines) if (!p.done) snapshot.add(p);
    for (const t of s.fakeTimers) snapshot.add(t.timer);
    for (const r of s.rejections) snapshot.add(r);
  }
  return snapshot;
}

/** Splits records into the ones to judge and the ones a snapshot covers (with that snapshot's reason). */
export function splitCurrent<T>(
  items: readonly T[],
  keyOf: (item: T) => object | undefined,
  rules: ReadonlyArray<{ current?: CurrentSnapshot; reason?: string }>,
): { keep: T[]; dropped: Array<{ item: T; reason: string | undefined }> } {
  const keep: T[] = [];
  const dropped: Array<{ item: T; reason: string | undefined }> = [];
  for (const item of items) {
    const key = keyOf(item);
    const rule = key === undefined ? undefined : rules.find((r) => r.current?.has(key) === true);
    if (rule) dropped.push({ item, reason: rule.reason });
    else keep.push(item);
  }
  return { keep, dropped };
}

/** Verbose text for what was not reported, one line each, with the reason. */
export function formatIgnored(ignored: readonly IgnoredFinding[]): string {
  if (ignored.length === 0) return '';
  const lines = [`ignored: ${ignored.length} finding${ignored.length === 1 ? '' : 's'}`];
  for (const { finding: f, reason, by } of ignored) {
    const where = f.location ? `${f.location.file}:${f.location.line}:${f.location.column}` : '<process>';
    const why = by === 'current' ? `alive at ignoreCurrent()${reason ? `: ${reason}` : ''}` : (reason ?? 'ignore rule');
    lines.push(`  ${where}  ${f.id}  ${f.message}  (ignored: ${why})`);
  }
  return `${lines.join('\n')}\n`;
}
