import type { Finding } from '@asyncsan/core';
import type { Check } from '@asyncsan/checks';
import type { ProgramCheck } from './program-checks/program-check.js';

/** A problem with one input file that is not a finding: a syntax error, or a check that crashed on it. */
export interface AnalyzerDiagnostic {
  /** Relative to `cwd`, forward slashes. */
  file: string;
  line: number;
  column: number;
  message: string;
  /** `syntax`: the file does not parse and was not analysed; `internal`: a check threw on the file. */
  kind: 'syntax' | 'internal';
}

export interface AnalyzeOptions {
  /** Working directory: paths are resolved against it and findings are written relative to it. */
  cwd: string;
  /** Files or directories to analyse (default: `[cwd]`). Each one's nearest tsconfig.json is loaded. */
  paths?: string[];
  /** Use this tsconfig instead of discovering one from the paths (resolved against `cwd`). */
  tsconfig?: string;
  /** Per-file checks to run (default: every check in @asyncsan/checks' `allChecks`). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each check has its own Options type
  checks?: readonly Check<any>[];
  /** Whole-program checks to run (default: `allProgramChecks`). */
  programChecks?: readonly ProgramCheck[];
  /** Options per check id, merged over each check's defaults. */
  ruleOptions?: Record<string, unknown>;
  /** Called after each analysed file with the count done and the total. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Worker threads to shard the files over (default 1: one worker, or this thread when the
   * checks are not built-in ones or when run from sources). Each worker loads its own
   * Project; results are identical to a single-threaded run.
   */
  threads?: number;
  /**
   * The compiler the checks run on. `ts6` (the default, unless `auto` finds 7.x): TypeScript 6 through ts-morph.
   * `ts7`: the analysed project's own typescript@7 (or the package at `typescript`) through its synchronous API
   * over the native compiler; one process, `threads` is not used. `auto`: `ts7` when the project's `typescript` is 7.x.
   */
  backend?: Backend;
  /** The typescript@7 package directory the `ts7` back end loads, instead of the project's own `typescript`. */
  typescript?: string;
}

export type Backend = 'auto' | 'ts6' | 'ts7';

/** A check the chosen back end does not run, and why (listed, never skipped silently). */
export interface NotRun {
  id: string;
  reason: string;
}

/** An import of an analysed file whose module has no types (not found, or JavaScript without declarations). */
export interface UntypedImport {
  file: string;
  line: number;
  module: string;
}

export interface AnalyzeResult {
  /** Sorted with core's `sortFindings`; paths relative to `cwd`. */
  findings: Finding[];
  diagnostics: AnalyzerDiagnostic[];
  /** Files analysed (under the paths, excluding declaration files and node_modules). */
  filesAnalyzed: number;
  /** Absolute paths of every tsconfig loaded, in load order. */
  tsconfigs: string[];
  /** The back end that ran, with the TypeScript version. */
  backend: { name: 'ts6' | 'ts7'; typescript: string };
  /** Checks asked for that this back end did not run. */
  notRun: NotRun[];
  /** Imports of the analysed files whose modules have no types: what they give is `any`, out of every check's sight. */
  untypedImports: UntypedImport[];
}
