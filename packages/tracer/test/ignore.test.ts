import { describe, expect, it } from 'vitest';
import type { Finding } from '@asyncsan/core';
import { globToRegExp, matchesIgnore } from '@asyncsan/tracer';

const finding: Finding = {
  id: 'leaked-handle',
  severity: 'error',
  message: 'A TCP socket created in this scope is still open when it ends',
  engine: 'tracer',
  location: { file: 'src/db/pool.ts', line: 12, column: 5 },
  stacks: [
    {
      label: 'created at',
      frames: [
        { function: 'Pool.connect', file: 'src/db/pool.ts', line: 12, column: 5 },
        { function: 'Client.query', file: 'node_modules/@acme/pg/lib/client.js', line: 40, column: 3, external: true },
        { function: 'async loadUser', file: 'src/users.ts', line: 3, column: 9 },
      ],
    },
  ],
};

describe('runtime ignores', () => {
  it('match by id alone', () => {
    expect(matchesIgnore({ id: 'leaked-handle' }, finding)).toBe(true);
    expect(matchesIgnore({ id: 'leaked-timer' }, finding)).toBe(false);
  });

  it('match by function name, exact or as a method, async or not', () => {
    expect(matchesIgnore({ site: 'Pool.connect' }, finding)).toBe(true);
    expect(matchesIgnore({ site: 'connect' }, finding)).toBe(true);
    expect(matchesIgnore({ site: 'loadUser' }, finding)).toBe(true);
    expect(matchesIgnore({ site: 'Pool.query' }, finding)).toBe(false);
  });

  it('match by file glob of any frame', () => {
    expect(matchesIgnore({ site: 'src/db/**' }, finding)).toBe(true);
    expect(matchesIgnore({ site: '**/users.ts' }, finding)).toBe(true);
    expect(matchesIgnore({ site: 'test/**' }, finding)).toBe(false);
  });

  it('match by package, scoped packages included', () => {
    expect(matchesIgnore({ package: '@acme/pg', reason: 'the pool lives for the process' }, finding)).toBe(true);
    expect(matchesIgnore({ package: 'pg' }, finding)).toBe(false);
  });

  it('need every given field to match, and at least one field', () => {
    expect(matchesIgnore({ id: 'leaked-handle', package: '@acme/pg' }, finding)).toBe(true);
    expect(matchesIgnore({ id: 'leaked-timer', package: '@acme/pg' }, finding)).toBe(false);
    expect(matchesIgnore({ reason: 'nothing named' }, finding)).toBe(false);
  });

  it('globs: ** spans directories, * stays within one', () => {
    expect(globToRegExp('src/**/*.ts').test('src/a/b/c.ts')).toBe(true);
    expect(globToRegExp('src/**/*.ts').test('src/c.ts')).toBe(true);
    expect(globToRegExp('src/*.ts').test('src/a/c.ts')).toBe(false);
  });
});
