import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { TypeScript } from '../src/check.js';
import { toFindings, runCheck } from '../src/run.js';
import { leakedTimer } from '../src/leaked-timer.js';
import leakedTimerRule from '../../../eslint-plugin/src/rules/leaked-timer.js';
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

function run(code: string, options?: Parameters<typeof runCheck<typeof leakedTimer.defaultOptions>>[4]) {
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
  return runCheck(tsApi, program, program.getSourceFile(caseFile)!, leakedTimer, options);
}

const at = (code: string) => run(code).map((r) => `${r.messageId}@${r.line}:${r.column}`);

describe('leaked-timer', () => {
  it('reports an interval whose handle is discarded in a class with close()', () => {
    const results = run(`export class Poller {
  start() {
    setInterval(() => this.poll(), 1000);
  }
  poll() {}
  close() {}
}`);
    expect(results.map((r) => `${r.messageId}@${r.line}:${r.column}`)).toEqual(['notStored@3:5']);
    expect(results[0]!.message).toContain('setInterval() is started in class Poller but its handle is not kept, so close() cannot stop it');
    expect(results[0]!.message).toContain('clearInterval()');
  });

  it('reports a stored handle that the teardown never clears', () => {
    const results = run(`export class Heartbeat {
  private timer?: NodeJS.Timeout;
  constructor() {
    this.timer = setInterval(() => {}, 5000);
  }
  [Symbol.dispose]() {}
}`);
    expect(results.map((r) => `${r.messageId}@${r.line}:${r.column}`)).toEqual(['notCleared@4:18']);
    expect(results[0]!.message).toContain('kept in this.timer, but [Symbol.dispose]() never clears it');
  });

  it('reports a handle kept with ??= that stop() does not clear', () => {
    expect(
      at(`export class Ticker {
  private timer: NodeJS.Timeout | undefined;
  start() { this.timer ??= setInterval(() => {}, 100); }
  stop() {}
}`),
    ).toEqual(['notCleared@3:28']);
  });

  it('reports a timer in a function that returns a cleanup which does not clear it', () => {
    expect(
      at(`export function watch(tick: () => void) {
  const id = setInterval(tick, 100);
  setTimeout(tick, 5000);
  return () => {
    void id;
  };
}`),
    ).toEqual(['notCleared@2:14', 'notStored@3:3']);
  });

  it('reports a retry timeout that close() cannot cancel', () => {
    expect(
      at(`export class Reconnector {
  private closed = false;
  connect() {
    this.schedule();
  }
  private schedule() {
    setTimeout(() => this.connect(), 1000);
  }
  stop() { this.closed = true; }
}`),
    ).toEqual(['notStored@7:5']);
  });

  it('accepts handles cleared in the teardown (also through a helper method), unref, and collections', () => {
    expect(
      at(`export class Poller {
  private timer: NodeJS.Timeout | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private sweep = setInterval(() => {}, 60_000).unref();
  start() {
    this.timer = setInterval(() => {}, 1000);
    this.timers.add(setTimeout(() => {}, 500));
    const t = setInterval(() => {}, 10);
    t.unref();
  }
  close() {
    this.clearAll();
  }
  private clearAll() {
    clearInterval(this.timer);
    for (const t of this.timers) clearTimeout(t);
    clearInterval(this.sweep);
  }
}`),
    ).toEqual([]);
  });

  it('accepts sleeps, deferrals, self-cleared timeouts, timers outside a lifecycle and timers set up by the teardown', () => {
    expect(
      at(`import { setTimeout as delay } from 'node:timers/promises';
export class Worker {
  async pause(ms: number) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    await delay(ms);
  }
  later(f: () => void) { setTimeout(f, 0); }
  async withDeadline(work: Promise<void>) {
    const t = setTimeout(() => {}, 1000);
    try { await work; } finally { clearTimeout(t); }
  }
  close() {
    setTimeout(() => process.exit(1), 5000).unref();
    setTimeout(() => {}, 100);
  }
}
export function standalone() {
  setInterval(() => {}, 1000);
}`),
    ).toEqual([]);
  });

  it('accepts a cleanup function that clears the handle (a React-style effect)', () => {
    expect(
      at(`declare function useEffect(effect: () => (() => void) | void): void;
export function useClock(onTick: () => void) {
  useEffect(() => {
    const id = setInterval(onTick, 1000);
    return () => clearInterval(id);
  });
}
export function subscribe(onTick: () => void) {
  const id = setInterval(onTick, 1000);
  return { stop() { clearInterval(id); } };
}`),
    ).toEqual([]);
  });

  it('takes extra lifecycle method names (lifecycleMethods option)', () => {
    const code = `export class Job {
  run() { setInterval(() => {}, 100); }
  cancel() {}
}`;
    expect(at(code)).toEqual([]);
    expect(run(code, { lifecycleMethods: ['cancel'] }).map((r) => `${r.messageId}@${r.line}:${r.column}`)).toEqual(['notStored@2:11']);
  });

  it('matches the expect markers in fixtures/leaked-timer exactly', () => {
    const dir = path.join(fixturesRoot, 'leaked-timer');
    const files = listSourceFiles(dir);
    expect(files.length).toBeGreaterThan(1);
    const config = ts.getParsedCommandLineOfConfigFile(path.join(fixturesRoot, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
    const program = ts.createProgram(files, config.options);
    const findings = files.flatMap((f) => toFindings(runCheck(tsApi, program, program.getSourceFile(f)!, leakedTimer), f, { engine: 'analyzer' }));
    const diff = diffFindings(readExpectations(files), findings, { ids: ['leaked-timer'] });
    expect(formatDiff(diff)).toBe('');
  });
});

createRuleTester().run('leaked-timer (ESLint rule)', leakedTimerRule, {
  valid: [
    { code: 'export class P {\n  private t?: NodeJS.Timeout;\n  start() { this.t = setInterval(() => {}, 10); }\n  close() { clearInterval(this.t); }\n}' },
  ],
  invalid: [
    {
      code: 'export class P {\n  start() {\n    setInterval(() => {}, 10);\n  }\n  close() {}\n}',
      errors: [{ messageId: 'notStored', line: 3, column: 5, endLine: 3, endColumn: 30 }],
    },
  ],
});
