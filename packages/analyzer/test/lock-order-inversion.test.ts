import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations, repoRoot } from '@asyncsan/test-harness/expectations';
import { analyze } from '../src/index.js';
import { lockOrderInversion } from '../src/program-checks/lock-order-inversion.js';
import type { ProgramCheck } from '../src/program-checks/program-check.js';
import { tempProject, tsconfigJson, type TempProject } from './temp-project.js';

const only = { checks: [], programChecks: [lockOrderInversion as ProgramCheck] };
const dir = path.join(fixturesRoot, 'lock-order-inversion');

describe('lock-order-inversion on its fixtures', () => {
  it('reports exactly the marked lines', async () => {
    const res = await analyze({ cwd: repoRoot, paths: [dir], ...only });
    const diff = diffFindings(readExpectations(listSourceFiles(dir)), res.findings, { ids: ['lock-order-inversion'], engine: 'analyzer' });
    expect(formatDiff(diff)).toBe('');
    expect(res.findings).toHaveLength(4);
  });

  it('names both paths: message and related locations', async () => {
    const res = await analyze({ cwd: repoRoot, paths: [dir], ...only });
    const direct = res.findings.find((f) => f.location?.file.endsWith('bad-report.ts'))!;
    expect(direct.message).toBe(
      'accounts is taken here while audit is held, but transfer takes audit while holding accounts: run concurrently, each waits for the other forever',
    );
    const at = (r: { label: string; location: { file: string; line: number } }) =>
      `${r.label} @ ${path.basename(r.location.file)}:${r.location.line}`;
    expect(direct.related?.map(at)).toEqual([
      'audit taken here @ bad-report.ts:5',
      'transfer takes accounts here @ bad-transfer.ts:8',
      'then takes audit here, while holding accounts @ bad-transfer.ts:11',
    ]);
    const viaCalls = res.findings.find((f) => f.location?.file.endsWith('bad-ledger.ts'))!;
    expect(viaCalls.message).toBe(
      'This call takes journalLock while Ledger.lock is held, but closeDay takes Ledger.lock while holding journalLock: run concurrently, each waits for the other forever',
    );
    expect(viaCalls.related?.map(at)).toEqual([
      'Ledger.lock taken here @ bad-ledger.ts:11',
      'journalLock taken here, inside that call @ bad-ledger-journal.ts:24',
      'closeDay takes journalLock here @ bad-ledger.ts:19',
      'then calls into code that takes Ledger.lock, while holding journalLock @ bad-ledger.ts:21',
      'Ledger.lock taken here, inside that call @ bad-ledger.ts:11',
    ]);
  });

  it('reports a cycle through three locks once, with every step', async () => {
    const res = await analyze({ cwd: repoRoot, paths: [path.join(dir, 'bad-cycle.ts')], ...only });
    expect(res.findings).toHaveLength(1);
    expect(res.findings[0]!.message).toBe(
      'stock is taken here while orders is held, and other sections close a cycle of locks (orders -> stock -> shipping -> orders): run concurrently, each waits for the next forever',
    );
    expect(res.findings[0]!.related?.map((r) => `${r.label} @ ${r.location.line}`)).toEqual([
      'orders taken here @ 10',
      'restock takes stock here @ 14',
      'then shipping here, while holding stock @ 14',
      'ship takes shipping here @ 18',
      'then orders here, while holding shipping @ 19',
    ]);
  });

  it('reports on an analysed file when only one path is under the given paths', async () => {
    const res = await analyze({ cwd: repoRoot, paths: [path.join(dir, 'bad-transfer.ts')], ...only });
    expect(res.findings.map((f) => `${f.location?.file}:${f.location?.line}`)).toEqual(['fixtures/lock-order-inversion/bad-transfer.ts:11']);
    expect(res.findings[0]!.related?.map((r) => `${r.location.file}:${r.location.line}`)).toEqual([
      'fixtures/lock-order-inversion/bad-transfer.ts:8',
      'fixtures/lock-order-inversion/bad-report.ts:5',
      'fixtures/lock-order-inversion/bad-report.ts:8',
    ]);
  });
});

describe('lock-order-inversion on small programs', () => {
  const projects: TempProject[] = [];
  afterEach(() => {
    for (const p of projects.splice(0)) p.cleanup();
  });
  // A minimal lock type so the temp projects need no node_modules.
  const lockTs = [
    'export class Lock {',
    '  async acquire(): Promise<() => void> { return () => {}; }',
    '  release(): void {}',
    '  async runExclusive<T>(cb: () => Promise<T> | T): Promise<T> { return cb(); }',
    '}',
    '',
  ].join('\n');
  /**
   * One case: each file is given as its lines; a file that mentions Lock gets
   * `import { Lock } from './lock.js'` on top. Writes them next to lock.ts,
   * analyses with this check alone and returns the findings as `file:line`.
   */
  const findingsOf = async (files: Record<string, string[]>) => {
    const sources = Object.fromEntries(
      Object.entries(files).map(([name, lines]) => {
        const header = lines.some((l) => /\bLock\b/.test(l)) ? ["import { Lock } from './lock.js';"] : [];
        return [name, [...header, ...lines, ''].join('\n')];
      }),
    );
    const p = tempProject({ 'tsconfig.json': tsconfigJson(), 'lock.ts': lockTs, ...sources });
    projects.push(p);
    const res = await analyze({ cwd: p.dir, ...only });
    return res.findings.map((f) => `${f.location?.file}:${f.location?.line}`);
  };

  it('follows a chain of calls across three files', async () => {
    const found = await findingsOf({
      'locks.ts': ['export const a = new Lock();', 'export const b = new Lock();'],
      'deep.ts': ["import { b } from './locks.js';", 'export async function deep() {', '  await b.runExclusive(() => 1);', '}'],
      'middle.ts': ["import { deep } from './deep.js';", 'export async function middle() {', '  await deep();', '}'],
      'top.ts': [
        "import { a, b } from './locks.js';",
        "import { middle } from './middle.js';",
        'export async function one() {',
        '  await a.runExclusive(() => middle());',
        '}',
        'export async function two() {',
        '  await b.runExclusive(async () => {',
        '    await a.runExclusive(() => 2);',
        '  });',
        '}',
      ],
    });
    expect(found).toEqual(['top.ts:4']);
  });

  it('handles recursion in the call graph', async () => {
    const found = await findingsOf({
      'r.ts': [
        'const a = new Lock();',
        'const b = new Lock();',
        'export async function ping(n: number): Promise<void> {',
        '  if (n > 0) await pong(n - 1);',
        '  await b.runExclusive(() => 0);',
        '}',
        'export async function pong(n: number): Promise<void> {',
        '  if (n > 0) await ping(n - 1);',
        '}',
        'export async function outer() {',
        '  await a.runExclusive(() => pong(3));',
        '}',
        'export async function inverse() {',
        '  await b.runExclusive(() => a.runExclusive(() => 1));',
        '}',
      ],
    });
    expect(found).toEqual(['r.ts:12']);
  });

  it('keeps an acquire() held until release() and not after', async () => {
    const found = await findingsOf({
      'seq.ts': [
        'const a = new Lock();',
        'const b = new Lock();',
        'export async function first() {',
        '  await a.acquire();',
        '  a.release();',
        '  await b.runExclusive(() => 1);',
        '}',
        'export async function second() {',
        '  await b.runExclusive(() => a.runExclusive(() => 1));',
        '}',
      ],
    });
    expect(found).toEqual([]);
  });

  it('follows a lock helper given the callback by name', async () => {
    const found = await findingsOf({
      'helper.ts': [
        'export async function guarded<T>(work: () => Promise<T>, lock: Lock): Promise<T> {',
        '  const release = await lock.acquire();',
        '  try {',
        '    return await work();',
        '  } finally {',
        '    release();',
        '  }',
        '}',
      ],
      'use.ts': [
        "import { guarded } from './helper.js';",
        'const a = new Lock();',
        'const b = new Lock();',
        'async function takeB() {',
        '  await b.runExclusive(() => 1);',
        '}',
        'export async function one() {',
        '  await guarded(takeB, a);',
        '}',
        'export async function two() {',
        '  await b.runExclusive(() => guarded(async () => 1, a));',
        '}',
      ],
    });
    expect(found).toEqual(['use.ts:9']);
  });

  it('recognises the same class-field lock through different instances', async () => {
    const found = await findingsOf({
      'store.ts': [
        'export class Store {',
        '  readonly lock = new Lock();',
        '}',
        'const index = new Lock();',
        'export async function save(s: Store) {',
        '  await s.lock.runExclusive(() => index.runExclusive(() => 1));',
        '}',
        'export async function rebuild(s: Store) {',
        '  const release = await index.acquire();',
        '  try {',
        '    await s.lock.runExclusive(() => 2);',
        '  } finally {',
        '    release();',
        '  }',
        '}',
      ],
    });
    expect(found).toEqual(['store.ts:7']);
  });
});
