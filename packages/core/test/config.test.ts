import { describe, expect, it } from 'vitest';
import type { Finding } from '@asyncsan/core';
import { applyConfig, validateConfig } from '@asyncsan/core';

describe('validateConfig', () => {
  const bad = (raw: unknown) => () => validateConfig(raw, 'asyncsan.config.json');

  it('accepts a full config', () => {
    const c = validateConfig(
      { severity: { 'leaked-timer': 'warn' }, ignores: ['dist/**'], runtimeIgnores: [{ package: 'pg', reason: 'pool lives for the process' }], baseline: 'b.json', failOn: 'warning' },
      'x',
    );
    expect(c.failOn).toBe('warning');
  });

  it('names the file, the key and what was expected', () => {
    expect(bad([])).toThrow('asyncsan.config.json: "(root)" must be an object, got an array');
    expect(bad({ ignore: [] })).toThrow('asyncsan.config.json: unknown key "ignore" (did you mean "ignores"?); expected one of severity, ignores, runtimeIgnores, baseline, failOn');
    expect(bad({ ignores: 'dist' })).toThrow('asyncsan.config.json: "ignores" must be an array of path globs, got "dist"');
    expect(bad({ ignores: [3] })).toThrow('asyncsan.config.json: "ignores[0]" must be a non-empty path glob string, got number 3');
    expect(bad({ runtimeIgnores: [{ reason: 'x' }] })).toThrow('asyncsan.config.json: "runtimeIgnores[0]" must name at least one of site, package or id');
    expect(bad({ runtimeIgnores: [{ site: 'f', where: 'x' }] })).toThrow('unknown key "runtimeIgnores[0].where"');
    expect(bad({ failOn: 'never' })).toThrow('"failOn" must be one of "error", "warning", "info", got "never"');
  });
});

describe('applyConfig', () => {
  const leak = (fn: string, file: string): Finding => ({
    id: 'leaked-handle',
    severity: 'error',
    message: 'socket still open',
    engine: 'tracer',
    location: { file: 'src/db.ts', line: 3, column: 1 },
    stacks: [{ frames: [{ function: fn, file, line: 3, column: 1 }] }],
  });

  it('drops runtime findings by creation site, package and id', () => {
    const findings = [leak('Pool.connect', 'node_modules/pg/lib/pool.js'), leak('openSocket', 'src/db.ts'), leak('createCache', 'src/cache.ts')];
    const bySite = applyConfig(findings, { runtimeIgnores: [{ site: 'connect' }] }, { cwd: '/repo' });
    expect(bySite.findings.map((f) => f.stacks![0]!.frames[0]!.function)).toEqual(['openSocket', 'createCache']);
    const byGlob = applyConfig(findings, { runtimeIgnores: [{ site: 'src/cache.ts', reason: 'process-wide cache' }] }, { cwd: '/repo' });
    expect(byGlob.findings).toHaveLength(2);
    expect(byGlob.ignored[0]!.reason).toBe('process-wide cache');
    expect(applyConfig(findings, { runtimeIgnores: [{ package: 'pg' }] }, { cwd: '/repo' }).findings).toHaveLength(2);
    expect(applyConfig(findings, { runtimeIgnores: [{ id: 'leaked-handle' }] }, { cwd: '/repo' }).findings).toHaveLength(0);
    expect(applyConfig(findings, { runtimeIgnores: [{ id: 'leaked-timer' }] }, { cwd: '/repo' }).findings).toHaveLength(3);
  });

  it('matches a site against await-chain frames, which V8 names "async fn"', () => {
    const stuck = leak('async waitForJob', 'src/jobs.ts');
    const r = applyConfig([stuck, leak('async waitForJobs', 'src/jobs.ts')], { runtimeIgnores: [{ site: 'waitForJob', reason: 'drained' }] }, { cwd: '/repo' });
    expect(r.ignored.map((i) => [i.finding, i.reason])).toEqual([[stuck, 'drained']]);
    expect(r.findings).toHaveLength(1);
  });

  it('overrides severity and turns ids off', () => {
    const f = leak('x', 'src/a.ts');
    expect(applyConfig([f], { severity: { 'leaked-handle': 'warn' } }, { cwd: '/' }).findings[0]!.severity).toBe('warning');
    expect(applyConfig([f], { severity: { 'leaked-handle': 'off' } }, { cwd: '/' }).findings).toHaveLength(0);
  });
});
