/**
 * Every static check, in catalog order. Both front ends (the ESLint plugin and
 * the analyser) take their list from here, so a check added once is run by both.
 */
import type { Check } from './check.js';
import { floatingPromise } from './floating-promise.js';
import { misusedAsyncCallback } from './misused-async-callback.js';
import { neverSettlingPromise } from './never-settling-promise.js';
import { missingAbortPropagation } from './missing-abort-propagation.js';
import { raceTimeoutLeak } from './race-timeout-leak.js';
import { uncancelledSiblings } from './uncancelled-siblings.js';
import { unboundedConcurrency } from './unbounded-concurrency.js';
import { leakedTimer } from './leaked-timer.js';
import { leakedListener } from './leaked-listener.js';
import { lostUpdate } from './lost-update.js';
import { checkThenAct } from './check-then-act.js';
import { mutexNotReleased } from './mutex-not-released.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each check has its own Options type
export const allChecks: readonly Check<any>[] = [
  floatingPromise,
  misusedAsyncCallback,
  neverSettlingPromise,
  missingAbortPropagation,
  raceTimeoutLeak,
  uncancelledSiblings,
  unboundedConcurrency,
  leakedTimer,
  leakedListener,
  lostUpdate,
  checkThenAct,
  mutexNotReleased,
];
