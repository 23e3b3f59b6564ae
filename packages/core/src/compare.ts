import type { Finding } from './finding.js';
import type { Comparison } from './reporters/context.js';

/**
 * Compares a run with an earlier one by fingerprint (a multiset, like the
 * baseline): each current finding is new or unchanged; earlier ones not seen now are fixed.
 */
export function compareRuns(current: readonly Finding[], previous: readonly Finding[], base: string): Comparison {
  const remaining = new Map<string, Finding[]>();
  for (const f of previous) {
    const key = f.fingerprint ?? '';
    remaining.set(key, [...(remaining.get(key) ?? []), f]);
  }
  const status = new Map<string, 'new' | 'unchanged'>();
  for (const f of current) {
    const key = f.fingerprint ?? '';
    const list = remaining.get(key);
    if (key && list && list.length > 0) {
      list.pop();
      status.set(key, 'unchanged');
    } else if (key && !status.has(key)) {
      status.set(key, 'new');
    }
  }
  return { base, status, fixed: [...remaining.values()].flat() };
}
