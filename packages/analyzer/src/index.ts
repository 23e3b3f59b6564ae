export { analyze, claimedIds } from './analyze.js';
export { AnalyzerError } from './errors.js';
export type { AnalyzeOptions, AnalyzeResult, AnalyzerDiagnostic, Backend, NotRun, UntypedImport } from './types.js';
export { allProgramChecks } from './program-checks/all.js';
export type { ConcludeContext, ProgramCheck, ProgramReport, Span, SummaryContext } from './program-checks/program-check.js';
export { defineProgramCheck } from './program-checks/program-check.js';
