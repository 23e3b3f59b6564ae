import { describe, expect, it } from 'vitest';
import { raceTimeoutLeak } from '../src/race-timeout-leak.js';
import { fixtureDiff, runInMemory, runOnFixture } from './in-memory.js';

const work = `async function work(): Promise<number> { return 1; }\n`;

describe("race-timeout-leak: unref'd timers that only settle the race's promise", () => {
  const at = (code: string) => runInMemory(raceTimeoutLeak, `${work}${code}`).map((r) => `${r.messageId}@${r.line}:${r.column}`);

  it('accepts setTimeout(resolve).unref(), a handle unref\'d in the executor, a helper returning one, and { ref: false }', () => {
    expect(
      at(`import { setTimeout as sleep } from 'node:timers/promises';
export async function a() { return Promise.race([work(), new Promise((resolve) => setTimeout(resolve, 10).unref())]); }
export async function b() { return Promise.race([work(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error(\`late \${10}\`)), 10).unref())]); }
export async function c() {
  return Promise.race([work(), new Promise<never>((_, reject) => { const t = setTimeout(() => { reject(new Error('late')); }, 10); t.unref(); })]);
}
const deadline = (ms: number) => new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), ms).unref());
export async function d() { return Promise.race([work(), deadline(10)]); }
export async function e() { return Promise.race([work(), sleep(10, 0, { ref: false })]); }`),
    ).toEqual([]);
  });

  it('still reports an unref\'d timer whose callback does more than settle, and a settling timer that is not unref\'d', () => {
    expect(
      at(`declare const controller: AbortController;
declare function describe(): string;
export async function a() { return Promise.race([work(), new Promise<never>((_, reject) => setTimeout(() => { controller.abort(); reject(new Error('x')); }, 10).unref())]); }
export async function b() { return Promise.race([work(), new Promise((resolve) => setTimeout(() => resolve(describe()), 10).unref())]); }
export async function c() { return Promise.race([work(), new Promise((resolve) => setTimeout(resolve, 10))]); }
export async function d() { return Promise.race([work(), new Promise((resolve) => { const t = setTimeout(resolve, 10); void t; })]); }`),
    ).toEqual(['timerNotCleared@4:58', 'timerNotCleared@5:58', 'timerNotCleared@6:58', 'timerNotCleared@7:58']);
  });

  it('matches the expect markers in fixtures/race-timeout-leak exactly', () => {
    const { files, diff } = fixtureDiff(raceTimeoutLeak);
    expect(files).toBeGreaterThan(2);
    expect(diff).toBe('');
  });
});

describe('race-timeout-leak in test files', () => {
  it('leaves a test file to the runtime side; the same text as program code is reported', () => {
    const file = 'race-timeout-leak/good-in-test.test.ts';
    expect(runOnFixture(raceTimeoutLeak, file)).toEqual([]);
    expect(runOnFixture(raceTimeoutLeak, file, {}, { asProgramCode: true }).map((r) => `${r.messageId}@${r.line}`)).toEqual(['timerNotCleared@11']);
  });
});
