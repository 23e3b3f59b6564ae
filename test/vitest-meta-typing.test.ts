/**
 * `task.meta.asyncsan` type-checks on Vitest 4.1 (TaskMeta lives in @vitest/runner) and on
 * Vitest 5 (TaskMeta lives in vitest itself): a tiny TypeScript project imports the plugin's
 * emitted types (packages/vitest/dist) next to each Vitest and is compiled with the repo's tsc,
 * library checks on.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@asyncsan/test-harness/expectations';
import { ensureVitest5, vitest5Root } from '@asyncsan/test-harness/vitest';

const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
const dirs: string[] = [];

const USE = `import type {} from '@asyncsan/vitest';
import { it } from 'vitest';

it('sets its own mode', ({ task }) => {
  task.meta.asyncsan = 'off';
  const findings: number | undefined = task.meta.asyncsanFindings?.length;
  const bleed: number | undefined = task.meta.asyncsanBleed?.length;
  // @ts-expect-error not a mode
  task.meta.asyncsan = 'never';
  return void [findings, bleed];
});
`;

/**
 * Writes the project into `dir` and compiles it twice: as Vitest's templates configure
 * TypeScript (skipLibCheck), and with every declaration file checked, where only diagnostics
 * in the project or in the plugin's types count (Vitest 4's own Benchmark type clashes with
 * any all-optional TaskMeta augmentation, Vitest's documented one included).
 */
function typecheck(dir: string): { code: number | null; output: string; ours: string[]; vitests: string[] } {
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(path.join(dir, 'use.ts'), USE);
  const compile = (skipLibCheck: boolean) => {
    const config = { compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['esnext'], strict: true, noEmit: true, skipLibCheck, types: ['node'] }, files: ['use.ts'] };
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(config));
    const r = spawnSync(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.json')], { encoding: 'utf8' });
    return { code: r.status, output: r.stdout + r.stderr };
  };
  const full = compile(false);
  const errors = full.output.split('\n').filter((l) => /error TS/.test(l));
  const ours = errors.filter((l) => l.startsWith('use.ts') || l.includes('@asyncsan/'));
  // What the packages/vitest README says about skipLibCheck: false, held to what tsc does.
  const vitests = errors.filter((l) => !ours.includes(l)).map((l) => {
    const m = /\/(chunks\/[a-z]+)\.d\.[\w-]+\.d\.ts\(\d+,\d+\): (error TS\d+)/.exec(l);
    return m ? `${m[1]}: ${m[2]}` : l;
  });
  return { ...compile(true), ours, vitests };
}

describe('TaskMeta augmentation', () => {
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('types task.meta.asyncsan on Vitest 4.1', () => {
    // Inside the repo: `vitest` and `@asyncsan/vitest` resolve to the repo's own node_modules.
    const dir = path.join(repoRoot, 'test/.output', `meta-typing-v4-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    dirs.push(dir);
    // With every declaration file checked, Vitest 4.1's own Benchmark type clashes with the augmentation.
    expect(typecheck(dir)).toEqual({ code: 0, output: '', ours: [], vitests: ['chunks/benchmark: error TS2430'] });
  });

  describe('on Vitest 5', () => {
    const dir = path.join(vitest5Root, 'projects', `meta-typing-${process.pid}`);
    beforeAll(() => {
      ensureVitest5();
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(path.join(dir, 'node_modules/@asyncsan'), { recursive: true });
      dirs.push(dir);
      // Vitest 5 and its Vite beside the project; the plugin's and core's types copied (a link
      // would resolve their imports from the repo, i.e. from Vitest 4).
      for (const name of ['vitest', 'vite']) symlinkSync(path.join(vitest5Root, 'node_modules', name), path.join(dir, 'node_modules', name));
      mkdirSync(path.join(dir, 'node_modules/@types'));
      symlinkSync(path.join(repoRoot, 'node_modules/@types/node'), path.join(dir, 'node_modules/@types/node'));
      for (const name of ['vitest', 'core']) {
        cpSync(path.join(repoRoot, 'packages', name, 'dist'), path.join(dir, 'node_modules/@asyncsan', name, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.map') });
        cpSync(path.join(repoRoot, 'packages', name, 'package.json'), path.join(dir, 'node_modules/@asyncsan', name, 'package.json'));
      }
    }, 300_000);

    it('types task.meta.asyncsan', () => {
      // Vitest 5 checks cleanly with skipLibCheck: false too.
      expect(typecheck(dir)).toEqual({ code: 0, output: '', ours: [], vitests: [] });
    });
  });
});
