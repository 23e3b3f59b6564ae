/**
 * The race detector in process: instrumented modules run against a fresh
 * RaceRuntime, and every interleaving that really happened is reported once,
 * with the stale read, the other task's write and the await in between; the
 * orderings that are not races (one task, an awaited helper, a mutex, a
 * re-check) report nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Mutex, Semaphore } from 'async-mutex';
import FakeTimers from '@sinonjs/fake-timers';
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding } from '@asyncsan/core';
import { instrument, RUNTIME_GLOBAL } from '../src/race/transform.js';
import { RaceRuntime, type RaceOptions } from '../src/race/runtime.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'asyncsan-race-detector-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;

/** Instruments `lines` as one module, runs its exported `run(deps)` under a fresh runtime. */
async function race(lines: string[], deps: Record<string, unknown> = {}, options: RaceOptions = {}): Promise<{ rt: RaceRuntime; value: unknown; file: string }> {
  const file = path.join(dir, `case${counter++}.mjs`);
  const out = instrument(lines.join('\n'), file);
  if (!out) throw new Error('nothing instrumented');
  writeFileSync(file, out.code);
  const g = globalThis as Record<string, unknown>;
  const previous = g[RUNTIME_GLOBAL];
  const rt = new RaceRuntime({ cwd: dir, ...options });
  g[RUNTIME_GLOBAL] = rt;
  try {
    const mod = (await import(pathToFileURL(file).href)) as { run: (d: Record<string, unknown>) => Promise<unknown> };
    const value = await mod.run(deps);
    return { rt, value, file: path.basename(file) };
  } finally {
    g[RUNTIME_GLOBAL] = previous;
  }
}

const summary = (findings: Finding[]) => findings.map((f) => `${f.id}@${f.location?.line}:${f.location?.column}`);

const ACCOUNT = [
  'const tick = (ms = 2) => new Promise((r) => setTimeout(r, ms));',
  'async function credit(n) { await tick(); return n; }',
  'class Account {',
  '  balance = 100;',
  '  async applyCredit(n) {',
  '    this.balance = this.balance + (await credit(n));',
  '  }',
  '}',
];

describe('race detector', () => {
  it('reports the classic lost update once, at the write, with the read, the other write and the await', async () => {
    const { rt, value, file } = await race([
      ...ACCOUNT,
      'export async function run() {',
      '  const a = new Account();',
      '  await Promise.all([a.applyCredit(1), a.applyCredit(2), a.applyCredit(3)]);',
      '  return a.balance;',
      '}',
    ], {}, { startStacks: true });
    expect(value).toBe(103);
    expect(summary(rt.findings)).toEqual(['lost-update@6:5']);
    const f = rt.findings[0]!;
    expect(f.engine).toBe('tracer');
    expect(f.location?.file).toBe(file);
    expect(f.related?.map((r) => [r.label.replace(/#\d+/g, '#n'), r.location.line, r.location.column])).toEqual([
      ['task #n (async Account.applyCredit) read Account.balance here, before the await', 6, 20],
      ['overwritten by the other task (task #n (async Account.applyCredit)) here', 6, 5],
      ['task #n (async Account.applyCredit) suspended here', 6, 36],
    ]);
    expect(f.message).toMatch(/^Lost update of Account\.balance: task #\d+ \(async Account\.applyCredit\) read it \(line 6\), was suspended at an await \(line 6\), task #\d+ \(async Account\.applyCredit\) wrote it meanwhile \(line 6\)/);
    // Both tasks' stacks, each with where its task was started (the Promise.all line).
    expect(f.stacks).toHaveLength(2);
    for (const stack of f.stacks!) {
      expect(stack.frames[0]).toMatchObject({ file, line: 6, function: 'Account.applyCredit' });
      expect(stack.createdAt?.frames.find((fr) => !fr.external)).toMatchObject({ file, line: 11 });
    }
    const text = rt.reports[0]!;
    expect(text.startsWith('WARNING: ASYNC RACE (lost-update)\n')).toBe(true);
    expect(text).toContain(`read the value at ${file}:6:20, before the await`);
    expect(text).toContain(`was suspended at ${file}:6:36`);
    expect(text.match(new RegExp(`started at ${file}:11:\\d+ \\(in run\\) by task #\\d+ \\(async run\\)`, 'g'))).toHaveLength(2);
  });

  it('without start stacks, says which task started each task and which async function it runs', async () => {
    const { rt, file } = await race([
      ...ACCOUNT,
      'export async function run() {',
      '  const a = new Account();',
      '  await Promise.all([a.applyCredit(1), a.applyCredit(2)]);',
      '}',
    ]);
    expect(summary(rt.findings)).toEqual(['lost-update@6:5']);
    const started = rt.reports[0]!.split('\n').filter((l) => l.includes(' started by '));
    expect(started).toHaveLength(2);
    for (const line of started) {
      expect(line).toMatch(new RegExp(`^task #\\d+ \\(async Account\\.applyCredit\\) \\(async function at ${file}:5:3\\) started by task #\\d+ \\(async run\\) at ${file}:9:8$`));
    }
    expect(rt.findings[0]!.stacks![0]!.createdAt?.frames.map((f) => `${f.function} ${f.line}`)).toEqual([
      expect.stringMatching(/^task #\d+ \(async Account\.applyCredit\) 5$/),
      expect.stringMatching(/^task #\d+ \(async run\) 9$/),
    ]);
  });

  it('reports a check-then-act cache stampede on a module-level Map', async () => {
    const { rt } = await race([
      'const cache = new Map();',
      'const load = (k) => new Promise((r) => setTimeout(() => r(k.toUpperCase()), 2));',
      'async function get(k) {',
      '  if (!cache.has(k)) {',
      '    const v = await load(k);',
      '    cache.set(k, v);',
      '  }',
      '  return cache.get(k);',
      '}',
      'export async function run() {',
      '  return Promise.all([get("a"), get("a"), get("b")]);',
      '}',
    ]);
    expect(summary(rt.findings)).toEqual(['check-then-act@6:5']);
    expect(rt.findings[0]!.message).toMatch(/^Check-then-act on Map entry "a": /);
    expect(rt.findings[0]!.related?.[0]).toMatchObject({ location: { line: 4, column: 8 } });
  });

  it('watches private fields and static members of module classes too', async () => {
    const { rt } = await race([
      'const tick = () => new Promise((r) => setTimeout(r, 2));',
      'class Wallet {',
      '  static total = 0;',
      '  #coins = 0;',
      '  async add(n) {',
      '    this.#coins += await Promise.resolve(n);',
      '    const t = Wallet.total;',
      '    await tick();',
      '    Wallet.total = t + n;',
      '    return this.#coins;',
      '  }',
      '}',
      'export async function run() {',
      '  const w = new Wallet();',
      '  return Promise.all([w.add(1), w.add(2)]);',
      '}',
    ]);
    expect(summary(rt.findings)).toEqual(['lost-update@6:5', 'lost-update@9:5']);
    expect(rt.findings.map((f) => f.message.split(':')[0])).toEqual(['Lost update of Wallet.#coins', 'Lost update of Wallet.total']);
  });

  it('watches locals that nested async functions share, one record per activation', async () => {
    const { rt, value } = await race([
      'const tick = () => new Promise((r) => setTimeout(r, 2));',
      'async function sum(items) {',
      '  let total = 0;',
      '  const state = { done: 0 };',
      '  await Promise.all(items.map(async (x) => {',
      '    const before = total;',
      '    await tick();',
      '    total = before + x;',
      '    state.done = state.done + (await tick().then(() => 1));',
      '  }));',
      '  return [total, state.done];',
      '}',
      'async function solo() {',
      '  let n = 0;',
      '  const inc = async () => { const c = n; await tick(); n = c + 1; };',
      '  await inc();',
      '  await inc();',
      '  const perIteration = [];',
      '  for (const x of [1, 2]) {',
      '    let seen = 0;',
      '    perIteration.push((async () => { const s = seen; await tick(); seen = s + x; return seen; })());',
      '  }',
      '  return [n, ...(await Promise.all(perIteration))];',
      '}',
      'export async function run() {',
      '  return [await sum([1, 2, 3]), await Promise.all([solo(), solo()])];',
      '}',
    ]);
    expect(value).toEqual([[3, 1], [[2, 1, 2], [2, 1, 2]]]);
    expect(summary(rt.findings)).toEqual(['lost-update@8:5', 'lost-update@9:5']);
    expect(rt.findings.map((f) => f.message.split(':')[0])).toEqual(['Lost update of variable total (shared by nested functions)', 'Lost update of state.done']);
  });

  it('reports a write by a timer callback between a read and the write back', async () => {
    const { rt } = await race([
      'const state = { n: 0 };',
      'export async function run() {',
      '  const before = state.n;',
      '  setTimeout(() => { state.n = 10; }, 1);',
      '  await new Promise((r) => setTimeout(r, 5));',
      '  state.n = before + 1;',
      '  return state.n;',
      '}',
    ]);
    expect(summary(rt.findings)).toEqual(['lost-update@6:3']);
    expect(rt.findings[0]!.related?.[1]?.label).toMatch(/Timeout callback/);
  });

  it('reports nothing for sequential awaits, owned state, an awaited helper or a re-check', async () => {
    const { rt } = await race([
      ...ACCOUNT,
      'const cache = new Map();',
      'class Counter {',
      '  n = 0;',
      '  async bump() { await tick(); this.n = this.n + 1; }',
      '  async twice() { const before = this.n; await this.bump(); this.n = before + 2; }',
      '}',
      'async function get(k) {',
      '  if (!cache.has(k)) { const v = await credit(k); if (!cache.has(k)) cache.set(k, v); }',
      '  return cache.get(k);',
      '}',
      'export async function run() {',
      '  const a = new Account();',
      '  await a.applyCredit(1);',
      '  await a.applyCredit(2);',
      '  await Promise.all([new Account().applyCredit(1), new Account().applyCredit(2)]);',
      '  await new Counter().twice();',
      '  await Promise.all([get("x"), get("x")]);',
      '  return a.balance;',
      '}',
    ]);
    expect(rt.findings).toEqual([]);
  });

  it('reports nothing for the same updates under an async-mutex (runExclusive, acquire/release, a semaphore)', async () => {
    const { rt, value } = await race(
      [
        ...ACCOUNT,
        'export async function run({ Mutex, Semaphore }) {',
        '  const a = new Account();',
        '  const lock = new Mutex();',
        '  const sem = new Semaphore(1);',
        '  const exclusive = (n) => lock.runExclusive(() => a.applyCredit(n));',
        '  const acquired = async (n) => { const release = await lock.acquire(); try { await a.applyCredit(n); } finally { release(); } };',
        '  const permit = async (n) => { const [, release] = await sem.acquire(); try { await a.applyCredit(n); } finally { release(); } };',
        '  await Promise.all([exclusive(1), exclusive(2), acquired(3), acquired(4)]);',
        '  await Promise.all([permit(5), permit(6)]);',
        '  return a.balance;',
        '}',
      ],
      { Mutex, Semaphore },
    );
    expect(value).toBe(121);
    expect(rt.findings).toEqual([]);
  });

  it('with a shuffle seed, resumes ready continuations in a seeded, reproducible order', async () => {
    const program = [
      'const log = [];',
      'async function step(name) { await null; log.push(name + 1); await null; log.push(name + 2); }',
      'export async function run() {',
      '  await Promise.all([step("a"), step("b"), step("c")]);',
      '  return log.join(",");',
      '}',
    ];
    const plain = (await race(program)).value;
    expect(plain).toBe('a1,b1,c1,a2,b2,c2');
    const orders = new Map<number, unknown>();
    for (const seed of [1, 2, 3, 4, 5]) orders.set(seed, (await race(program, {}, { shuffleSeed: seed })).value);
    // Some seed perturbs the order…
    expect([...orders.values()].some((o) => o !== plain)).toBe(true);
    // …and every seed reproduces its own order.
    for (const [seed, order] of orders) expect((await race(program, {}, { shuffleSeed: seed })).value).toBe(order);
  });

  it('keeps shuffling on the real setImmediate and queueMicrotask when a test fakes them', async () => {
    const program = [
      'async function step(n) { await null; await null; return n; }',
      'export async function run() { return (await Promise.all([step(1), step(2), step(3)])).join(","); }',
    ];
    const clock = FakeTimers.install({ toFake: ['setImmediate', 'queueMicrotask', 'setTimeout'] });
    try {
      for (const seed of [1, 2, 3]) expect((await race(program, {}, { shuffleSeed: seed })).value).toBe('1,2,3');
    } finally {
      clock.uninstall();
    }
  });
});
