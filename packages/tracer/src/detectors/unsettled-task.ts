/** unsettled-task: tasks still pending at the end, except where the precedence step found a finding that explains them. */
import { fakeTimerPromises } from '../fake-clock.js';
import { unsettledFindings } from '../format.js';
import { key, type Detector } from './judgement.js';

export const unsettledTask: Detector = {
  ids: ['unsettled-task'],
  run(j) {
    const { ctx } = j;
    // Tasks a snapshot covers were marked before the proof let go of their promises.
    for (const c of j.chains) if (c.current) for (const f of unsettledFindings([c], ctx)) j.ignored.push({ finding: f, reason: c.current.reason, by: 'current' });
    // A task that waits on a fake-clock timer (a sleep() on vi.useFakeTimers()) is that timer's story: reported as
    // leaked-timer while the clock is installed, not at all once vi.useRealTimers() discarded it (as promised).
    const faked = fakeTimerPromises(j.state, ctx);
    const tasks = unsettledFindings(j.chains.filter((c) => !c.current && !c.awaited?.some((id) => faked.has(id))), ctx, j.sleepsOn);
    j.findings.push(...tasks.filter((f) => !j.explained.has(key(f))));
  },
};
