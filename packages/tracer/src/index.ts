export { createTracer, DeadlockError, Scope, Tracer } from './tracer.js';
export type { JudgeOptions, ScopeOptions, TraceResult, TracerOptions } from './tracer.js';
export { registerUrl, runTraced } from './run-command.js';
export type { RunTracedOptions, RunTracedResult } from './run-command.js';
export { formatText } from './text-report.js';
export { globToRegExp, matchesIgnore } from './ignore.js';
export type { IgnoreRule } from './ignore.js';
