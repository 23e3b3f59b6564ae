/**
 * Work a web stream drives, left running when a scope ends with a body half read or cancelled
 * (web-streams.ts; bench/REAL-SUITES.md class R12): the fixtures' findings with their severities,
 * exactly, and the limits of what is excused (a pull() that does not wait on a web stream's read, a
 * producer writing into a body that is still open).
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { Finding } from '@asyncsan/core';
import { createTracer } from '@asyncsan/tracer';
import { fixturesRoot, repoRoot, toRepoPath } from '@asyncsan/test-harness/expectations';

const tracer = createTracer({ cwd: repoRoot, proveWithGc: true });
afterAll(() => tracer.stop());

interface FixtureModule {
  main(): Promise<void>;
  cleanup?(): Promise<void>;
}

const summary = (findings: readonly Finding[]) => findings.map((f) => [f.id, f.severity, `${f.location?.file}:${f.location?.line}`]);

async function traced(file: string): Promise<Finding[]> {
  const mod = (await import(`${fixturesRoot}/runtime/${file}`)) as FixtureModule;
  const result = await tracer.trace(file, () => mod.main());
  await mod.cleanup?.();
  expect(result.error).toBeUndefined();
  return result.findings;
}

describe('a web stream body left half read or cancelled', () => {
  it("a producer that writes into the body the test cancelled and ends inside the settle: floating-promise at info", async () => {
    const findings = await traced('floating-promise/bad-producer-into-cancelled-body.ts');
    expect(summary(findings)).toEqual([['floating-promise', 'info', 'fixtures/runtime/floating-promise/bad-producer-into-cancelled-body.ts:47']]);
    expect(findings[0]!.message).toMatch(/^An async function started in this scope was still running when the scope ended, writing into a web stream whose reader had cancelled it \(a body the scope cancelled\), and finished \d+ ms later: its writes went nowhere; it is the body's producer, not work the scope waits for$/);
  });

  it('the same producer still running after the settle: unsettled-task at info, at its await', async () => {
    const findings = await traced('unsettled-task/bad-producer-outlives-cancelled-body.ts');
    expect(summary(findings)).toEqual([['unsettled-task', 'info', 'fixtures/runtime/unsettled-task/bad-producer-outlives-cancelled-body.ts:62']]);
    expect(findings[0]!.message).toBe(
      "an async function started in this scope is still running when it ends, writing into a web stream whose reader cancelled it (a body the scope cancelled): its writes go nowhere; it is the body's producer, not work the scope waits for, and runs until its own loop ends; awaited by <anonymous>",
    );
  });

  it("a producer that writes into the body after the test read it partly, nobody having cancelled it: floating-promise at error; the body's pull() is not reported", async () => {
    const findings = await traced('floating-promise/bad-body-read-partly.ts');
    expect(summary(findings)).toEqual([['floating-promise', 'error', 'fixtures/runtime/floating-promise/bad-body-read-partly.ts:47']]);
  });

  it('a producer blocked for ever on a body nobody reads or cancels: unsettled-task at error', async () => {
    const findings = await traced('unsettled-task/bad-body-never-read.ts');
    expect(summary(findings)).toEqual([['unsettled-task', 'error', 'fixtures/runtime/unsettled-task/bad-body-never-read.ts:24']]);
  });

  it("the body's pull() waiting for ever on a stream its producer never closed: unsettled-task at info, pointing at the unclosed stream", async () => {
    const findings = await traced('unsettled-task/bad-body-never-closed.ts');
    expect(summary(findings)).toEqual([['unsettled-task', 'info', 'fixtures/runtime/unsettled-task/bad-body-never-closed.ts:14']]);
    expect(findings[0]!.message).toContain("async Object.pull, a web stream's pull(), is still waiting at this await when it ends, for a read from another web stream");
    expect(findings[0]!.hint).toContain('closes the stream it writes into');
  });

  it("the body's pull() that the stream called again after the test's last read, settled by a shared feed on the next loop turn: nothing", async () => {
    expect(summary(await traced('floating-promise/good-body-pull-refill.ts'))).toEqual([]);
  });

  it('a floating task named pull that waits on something other than a web stream read is still floating-promise at error', async () => {
    const remote = {
      async pull(): Promise<void> {
        await sleep(5);
      },
    };
    const result = await tracer.trace('a git-like pull', () => {
      void remote.pull();
    });
    expect(summary(result.findings)).toEqual([['floating-promise', 'error', `${toRepoPath(import.meta.filename)}:${pullLine}`]]);
  });
});

// The line of `await sleep(5)` in the test above.
const pullLine = readFileSync(import.meta.filename, 'utf8').split('\n').findIndex((l) => l.trim() === 'await sleep(5);') + 1;
