export type { Check, CheckContext, CheckReport, Suggestion, TextEdit, TypeScript } from './check.js';
export { defineCheck } from './check.js';
export type { CheckResult } from './run.js';
export { formatMessage, runCheck, toFindings } from './run.js';
export { allChecks } from './all.js';
