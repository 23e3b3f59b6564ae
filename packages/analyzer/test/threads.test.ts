import { describe, expect, it } from 'vitest';
import { fixturesRoot, repoRoot } from '@asyncsan/test-harness/expectations';
import { analyze } from '../src/index.js';
import { hazardCallCheck, tempProject, tsconfigJson } from './temp-project.js';

describe('threads', () => {
  it('gives the same result with 2 threads as with 1 on the fixtures', async () => {
    const one = await analyze({ cwd: repoRoot, paths: [fixturesRoot], threads: 1 });
    const progress: number[] = [];
    const two = await analyze({ cwd: repoRoot, paths: [fixturesRoot], threads: 2, onProgress: (done) => progress.push(done) });
    expect(two).toEqual(one);
    expect(one.findings.filter((f) => f.id === 'lock-order-inversion')).toHaveLength(4);
    expect(progress).toEqual(Array.from({ length: one.filesAnalyzed }, (_, i) => i + 1));
  });

  it('gives the same result with 3 threads as with 1 on a project whose findings need every file', async () => {
    const files: Record<string, string> = { 'tsconfig.json': tsconfigJson() };
    files['locks.ts'] = [
      'export class Lock {',
      '  async runExclusive<T>(cb: () => Promise<T> | T): Promise<T> { return cb(); }',
      '}',
      'export const a = new Lock();',
      'export const b = new Lock();',
      '',
    ].join('\n');
    // A chain of helpers, one per file, so the call graph spans every shard.
    for (let i = 0; i < 8; i++) {
      const next = i < 7 ? `import { step${i + 1} } from './step${i + 1}.js';\n` : "import { b } from './locks.js';\n";
      const body = i < 7 ? `  await step${i + 1}();` : '  await b.runExclusive(() => 1);';
      files[`step${i}.ts`] = `${next}export async function step${i}(): Promise<void> {\n${body}\n}\n`;
    }
    files['entry.ts'] = [
      "import { a, b } from './locks.js';",
      "import { step0 } from './step0.js';",
      'export async function one() {',
      '  await a.runExclusive(() => step0());',
      '}',
      'export async function two() {',
      '  await b.runExclusive(() => a.runExclusive(() => 2));',
      '}',
      '',
    ].join('\n');
    const p = tempProject(files);
    try {
      const one = await analyze({ cwd: p.dir, checks: [] });
      const three = await analyze({ cwd: p.dir, checks: [], threads: 3 });
      expect(one.findings.map((f) => `${f.id} ${f.location?.file}:${f.location?.line}`)).toEqual(['lock-order-inversion entry.ts:4']);
      expect(three).toEqual(one);
    } finally {
      p.cleanup();
    }
  });

  it('runs checks that workers cannot look up in this thread, with the same result', async () => {
    const p = tempProject({
      'tsconfig.json': tsconfigJson(),
      'a.ts': 'export function hazard(): number {\n  return 1;\n}\nhazard();\n',
      'b.ts': "import { hazard } from './a.js';\nhazard();\n",
    });
    try {
      const res = await analyze({ cwd: p.dir, checks: [hazardCallCheck], programChecks: [], threads: 2 });
      expect(res.findings.map((f) => `${f.location?.file}:${f.location?.line}`)).toEqual(['a.ts:4', 'b.ts:2']);
    } finally {
      p.cleanup();
    }
  });
});
