/**
 * Vitest's own --detectAsyncLeaks beside the plugin, on the same fixture project:
 * what each reports (the README's comparison table) and that both can be on at once.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations } from '@asyncsan/test-harness/expectations';
import { expectedVerdicts, tracerIds } from '@asyncsan/test-harness/projects';
import { runVitest } from '@asyncsan/test-harness/vitest';

const options = path.join(fixturesRoot, 'projects/vitest-options');

/** "Timeout leaking in <file>" blocks of Vitest's report, as `type@file:line:column` of their last frame. */
function asyncLeaks(output: string): string[] {
  const section = output.slice(output.indexOf('Async Leaks'));
  const leaks: string[] = [];
  let type: string | undefined;
  for (const line of section.split('\n')) {
    const head = /^(\S+) leaking in /.exec(line);
    if (head) type = head[1];
    const frame = /^ ❯ (?:\S+ )?(\S+:\d+:\d+)$/.exec(line);
    if (frame && type) {
      leaks.push(`${type}@${frame[1]}`);
      type = undefined;
    }
  }
  return leaks.sort();
}


describe('@asyncsan/vitest beside --detectAsyncLeaks', () => {
  it('--detectAsyncLeaks alone: per file, reporting only, no opt-outs, the bleeding timer unseen', async () => {
    const r = await runVitest(options, ['--detectAsyncLeaks'], { ASYNCSAN_MODE: 'off' });
    expect(r.code).toBe(0);
    expect(Object.values(r.verdicts).every((v) => v === 'pass')).toBe(true);
    expect(r.findings).toEqual([]);
    expect(asyncLeaks(r.stdout + r.stderr)).toEqual([
      'Timeout@excluded/legacy.test.mjs:4:3',
      'Timeout@fake-timers.test.mjs:20:10',
      'Timeout@opt-out.test.mjs:11:3',
      'Timeout@opt-out.test.mjs:6:3',
    ]);
  });

  it('both on at once: the plugin judges as alone, and Vitest still lists its leaks', async () => {
    const r = await runVitest(options, ['--detectAsyncLeaks']);
    expect(r.code).toBe(1);
    expect(r.verdicts).toEqual(expectedVerdicts['vitest-options']);
    const diff = diffFindings(readExpectations(listSourceFiles(options)), r.findings, { ids: tracerIds, cwd: options });
    expect(formatDiff(diff)).toBe('');
    expect(asyncLeaks(r.stdout + r.stderr)).toEqual([
      'Timeout@excluded/legacy.test.mjs:4:3',
      'Timeout@fake-timers.test.mjs:20:10',
      'Timeout@opt-out.test.mjs:11:3',
      'Timeout@opt-out.test.mjs:6:3',
    ]);
  });
});
