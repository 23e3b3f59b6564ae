import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesRoot, repoRoot } from '@asyncsan/test-harness/expectations';

const project = path.join(fixturesRoot, 'projects/node-test');
const register = path.join(repoRoot, 'packages/cli/dist/register-test.js');

describe('node --import asyncsan/register-test --test', () => {
  it('fails exactly the hazardous tests, with the hazard at its line', () => {
    const started = Date.now();
    const r = spawnSync(process.execPath, ['--import', register, '--test', '--test-force-exit', '--test-reporter=tap', 'orders.test.mjs'], {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const elapsed = Date.now() - started;
    expect(r.status).toBe(1);
    const verdicts = [...r.stdout.matchAll(/^\s*(ok|not ok) \d+ - (.+)$/gm)].map((m) => `${m[1]}: ${m[2]}`);
    expect(verdicts).toEqual([
      'not ok: polls without stopping',
      'ok: cleans up after itself',
      'not ok: orders',
      'not ok: waits for an event nobody sends',
      'not ok: a plain failure stays a plain failure',
    ]);
    expect(r.stdout).toMatch(/leaked-timer[\s\S]*> 10 \| {5}setInterval/);
    expect(r.stdout).toMatch(/Deadlock: [^\n]*[\s\S]*> 22 \| {3}await new Promise\(\(resolve\) => bus\.once\('never', resolve\)\)/);
    expect(r.stdout).toContain("name: 'AssertionError'");
    // The deadlock is reported when the loop goes idle, not after a timeout.
    expect(elapsed).toBeLessThan(20_000);
  });

  it('reads the project asyncsan config before any test: ids it turns off do not fail tests; a broken one is one line and no test runs', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'asyncsan-node-test-'));
    cpSync(project, dir, { recursive: true });
    const run = () =>
      spawnSync(process.execPath, ['--import', register, '--test', '--test-force-exit', '--test-reporter=tap', 'orders.test.mjs'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '' },
      });
    writeFileSync(path.join(dir, 'asyncsan.config.json'), JSON.stringify({ severity: { 'leaked-timer': 'off' } }));
    const off = run();
    expect([...off.stdout.matchAll(/^\s*(ok|not ok) \d+ - (.+)$/gm)].map((m) => `${m[1]}: ${m[2]}`)).toEqual([
      'ok: polls without stopping',
      'ok: cleans up after itself',
      'ok: orders',
      'not ok: waits for an event nobody sends',
      'not ok: a plain failure stays a plain failure',
    ]);
    expect(off.stdout).not.toContain('leaked-timer');

    writeFileSync(path.join(dir, 'asyncsan.config.json'), JSON.stringify({ severity: { deadlok: 'off' } }));
    const broken = run();
    expect(broken.status).not.toBe(0);
    expect(broken.stdout + broken.stderr).toContain('asyncsan: asyncsan.config.json: "severity.deadlok" is not a hazard id (did you mean "deadlock"?)');
    expect(broken.stdout).not.toMatch(/^ok /m);
  });

  // The same mechanisms as under Vitest: thread-pool work is pending work, rejections are node:test's
  // to report, a task left running into the settle is floating-promise. The front end judges in fail
  // mode only, so it adds verdicts: here the plain run passes every test.
  it('thread-pool work is no deadlock, a leftover task is floating-promise; the same file run plain passes', () => {
    const verdicts = (args: string[]) => {
      const r = spawnSync(process.execPath, [...args, '--test', '--test-force-exit', '--test-reporter=tap', 'verdicts.test.mjs'], {
        cwd: path.join(fixturesRoot, 'projects/node-test-verdicts'),
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '' },
      });
      return { code: r.status, stdout: r.stdout, verdicts: [...r.stdout.matchAll(/^\s*(ok|not ok) \d+ - (.+)$/gm)].map((m) => `${m[1]}: ${m[2]}`) };
    };
    const plain = verdicts([]);
    expect({ code: plain.code, verdicts: plain.verdicts }).toEqual({
      code: 0,
      verdicts: ['ok: derives a key and generates an RSA key pair off the main thread', 'ok: leaves a rejection unhandled', 'ok: notifies every user without waiting'],
    });
    const traced = verdicts(['--import', register]);
    expect({ code: traced.code, verdicts: traced.verdicts }).toEqual({
      code: 1,
      verdicts: [
        'ok: derives a key and generates an RSA key pair off the main thread',
        // Still running while the judgement settles, the test gets node:test's own report of the rejection.
        'not ok: leaves a rejection unhandled',
        'not ok: notifies every user without waiting',
      ],
    });
    expect(traced.stdout).not.toContain('Deadlock');
    expect(traced.stdout).toMatch(/async sendEmail started in this test was still running when the test ended and finished \d+ ms later: nothing awaited it {2}floating-promise\n[\s\S]*?> 27 \| {3}await new Promise/);
  });
});
