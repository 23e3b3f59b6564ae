/**
 * cross-test-bleed: a timer a scope left armed fires while another scope runs.
 * When a scope ends with timers still armed, their callbacks are wrapped; if one
 * runs while other scopes are live, each of those scopes gets a finding at the
 * timer's creation site, naming the scope that created it.
 */
import { toStack } from './attribute.js';
import type { LeftResource } from './diff.js';
import { describe, finding, resourceSite, type FormatContext } from './format.js';
import type { ScopeState } from './state.js';

type Callback = (this: unknown, ...args: unknown[]) => unknown;

export function watchForBleed(
  from: ScopeState,
  left: readonly LeftResource[],
  ctx: FormatContext,
  running: () => Iterable<ScopeState>,
  contextOf: (scope: ScopeState) => FormatContext,
): void {
  for (const l of left) {
    const key = l.record.type === 'Timeout' ? '_onTimeout' : l.record.type === 'Immediate' ? '_onImmediate' : undefined;
    if (key === undefined) continue;
    const timer = l.record.resource as Record<string, unknown>;
    const original = timer[key];
    if (typeof original !== 'function') continue;
    const site = resourceSite(l.record, ctx);
    if (!site) continue;
    const what = describe(l).what;
    const told = new WeakSet<ScopeState>();
    timer[key] = function (this: unknown, ...args: unknown[]) {
      try {
        for (const scope of running()) {
          if (scope === from || scope.ended || scope.internal || told.has(scope)) continue;
          told.add(scope);
          const c = contextOf(scope);
          const f = finding(
            'cross-test-bleed',
            `${what} created in ${ctx.noun} "${from.name}" fired while ${c.noun} "${scope.name}" was running`,
            site.at,
            [toStack('created at', site.frames)],
            undefined,
            c,
          );
          f.related = [{ label: `left armed by ${ctx.noun} "${from.name}"`, location: { file: site.at.file, line: site.at.line, column: site.at.column } }];
          scope.early.push(f);
        }
      } catch {
        // never break the timer
      }
      return (original as Callback).apply(this, args);
    };
  }
}
