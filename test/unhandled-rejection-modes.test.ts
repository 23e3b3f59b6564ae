/**
 * The tracer observes unhandled rejections without listening for them: under every
 * `--unhandled-rejections` mode a traced program exits with the code and prints the stderr of the
 * same program run plain (Node's crash report still quotes the line that threw), and the rejection
 * is reported. A listener would have changed both: Node treats a listened-for rejection as handled.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '@asyncsan/core';
import { createTracer, registerUrl } from '@asyncsan/tracer';
import { repoRoot } from '@asyncsan/test-harness/expectations';

const program = 'fixtures/runtime/unhandled-rejection/bad-detached-task.mjs';

function run(flags: string[], traced: boolean) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'asyncsan-modes-'));
  try {
    const r = spawnSync(process.execPath, [...flags, ...(traced ? ['--import', registerUrl] : []), program], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, ASYNCSAN_OUTPUT_DIR: dir, NODE_OPTIONS: '' },
    });
    const findings = readdirSync(dir).flatMap((n) => (JSON.parse(readFileSync(path.join(dir, n), 'utf8')) as { findings: Finding[] }).findings);
    // The pid in Node's warnings differs from run to run.
    return { code: r.status, stderr: r.stderr.replace(/\(node:\d+\)/g, '(node:PID)'), findings };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('unhandled rejections under every --unhandled-rejections mode', () => {
  for (const mode of ['(default)', 'throw', 'strict', 'warn', 'warn-with-error-code', 'none']) {
    it(`${mode}: same exit code and stderr as plain, and the rejection is reported`, () => {
      const flags = mode === '(default)' ? [] : [`--unhandled-rejections=${mode}`];
      const plain = run(flags, false);
      const traced = run(flags, true);
      expect({ code: traced.code, stderr: traced.stderr }).toEqual({ code: plain.code, stderr: plain.stderr });
      expect(plain.code).toBe(['warn', 'none'].includes(mode) ? 0 : 1);
      expect(traced.findings.map((f) => `${f.id} ${f.location?.file}:${f.location?.line}`)).toEqual([`unhandled-rejection ${program}:4`]);
    });
  }

  it('the tracer adds no unhandledRejection listener and gives process.emit back when stopped', () => {
    const listeners = process.listenerCount('unhandledRejection');
    const emit = process.emit;
    const tracer = createTracer();
    expect(process.listenerCount('unhandledRejection')).toBe(listeners);
    expect(process.emit).not.toBe(emit);
    tracer.stop();
    expect(process.emit).toBe(emit);
  });
});
