/**
 * Whether a file is a test by the conventions of Vitest, Jest, Mocha and node:test: a name ending in
 * `.test.ts` / `.spec.ts` (any JS or TS extension), or a folder named `test`, `tests`, `__tests__` or
 * `spec` on its path below the project's root (pg-boss's `test/bamTest.ts`; a checkout that itself
 * lives under a `tests` folder is not all tests). A test run reports an unhandled rejection as a
 * failure, so some hazards that are silent in a program are loud there.
 */
import path from 'node:path';
import type * as TS from 'typescript';

const TEST_NAME = /\.(test|spec)\.[cm]?[jt]sx?$/;
const TEST_DIRS = new Set(['test', 'tests', '__tests__', 'spec']);

export function isTestFile(fileName: string, rootDir: string): boolean {
  if (TEST_NAME.test(path.basename(fileName))) return true;
  const rel = path.relative(rootDir, fileName);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return false;
  return rel.split(/[\\/]/).slice(0, -1).some((p) => TEST_DIRS.has(p));
}

/** The folder of the program's tsconfig (typescript-eslint and the analyser both parse one), else its current directory. */
export function projectRoot(program: TS.Program): string {
  const config = program.getCompilerOptions().configFilePath;
  return typeof config === 'string' ? path.dirname(config) : program.getCurrentDirectory();
}
