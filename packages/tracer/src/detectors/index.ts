/**
 * The tracer's judgement (Scope.collect) as a table: the detectors run in this order, which is fixed.
 * Later steps read what earlier ones left in the Judgement (the deadlocked lines, the sleeping tasks,
 * the stuck waits and pipelines), the order decides the order of the findings (mergeBySite keeps the
 * first at a site) and of `scope.ignored`, and the precedence step decides which of two findings about
 * one root cause is reported.
 */
import { abandonedIterator } from './abandoned-iterator.js';
import { blockedWriteCause, earlyFindings, topLevelDeadlock } from './deadlock.js';
import { floatingPromise } from './floating-promise.js';
import type { Detector } from './judgement.js';
import { leakedListener } from './leaked-listener.js';
import { leakedResources } from './leaked-resources.js';
import { precedence } from './precedence.js';
import { stuckEventWait } from './stuck-event-wait.js';
import { stuckPort } from './stuck-port.js';
import { blockedAndUnreadStreams, stuckPipelines, unfinishedBodies } from './stuck-stream.js';
import { unhandledRejection } from './unhandled-rejection.js';
import { unsettledTask } from './unsettled-task.js';

export type { Detector, Judgement } from './judgement.js';

export const DETECTORS: readonly Detector[] = [
  topLevelDeadlock,
  leakedResources,
  stuckEventWait,
  stuckPipelines,
  blockedWriteCause,
  blockedAndUnreadStreams,
  stuckPort,
  abandonedIterator,
  unfinishedBodies,
  precedence,
  unsettledTask,
  floatingPromise,
  leakedListener,
  unhandledRejection,
  earlyFindings,
];
