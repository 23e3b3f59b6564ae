/** leaked-timer, leaked-handle: timers and handles the scope left open (and the cross-test-bleed watch on them). */
import { watchForBleed } from '../bleed.js';
import { TIMER_TYPES } from '../capture.js';
import { dependencyHandle, leftResources, sleepingTasks, type AwaitChain, type LeftResource } from '../diff.js';
import { fakeTimerFindings, fakeTimerLeft } from '../fake-clock.js';
import { resourceFindings } from '../format.js';
import { splitCurrent } from '../ignore-current.js';
import type { Detector } from './judgement.js';

export const leakedResources: Detector = {
  ids: ['leaked-timer', 'leaked-handle', 'cross-test-bleed'],
  run(j) {
    const { state, options, ctx } = j;
    // A task asleep on a timer its scope armed (`await sleep(ms)` left floating) is one root cause: reported
    // once, as the task, naming the timer; the timer is neither a second finding nor a second bleed.
    j.sleepsOn = options.resources === false ? new Map<AwaitChain, LeftResource[]>() : sleepingTasks(j.chains, leftResources(state, { refedOnly: false }), ctx);
    const asleepOn = (j.asleepOn = new Set([...j.sleepsOn.values()].flat().map((l) => l.record)));
    if (options.resources === false) return;
    const { keep: left, dropped } = splitCurrent(leftResources(state, { refedOnly: options.refedOnly === true }), (l) => l.record.resource, j.rules);
    // An unref'd timer holds nothing open and, at a long period (a cache's hourly sweep), never fires during
    // the run: not a leak. It is only watched: if it fires while another test runs, that is cross-test-bleed.
    // An unref'd handle a dependency opened for itself (a build tool's service process, idle) is the dependency's.
    // A socket that was idle in a global agent's pool when the scope ended went back to the pool: judged later
    // (warn mode), it may be ref'd again by then, for the next test's request.
    const reported = left.filter((l) => l.record.pooledAtEnd !== true && (l.refed || (!TIMER_TYPES.has(l.record.type) && !dependencyHandle(l.record, ctx))) && !asleepOn.has(l.record));
    for (const d of dropped) for (const f of resourceFindings([d.item], ctx)) j.ignored.push({ finding: f, reason: d.reason, by: 'current' });
    j.judgedLeft = reported;
    j.findings.push(...resourceFindings(reported, ctx));
    j.findings.push(...j.judge(state.fakeTimers.filter(fakeTimerLeft), (t) => t.timer, (kept) => fakeTimerFindings(kept, ctx)));
    watchForBleed(j.bleedSource(), left.filter((l) => !asleepOn.has(l.record)));
  },
};
