import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageResolver } from '../src/reporters/html.js';

describe('html report: the "by package" summary', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'asyncsan-pkg-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'monorepo' }));
  mkdirSync(path.join(root, 'packages/api/src/deep'), { recursive: true });
  writeFileSync(path.join(root, 'packages/api/package.json'), JSON.stringify({ name: '@acme/api' }));
  mkdirSync(path.join(root, 'packages/unnamed/src'), { recursive: true });
  writeFileSync(path.join(root, 'packages/unnamed/package.json'), '{}');
  mkdirSync(path.join(root, 'scripts'), { recursive: true });

  it('names the nearest package.json above the file, relative to cwd', () => {
    const of = packageResolver(root);
    expect(of('packages/api/src/deep/a.ts')).toBe('@acme/api');
    expect(of('packages/api/src/b.ts')).toBe('@acme/api');
    expect(of('packages/unnamed/src/c.ts')).toBe('unnamed');
    expect(of('scripts/d.ts')).toBe('monorepo');
    // Paths relative to a package's own folder (a runtime run from there) land in the same package.
    expect(packageResolver(path.join(root, 'packages/api'))('src/deep/a.ts')).toBe('@acme/api');
  });
});
