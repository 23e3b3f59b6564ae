/**
 * Runs one check on a program made from a code string. The case file lives
 * beside the tests so that imports such as async-mutex resolve from node_modules;
 * lib files are parsed once and shared by every case.
 */
import path from 'node:path';
import ts from 'typescript';
import type { Check, TypeScript } from '../src/check.js';
import { runCheck, toFindings } from '../src/run.js';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations } from '@asyncsan/test-harness/expectations';

const caseFile = path.join(import.meta.dirname, '__case__.ts');
const compilerOptions = ts.convertCompilerOptionsFromJson(
  { target: 'ES2022', lib: ['ES2023'], module: 'NodeNext', moduleResolution: 'NodeNext', types: ['node'], strict: true, noEmit: true, skipLibCheck: true },
  import.meta.dirname,
).options;
// The case file's project is this folder, as if a tsconfig.json were here: the checks that treat test files
// apart (by a test/ folder on the path below the project) must see __case__.ts as program code.
compilerOptions.configFilePath = path.join(import.meta.dirname, 'tsconfig.json');
// The default import and the `import * as` typings of typescript differ; the module object is the same.
const tsApi = ts as unknown as TypeScript;
const libCache = new Map<string, ts.SourceFile | undefined>();

export function runInMemory<O>(check: Check<O>, code: string, options?: Partial<O>) {
  const host = ts.createCompilerHost(compilerOptions);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang) => {
    if (name === caseFile) return ts.createSourceFile(name, code, lang, true);
    if (!libCache.has(name)) libCache.set(name, getSourceFile(name, lang));
    return libCache.get(name);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === caseFile || fileExists(name);
  const program = ts.createProgram([caseFile], compilerOptions, host);
  return runCheck(tsApi, program, program.getSourceFile(caseFile)!, check, options);
}

/**
 * Runs a check over fixtures/<id>/ with the fixtures' tsconfig and returns the
 * difference from the `// expect:` markers ('' when exact). The check alone is
 * what the ESLint rule runs, so the markers of the analyser's program checks (`analyzer:`) do not apply.
 */
/** `strict`: run with the check's strictOptions (as the ESLint plugin's strict config), so `strict:` markers count. */
export function fixtureDiff<O>(check: Check<O>, how: { strict?: boolean } = {}): { files: number; diff: string } {
  const files = listSourceFiles(path.join(fixturesRoot, check.id));
  const config = ts.getParsedCommandLineOfConfigFile(path.join(fixturesRoot, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const program = ts.createProgram(files, config.options);
  const options = how.strict ? check.strictOptions : undefined;
  const findings = files.flatMap((f) => toFindings(runCheck(tsApi, program, program.getSourceFile(f)!, check, options), f, { engine: 'lint' }));
  return { files: files.length, diff: formatDiff(diffFindings(readExpectations(files), findings, { ids: [check.id], engine: 'lint', strict: how.strict === true })) };
}

/** Runs a check with options on one fixture file, in the fixtures' program (as the ESLint rule would with those options). */
export function runOnFixture<O>(check: Check<O>, relativePath: string, options?: Partial<O>, how: { asProgramCode?: boolean } = {}) {
  const file = path.join(fixturesRoot, relativePath);
  const config = ts.getParsedCommandLineOfConfigFile(path.join(fixturesRoot, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const host = ts.createCompilerHost(config.options);
  // asProgramCode: the same text under a name that is not a test's, to compare what the test-file policies change.
  const name = how.asProgramCode ? file.replace(/\.test\.ts$/, '.ts') : file;
  if (how.asProgramCode) {
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (n, lang) => (n === name ? ts.createSourceFile(n, ts.sys.readFile(file)!, lang, true) : getSourceFile(n, lang));
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (n) => n === name || fileExists(n);
  }
  const program = ts.createProgram([name], config.options, host);
  return runCheck(tsApi, program, program.getSourceFile(name)!, check, options);
}
