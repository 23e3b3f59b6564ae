import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../src/index.js';
import { partition } from '../src/partition.js';
import type { LoadSpec, WorkItem } from '../src/shard.js';
import { loadProjectGraph } from '../src/tsconfig.js';
import { tempProject, tsconfigJson } from './temp-project.js';

/** The partition of a temp project's files, as relative names per shard, and its shared files. */
function shardsOf(files: Record<string, string>, n: number): { shards: string[][]; shared: string[] } {
  const p = tempProject({ 'tsconfig.json': tsconfigJson(), ...files });
  try {
    const specs: LoadSpec[] = loadProjectGraph([path.join(p.dir, 'tsconfig.json')]).map((s) => ({ ...s, extraFiles: [] }));
    const items: WorkItem[] = specs[0]!.rootFiles
      .filter((f) => !f.endsWith('.d.ts'))
      .sort()
      .map((file) => ({ file, project: 0, analyze: true }));
    const rel = (f: string) => path.relative(p.dir, f);
    const result = partition(specs, items, n);
    return { shards: result.shards.map((s) => s.map((i) => rel(i.file))), shared: result.shared[0]!.map(rel).sort() };
  } finally {
    p.cleanup();
  }
}

const pad = (name: string, size: number) => `export const ${name} = 1;\n// ${'x'.repeat(size)}\n`;

describe('partition', () => {
  it('keeps each connected part of the import graph on one worker', () => {
    const { shards, shared } = shardsOf(
      {
        'a1.ts': "import { a2 } from './a2.js';\nexport const a1 = a2;\n",
        'a2.ts': pad('a2', 100),
        'b1.ts': "export { b2 } from './b2.js';\n",
        'b2.ts': pad('b2', 100),
      },
      2,
    );
    expect(shards.map((s) => s.join(' ')).sort()).toEqual(['a1.ts a2.ts', 'b1.ts b2.ts']);
    expect(shared).toEqual([]);
  });

  it('follows import(), require, import = require and module augmentations', () => {
    const { shards } = shardsOf(
      {
        'a.ts': "export async function f() { return import('./b.js'); }\n",
        'b.ts': pad('b', 50),
        'c.ts': "import d = require('./d.js');\nexport const c = d;\n",
        'd.ts': pad('d', 50),
        'e.ts': "export {};\ndeclare module './f.js' { interface F { extra: number } }\n",
        'f.ts': 'export interface F { x: number }\n',
      },
      3,
    );
    expect(shards.map((s) => s.join(' ')).sort()).toEqual(['a.ts b.ts', 'c.ts d.ts', 'e.ts f.ts']);
  });

  it('gives every shard the files that change globals: scripts, declare global, declaration files', () => {
    const { shared } = shardsOf(
      {
        'script.ts': "declare function later(): Promise<void>;\nconst lazy = import('./mod.js');\n",
        'augment.ts': 'export {};\ndeclare global { interface Array<T> { extra?: T } }\n',
        'mod.ts': "// export default nothing: a comment\nexport const s = 'declare global';\n",
        'types.d.ts': 'declare const VERSION: string;\n',
        'tpl.ts': 'export const t = `${1}}${"declare global"}`;\nconst re = /`/;\n',
      },
      2,
    );
    expect(shared).toEqual(['augment.ts', 'script.ts', 'types.d.ts']);
  });

  it('cuts a part much larger than a fair share into runs of neighbouring files, deterministically', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 6; i++) files[`big/m${i}.ts`] = `import './m${(i + 1) % 6}.js';\n${pad(`m${i}`, 1000)}`;
    files['small.ts'] = pad('small', 10);
    // With 2 threads the big part stays whole (it is under twice a fair share).
    expect(shardsOf(files, 2).shards).toEqual([['big/m0.ts', 'big/m1.ts', 'big/m2.ts', 'big/m3.ts', 'big/m4.ts', 'big/m5.ts'], ['small.ts']]);
    const first = shardsOf(files, 3);
    expect(first.shards).toEqual([
      // Runs of about a third each; the small file goes to the first of the least loaded.
      ['big/m0.ts', 'big/m1.ts', 'small.ts'],
      ['big/m2.ts', 'big/m3.ts'],
      ['big/m4.ts', 'big/m5.ts'],
    ]);
    expect(shardsOf(files, 3)).toEqual(first);
  });
});

describe('partitioned threads', () => {
  it('see the globals a script of another part declares: the same findings as one thread', async () => {
    const p = tempProject({
      'tsconfig.json': tsconfigJson(),
      'globals.ts': 'declare function later(): Promise<void>;\n',
      'a.ts': "import { b } from './b.js';\nexport function a() {\n  later();\n  return b;\n}\n",
      'b.ts': 'export const b = 1;\n',
      'c.ts': "import { d } from './d.js';\nexport function c() {\n  later();\n  return d;\n}\n",
      'd.ts': 'export const d = 2;\n',
    });
    try {
      const one = await analyze({ cwd: p.dir, threads: 1 });
      const two = await analyze({ cwd: p.dir, threads: 2 });
      expect(one.findings.map((f) => `${f.id} ${f.location?.file}:${f.location?.line}`)).toEqual([
        'floating-promise a.ts:3',
        'floating-promise c.ts:3',
      ]);
      expect(two).toEqual(one);
    } finally {
      p.cleanup();
    }
  });
});
