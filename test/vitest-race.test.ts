import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations } from '@asyncsan/test-harness/expectations';
import { RACE_IDS } from '@asyncsan/test-harness/ids';
import { runVitest } from '@asyncsan/test-harness/vitest';

const project = path.join(fixturesRoot, 'projects/vitest-race');

describe('@asyncsan/vitest race mode: asyncsan({ race: true })', () => {
  it('fails the tests whose tasks interleaved on shared state, at the TypeScript lines; leaves the mutex and sequential twins alone', async () => {
    const r = await runVitest(project);
    expect(r.verdicts).toEqual({
      'two top-ups at once': 'fail',
      'two top-ups at once, under a mutex': 'pass',
      'two top-ups one after the other': 'pass',
      'two price lookups at once': 'fail',
    });
    expect(r.code).toBe(1);
    const diff = diffFindings(readExpectations(listSourceFiles(project)), r.findings, { ids: RACE_IDS, engine: 'tracer', cwd: project });
    expect(formatDiff(diff)).toBe('');
    expect(Object.fromEntries(r.findings.map((f) => [f.id, f.test?.fullName]))).toEqual({
      'lost-update': 'two top-ups at once',
      'check-then-act': 'two price lookups at once',
    });
  });
});
