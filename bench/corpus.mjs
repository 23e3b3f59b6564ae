#!/usr/bin/env node
// Installs the benchmark corpus: npm packages that ship their TypeScript sources.
// Never committed (bench/corpus/ is git-ignored). Idempotent.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const corpusDir = path.join(import.meta.dirname, 'corpus');

/** Package -> the folder of TypeScript sources it ships. Pinned so results compare across runs. */
export const packages = {
  rxjs: { version: '7.8.2', src: 'src' },
  effect: { version: '4.1.0', src: 'src' },
  '@tanstack/query-core': { version: '5.108.0', src: 'src' },
  zod: { version: '4.6.7', src: 'src' },
  '@trpc/server': { version: '11.25.2', src: 'src' },
};

function countTs(dir) {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) n += countTs(full);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) n++;
  }
  return n;
}

export function ensureCorpus() {
  mkdirSync(corpusDir, { recursive: true });
  const specs = Object.entries(packages).map(([name, p]) => `${name}@${p.version}`);
  const missing = Object.keys(packages).some((name) => !existsSync(path.join(corpusDir, 'node_modules', name, 'package.json')));
  if (missing) {
    writeFileSync(path.join(corpusDir, 'package.json'), JSON.stringify({ name: 'asyncsan-bench-corpus', private: true }, null, 2));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-save', ...specs], { cwd: corpusDir, stdio: 'inherit' });
  }
  const include = Object.entries(packages).map(([name, p]) => `node_modules/${name}/${p.src}/**/*.ts`);
  // One project over every package's sources, as a monorepo's root tsconfig would be.
  writeFileSync(
    path.join(corpusDir, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2023', 'DOM'],
          module: 'ESNext',
          moduleResolution: 'Bundler',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
          experimentalDecorators: true,
        },
        include,
        exclude: ['**/*.d.ts', '**/*.test.ts', '**/*.spec.ts', '**/__tests__/**', '**/tests/**', '**/test/**'],
      },
      null,
      2,
    ),
  );
  const files = Object.fromEntries(Object.entries(packages).map(([name, p]) => [name, countTs(path.join(corpusDir, 'node_modules', name, p.src))]));
  return { dir: corpusDir, files, total: Object.values(files).reduce((a, b) => a + b, 0) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const c = ensureCorpus();
  console.log(`corpus in ${c.dir}: ${c.total} TypeScript files`, c.files);
}
