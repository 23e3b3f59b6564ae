import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { TypeScript } from '../src/check.js';
import { toFindings, runCheck } from '../src/run.js';
import { mutexNotReleased } from '../src/mutex-not-released.js';
import mutexNotReleasedRule from '../../../eslint-plugin/src/rules/mutex-not-released.js';
import { createRuleTester } from './rule-tester.js';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations } from '../../../test/harness/expectations.js';

// In-memory programs: the case file lives beside this test so that async-mutex resolves from node_modules.
const caseFile = path.join(import.meta.dirname, '__case__.ts');
const compilerOptions = ts.convertCompilerOptionsFromJson(
  { target: 'ES2022', lib: ['ES2023'], module: 'NodeNext', moduleResolution: 'NodeNext', types: ['node'], strict: true, noEmit: true, skipLibCheck: true },
  import.meta.dirname,
).options;
// The default import and the `import * as` typings of typescript differ; the module object is the same.
const tsApi = ts as unknown as TypeScript;
const libCache = new Map<string, ts.SourceFile | undefined>();

function run(code: string, options?: Parameters<typeof runCheck<typeof mutexNotReleased.defaultOptions>>[4]) {
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
  return runCheck(tsApi, program, program.getSourceFile(caseFile)!, mutexNotReleased, options);
}

const at = (code: string) => run(code).map((r) => `${r.messageId}@${r.line - 4}:${r.column}`);

const prelude = `import { Mutex, Semaphore } from 'async-mutex';
const mutex = new Mutex();
const sem = new Semaphore(2);
declare function work(): Promise<void>;
`;
// Line numbers in the cases below count from the line after the prelude (prelude is 4 lines).
const P = 4;

describe('mutex-not-released', () => {
  it('reports a releaser called outside finally', () => {
    const results = run(`${prelude}export async function f() {
  const release = await mutex.acquire();
  await work();
  release();
}`);
    expect(results.map((r) => `${r.messageId}@${r.line - P}:${r.column}`)).toEqual(['notInFinally@2:19']);
    expect(results[0]!.message).toContain('mutex is acquired here but not released in a finally block');
    expect(results[0]!.message).toContain('try { … } finally { release() }');
  });

  it('reports an acquire that is never released', () => {
    const results = run(`${prelude}export async function f() {
  await mutex.acquire();
  await work();
}`);
    expect(results.map((r) => `${r.messageId}@${r.line - P}:${r.column}`)).toEqual(['neverReleased@2:3']);
    expect(results[0]!.message).toContain('mutex.release()');
  });

  it('reports a semaphore releaser and a try that starts after an await', () => {
    const results = run(`${prelude}export async function f() {
  const [, release] = await sem.acquire();
  await work();
  try {
    await work();
  } finally {
    release();
  }
}`);
    expect(results.map((r) => `${r.messageId}@${r.line - P}:${r.column}`)).toEqual(['notInFinally@2:23']);
  });

  it('accepts release in finally, runExclusive, and acquire inside the try', () => {
    expect(
      at(`${prelude}export async function a() {
  const release = await mutex.acquire();
  try { await work(); } finally { release(); }
}
export async function b() {
  await mutex.runExclusive(() => work());
}
export async function c() {
  let release: (() => void) | undefined;
  try {
    release = await mutex.acquire();
    await work();
  } finally {
    release?.();
  }
}
export async function d() {
  await mutex.acquire();
  try { await work(); } finally { mutex.release(); }
}
export async function e() {
  const [, release] = await sem.acquire();
  const started = Date.now();
  try { await work(); } finally { release(); void started; }
}`),
    ).toEqual([]);
  });

  it('accepts a releaser handed to the caller or stored, and await using', () => {
    expect(
      at(`${prelude}export async function lock() {
  const release = await mutex.acquire();
  return release;
}
class Holder {
  private release?: () => void;
  async hold() { this.release = await mutex.acquire(); }
}
declare const locks: { acquire(): Promise<AsyncDisposable>; release(): void };
export async function scoped() {
  await using held = await locks.acquire();
  await work();
}`),
    ).toEqual([]);
  });

  it('recognises lock shapes by type, not by name', () => {
    expect(
      at(`${prelude}declare const pool: { acquire(): Promise<object>; destroy(o: object): void };
export async function notALock() {
  const conn = await pool.acquire();
  void conn;
}
declare const customLock: { acquire(): Promise<() => void>; release(): void };
export async function custom() {
  const done = await customLock.acquire();
  await work();
  done();
}`),
    ).toEqual(['notInFinally@8:16']);
  });

  it('takes extra acquire method names (acquireMethods option)', () => {
    const code = `${prelude}declare const rw: { lock(): Promise<() => void>; unlock(): void };
export async function f() {
  const unlock = await rw.lock();
  await work();
  unlock();
}`;
    expect(at(code)).toEqual([]);
    expect(run(code, { acquireMethods: ['lock'] }).map((r) => `${r.messageId}@${r.line - P}:${r.column}`)).toEqual(['notInFinally@3:18']);
  });

  it('matches the expect markers in fixtures/mutex-not-released exactly', () => {
    const dir = path.join(fixturesRoot, 'mutex-not-released');
    const files = listSourceFiles(dir);
    expect(files.length).toBeGreaterThan(1);
    const config = ts.getParsedCommandLineOfConfigFile(path.join(fixturesRoot, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
    const program = ts.createProgram(files, config.options);
    const findings = files.flatMap((f) => toFindings(runCheck(tsApi, program, program.getSourceFile(f)!, mutexNotReleased), f, { engine: 'analyzer' }));
    const diff = diffFindings(readExpectations(files), findings, { ids: ['mutex-not-released'] });
    expect(formatDiff(diff)).toBe('');
  });
});

createRuleTester().run('mutex-not-released (ESLint rule)', mutexNotReleasedRule, {
  valid: [
    { code: "import { Mutex } from 'async-mutex';\nconst m = new Mutex();\nexport async function f(w: () => Promise<void>) {\n  const release = await m.acquire();\n  try { await w(); } finally { release(); }\n}" },
  ],
  invalid: [
    {
      code: "import { Mutex } from 'async-mutex';\nconst m = new Mutex();\nexport async function f(w: () => Promise<void>) {\n  const release = await m.acquire();\n  await w();\n  release();\n}",
      errors: [{ messageId: 'notInFinally', line: 4, column: 19, endLine: 4, endColumn: 36 }],
    },
  ],
});
