/** Every whole-program check the analyser runs by default. */
import { floatingPromiseThroughCalls } from './floating-promise.js';
import { lockOrderInversion } from './lock-order-inversion.js';
import { lostUpdateThroughAccessors } from './lost-update.js';
import { missingAbortPropagationAcrossFiles } from './missing-abort-propagation.js';
import type { ProgramCheck } from './program-check.js';

export const allProgramChecks: readonly ProgramCheck[] = [
  floatingPromiseThroughCalls as ProgramCheck,
  lockOrderInversion as ProgramCheck,
  lostUpdateThroughAccessors as ProgramCheck,
  missingAbortPropagationAcrossFiles as ProgramCheck,
];
