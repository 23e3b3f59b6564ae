/**
 * The cheap pre-filters of floating-promise's statement check (a statement is
 * skipped without typing it when its callee's declared return types, or the
 * iterator a `yield*` delegates to, can never be a promise). Each case pairs a
 * statement the filters may skip with one they must not, so the reports are
 * the ones typing every statement would give.
 */
import { describe, expect, it } from 'vitest';
import { floatingPromise } from '../src/floating-promise.js';
import { runInMemory } from './in-memory.js';

const at = (code: string, options?: { checkThenables: boolean }) => runInMemory(floatingPromise, code, options).map((r) => `${r.messageId}@${r.line}`);

describe('floating-promise pre-filters', () => {
  it('skips calls whose declared return type has no then, whatever the type arguments', () => {
    const code = [
      'interface Box<T> { value: T }', // 1
      'declare function box<T>(value: T): Box<T>;',
      'declare function same<T>(value: T): T;',
      'declare function many<T>(value: T): T[];',
      'declare function pair<T>(value: T): [number, T];', // 5
      'declare const p: Promise<number>;',
      'box(p);',
      'same(p);',
      'many(p);',
      'pair(p);', // 10
      'box(p).value;',
      '',
    ].join('\n');
    expect(at(code)).toEqual(['floating@8', 'floatingArray@9', 'floatingArray@10', 'floating@11']);
  });

  it('still reports a generic class whose instances are thenables', () => {
    const code = [
      'declare class Query<T> {',
      '  then<R>(ok: (v: T) => R, fail: (e: unknown) => R): Query<R>;',
      '}',
      'declare function query<T>(sql: string): Query<T>;',
      'declare function tag(parts: TemplateStringsArray): Query<number>;', // 5
      'declare function plain(parts: TemplateStringsArray): string;',
      "query<number>('select 1');",
      'tag`select 1`;',
      'plain`select 1`;',
      '',
    ].join('\n');
    // Thenables count only with checkThenables (typescript-eslint's default is off).
    expect(at(code, { checkThenables: true })).toEqual(['floating@7', 'floating@8']);
    expect(at(code)).toEqual([]);
  });

  it('skips delete, updates, comparisons and super(), never a promise', () => {
    const code = [
      'declare const p: Promise<number>;',
      'const o: { p?: Promise<number> } = { p };',
      'let n = 0;',
      'delete o.p;',
      'n++;', // 5
      '--n;',
      'p === o.p;',
      'class A { constructor(readonly q: Promise<number>) {} }',
      'class B extends A { constructor() { super(p); } }',
      '(n, p);', // 10
      '',
    ].join('\n');
    expect(at(code)).toEqual(['floating@10']);
  });

  it('judges yield* by what the delegated iterator returns', () => {
    const code = [
      'declare function returnsPromise(): Generator<number, Promise<void>>;',
      'declare function returnsVoid(): Generator<number, void>;',
      'declare function returnsOpen<T>(value: T): Generator<number, T>;',
      'declare function returnsPromises(): Generator<number, Promise<void>[]>;',
      'declare const p: Promise<number>;', // 5
      'function* g() {',
      '  yield* returnsPromise();',
      '  yield* returnsVoid();',
      '  yield* returnsOpen(p);',
      '  yield* returnsOpen(1);', // 10
      '  yield* returnsPromises();',
      '}',
      '',
    ].join('\n');
    expect(at(code)).toEqual(['floating@7', 'floating@9', 'floatingArray@11']);
  });

  it('judges yield* of a dual API (data-first or data-last overloads) and of a variable', () => {
    const code = [
      'interface Task<A> { [Symbol.iterator](): Iterator<Task<A>, A> }',
      'declare const set: { (value: number): (self: object) => Task<void>; (self: object, value: number): Task<void> };',
      'declare const get: { (key: string): (self: object) => Task<Promise<number>>; (self: object, key: string): Task<Promise<number>> };',
      'declare const done: Task<void>;',
      'declare const pending: Task<Promise<void>>;', // 5
      'function* g(self: object) {',
      '  yield* set(self, 1);',
      "  yield* get(self, 'k');",
      '  yield* done;',
      '  yield* pending;', // 10
      '}',
      '',
    ].join('\n');
    expect(at(code)).toEqual(['floating@8', 'floating@10']);
  });

  it('types yield* in an async generator as before', () => {
    const code = [
      'declare function returnsPromises(): AsyncGenerator<number, Promise<void>[]>;',
      'declare function returnsVoid(): AsyncGenerator<number, void>;',
      'async function* g() {',
      '  yield* returnsPromises();',
      '  yield* returnsVoid();',
      '}',
      '',
    ].join('\n');
    expect(at(code)).toEqual(['floatingArray@4']);
  });
});
