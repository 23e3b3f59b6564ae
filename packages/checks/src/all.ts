/**
 * Every static check, in catalog order. Both front ends (the ESLint plugin and
 * the analyser) take their list from here, so a check added once is run by both.
 */
import type { Check } from './check.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each check has its own Options type
export const allChecks: readonly Check<any>[] = [
];
