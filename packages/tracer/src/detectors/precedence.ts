/**
 * Which finding wins when two describe one root cause. The most precise wins at a place (a line): a stuck
 * event wait or pipeline, then a deadlock, then an unsettled task. This step reports the stuck waits and
 * pipelines and decides which lines' unsettled tasks (./unsettled-task.ts) and deadlocks (./deadlock.ts) are
 * already explained. The other one-cause rules are where their data is: a timer a task sleeps on is reported
 * as the task (./leaked-resources.ts); a blocked write a deadlock names, or a stream of a stuck pipeline, is not
 * reported again (./deadlock.ts, ./stuck-stream.ts); a stuck wait that is garbage of a deadlocked cycle is the
 * deadlock (./stuck-event-wait.ts).
 */
import { key, type Detector } from './judgement.js';

export const precedence: Detector = {
  ids: ['stuck-event-wait', 'stuck-stream', 'deadlock', 'unsettled-task'],
  run(j) {
    j.findings.push(...j.stuck, ...j.piped);
    j.explained = new Set([...j.deadlocked, ...j.stuck.map(key), ...j.piped.map(key)]);
    j.stuckAt = new Set([...j.stuck, ...j.piped].map(key));
  },
};
