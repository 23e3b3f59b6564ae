import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesRoot, repoRoot } from './harness/expectations.js';

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
});
