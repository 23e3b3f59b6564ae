import { describe, expect, it } from 'vitest';
import { floatingPromise, misusedAsyncCallback } from '../src/index.js';
import { runInMemory, runOnFixture } from './in-memory.js';

const causes = (results: { line: number; related: { label: string; line: number }[] }[]) =>
  results.map((r) => `${r.line}: ${r.related.map((x) => `${x.label}@${x.line}`).join(' | ')}`);

describe('why a reported promise may reject (the related location)', () => {
  it('names the throw that escapes, not one a catch handles', () => {
    // refreshLoudly() rejects only if report() throws: reported with the strict options (checkSyncThrows).
    const results = runOnFixture(floatingPromise, 'floating-promise/bad-can-reject.ts', { checkSyncThrows: true }).filter((r) => r.line === 62 || r.line === 63);
    expect(causes(results)).toEqual([
      // refreshLoudly(): fetchReport's throw (line 6) is caught; report(error) in the catch throws at line 11.
      '62: throws here@11',
      // parseLater(): JSON.parse may throw, and its code is not in view.
      '63: may throw here (asyncsan cannot see what this call does)@26',
    ]);
  });

  it('follows a promise destructured from an object a function returns to the rethrow in its catch', () => {
    // hocuspocus' provider: `const { retryPromise, cancelFunc } = abortableRetry(); return retryPromise`.
    const results = runOnFixture(floatingPromise, 'floating-promise/bad-destructured.ts');
    expect(causes(results)).toEqual(['26: throws here@12', '31: throws here@12']);
  });

  it('names a call whose code is not in view, and a stored promise gets it after its exit', () => {
    const results = runInMemory(
      floatingPromise,
      [
        'declare function send(body: string): Promise<void>;',
        'async function flush(queue: string[]): Promise<void> {',
        '  for (const body of queue) await send(body);',
        '}',
        'export async function drain(queue: string[], delay: () => Promise<void>): Promise<void> {',
        '  flush(queue);',
        '  const pending = flush(queue);',
        '  await delay();',
        '  await pending;',
        '}',
      ].join('\n'),
    );
    expect(causes(results)).toEqual(['6: may reject here (asyncsan cannot see what this call does)@3', '7: awaits here@8 | may reject here (asyncsan cannot see what this call does)@3']);
  });

  it('sees through a const holding the mapped promises to the rethrow after them (supabase auth-js _notifyAllSubscribers)', () => {
    const code = (extra: string) =>
      [
        'export async function notify(subscribers: Set<() => Promise<void>>): Promise<void> {',
        '  const errors: unknown[] = [];',
        '  const promises = Array.from(subscribers).map(async (s) => {',
        '    try { await s(); } catch (e) { errors.push(e); }',
        '  });',
        `  ${extra}await Promise.all(promises);`,
        '  if (errors.length > 0) throw errors[0];',
        '}',
        'export function emit(subscribers: Set<() => Promise<void>>): void {',
        '  notify(subscribers);',
        '}',
      ].join('\n');
    expect(causes(runInMemory(floatingPromise, code('')))).toEqual(['10: throws here@7']);
    // Something else pushed into the array: its promises are not the mapped ones.
    const pushed = runInMemory(floatingPromise, code('promises.push(Promise.reject(new Error()));\n  '));
    expect(causes(pushed)).toEqual(['11: may reject here (asyncsan cannot see what this call does)@7']);
  });

  it("names the element a promise was read from (apollo-server's heartbeat queue)", () => {
    const results = runInMemory(
      misusedAsyncCallback,
      [
        'export class Heartbeats {',
        '  private queue: Promise<void>[] = [];',
        '  start(url: string): void {',
        '    setInterval(async () => {',
        '      if (this.queue.length > 1) await this.queue[this.queue.length - 2];',
        '      try { await fetch(url); } catch { return; }',
        '    }, 1000);',
        '  }',
        '}',
      ].join('\n'),
    );
    expect(causes(results)).toEqual(['4: may reject: a promise read from a collection (asyncsan does not follow what is stored in the array, map or record)@5']);
  });

  it("names a promise read from a Map whose values are not all seen (exported: other modules may add to it)", () => {
    const results = runInMemory(
      misusedAsyncCallback,
      [
        'export const running = new Map<string, Promise<unknown>>();',
        'export function later(id: string, work: () => Promise<unknown>): void {',
        '  setTimeout(async () => {',
        '    await running.get(id);',
        '    running.set(id, work().catch(() => undefined));',
        '  }, 10);',
        '}',
      ].join('\n'),
    );
    expect(causes(results)).toEqual(['3: may reject: a promise read from a collection (asyncsan does not follow what is stored in the array, map or record)@4']);
  });

  it("names a thenable of a class of its own where it is made", () => {
    const results = runInMemory(
      floatingPromise,
      [
        'declare class Later<T> { then<R>(onfulfilled?: (value: T) => R, onrejected?: (reason: unknown) => R): Promise<R>; }',
        'async function settle(): Promise<void> {',
        '  await new Later<void>();',
        '}',
        'export function start(): void {',
        '  settle();',
        '}',
      ].join('\n'),
    );
    expect(causes(results)).toEqual(['6: may reject here (asyncsan cannot see what this call does)@3']);
  });

  it('names a Promise.all over promises it cannot see (an array handed in)', () => {
    const results = runInMemory(
      floatingPromise,
      [
        'async function settleAll(pending: Promise<unknown>[]): Promise<void> {',
        '  await Promise.all(pending);',
        '}',
        'export function drain(pending: Promise<unknown>[]): void {',
        '  settleAll(pending);',
        '}',
      ].join('\n'),
    );
    expect(causes(results)).toEqual(['5: may reject here (asyncsan cannot see what this call does)@2']);
  });

  it('names the parameter a promise was handed through (its callers decide whether it can reject)', () => {
    const results = runInMemory(
      floatingPromise,
      [
        'export function withTimeout(',
        '  task: Promise<void>,',
        '  { done }: { done: Promise<void> },',
        '): void {',
        "  task.finally(() => console.log('late'));",
        '  done.then(() => undefined);',
        '}',
      ].join('\n'),
    );
    expect(causes(results)).toEqual([
      '5: may reject: a promise handed to this parameter (its callers decide)@2',
      '6: may reject: a promise handed to this parameter (its callers decide)@3',
    ]);
  });

  it('names a construction that may throw: the throw inside a class in view, or the `new` of one out of view', () => {
    const results = runInMemory(
      floatingPromise,
      [
        'class Parser {',
        '  constructor(readonly text: string) {',
        "    if (text === '') throw new Error('empty');",
        '  }',
        '}',
        'async function parse(text: string): Promise<Parser> {',
        '  return new Parser(text);',
        '}',
        'async function locate(text: string): Promise<string> {',
        '  return new URL(text).host;',
        '}',
        'async function stamp(at: number): Promise<Date> {',
        '  return new Date(at);',
        '}',
        'export function start(): void {',
        "  parse('');",
        "  locate('x');",
        '  stamp(0);',
        '}',
      ].join('\n'),
      // What may throw only by a call out of view is reported with checkSyncThrows (the strict config).
      { checkSyncThrows: true },
    );
    // stamp(0) is not reported: `new Date()` cannot throw.
    expect(causes(results)).toEqual(['16: throws here@3', '17: may throw here (asyncsan cannot see what this call does)@10']);
  });

  it("names an executor's reject, and iterating a value that is not a built-in collection", () => {
    const results = runInMemory(
      floatingPromise,
      [
        'type Reply = (error: Error | null) => void;',
        'async function ask(question: string, send: (q: string, reply: Reply) => void): Promise<void> {',
        '  return new Promise((resolve, reject) => send(question, (error) => (error ? reject(error) : resolve())));',
        '}',
        'async function load(rows: Iterable<[string, number]>, into: Map<string, number>): Promise<void> {',
        '  for (const [name, value] of rows) into.set(name, value);',
        '}',
        'async function first(names: Iterable<string>): Promise<string | undefined> {',
        '  const [name] = names;',
        '  return name;',
        '}',
        'async function copy(rows: [string, number][], into: Map<string, number>): Promise<void> {',
        '  for (const [name, value] of rows) into.set(name, value);',
        '}',
        'export function start(send: (q: string, reply: Reply) => void, rows: [string, number][]): void {',
        "  ask('ready?', send);",
        '  load(rows.values(), new Map());',
        "  first(['a']);",
        '  copy(rows, new Map());',
        '}',
      ].join('\n'),
      { checkSyncThrows: true },
    );
    // copy() is not reported: destructuring a tuple of an array runs built-in iterators only.
    expect(causes(results)).toEqual([
      "16: may reject here (the `new Promise` executor's reject)@3",
      '17: may throw here (iterating a value whose iterator asyncsan cannot see)@6',
      '18: may throw here (iterating a value whose iterator asyncsan cannot see)@9',
    ]);
  });

  it('names a rejection of something awaited before a synchronous throw found first (an invariant)', () => {
    const results = runInMemory(
      floatingPromise,
      [
        'declare function send(body: string): Promise<void>;',
        'const pending = new Map<string, string>();',
        'async function flush(id: string): Promise<void> {',
        '  const body = pending.get(id);',
        "  if (body === undefined) throw new Error(`no message ${id}`);",
        '  await send(body);',
        '}',
        'async function check(id: string): Promise<void> {',
        "  if (!pending.has(id)) throw new Error('unknown');",
        '}',
        'export function start(): void {',
        "  flush('a');",
        "  check('b');",
        '}',
      ].join('\n'),
    );
    // check() has no await: its throw is the one cause.
    expect(causes(results)).toEqual(['12: may reject here (asyncsan cannot see what this call does)@6', '13: throws here@9']);
  });

  it('follows a member called by a literal key (client["warnMetadata"]) into its body', () => {
    const results = runInMemory(
      floatingPromise,
      [
        'class Client {',
        '  private async updateMetadata(ok: boolean): Promise<void> {',
        "    if (!ok) throw new Error('Failed to update metadata');",
        '  }',
        '  private async warnMetadata(ok: boolean): Promise<void> {',
        '    await this.updateMetadata(ok);',
        '  }',
        '  private async quiet(): Promise<void> {}',
        '  run(): void {',
        "    this['warnMetadata'](false);",
        "    this['quiet']();",
        '  }',
        '}',
        'export { Client };',
      ].join('\n'),
    );
    // quiet() cannot reject: not reported once the literal key is followed.
    expect(causes(results)).toEqual(['10: throws here@3']);
  });

  it('explains a dropped async callback, and names a public field anyone can store a promise in', () => {
    expect(causes(runOnFixture(misusedAsyncCallback, 'misused-async-callback/bad-callbacks.ts').filter((r) => r.line === 18))).toEqual(['18: may reject here (asyncsan cannot see what this call does)@14']);
    // A public field: may reject, and no single call or throw says why; the field read itself is named (rabbitmq-client's
    // `this._state.lazyChannel.then(…)` named nothing).
    expect(causes(runOnFixture(floatingPromise, 'floating-promise/bad-can-reject.ts').filter((r) => r.line === 56))).toEqual([
      '56: may reject: a promise read from this property (asyncsan does not follow what is stored in it)@56',
    ]);
    const results = runInMemory(
      floatingPromise,
      [
        'interface State { lazyChannel?: Promise<{ close(): Promise<void> }> }',
        'export class Connection {',
        '  private readonly state: State = {};',
        '  close(): void {',
        '    this.state.lazyChannel?.then((ch) => ch.close());',
        '  }',
        '}',
      ].join('\n'),
    );
    expect(causes(results)).toEqual(['5: may reject: a promise read from this property (asyncsan does not follow what is stored in it)@5']);
  });

  it('names the cause of an async method that implements a void one (grpc-js\' start(), which named none)', () => {
    const results = runInMemory(
      misusedAsyncCallback,
      [
        'declare function connect(): Promise<number>;',
        'interface Call { start(listener: () => void): void; }',
        'export class SubchannelCall implements Call {',
        '  async start(listener: () => void): Promise<void> {',
        '    const fd = await connect();',
        '    if (fd < 0) throw new Error(`no socket: ${fd}`);',
        '    listener();',
        '  }',
        '}',
      ].join('\n'),
    );
    expect(causes(results)).toEqual(['4: may reject here (asyncsan cannot see what this call does)@5']);
  });

  it('names a throw written further on before a call that only may throw (an async executor that rejects, then rethrows)', () => {
    const results = runInMemory(
      misusedAsyncCallback,
      [
        'declare function write(m: string): Promise<void>;',
        'declare function tag(e: object): void;',
        'class WriteError extends Error { constructor(m: string) { super(m); tag(this); } }',
        'export function send(m: string): Promise<void> {',
        '  return new Promise(async (resolve, reject) => {',
        '    try {',
        '      await write(m);',
        '      resolve();',
        '    } catch (error) {',
        '      reject(new WriteError(String(error)));',
        '      throw error;',
        '    }',
        '  });',
        '}',
      ].join('\n'),
    );
    expect(causes(results)).toEqual(['5: throws here@11']);
    expect(results[0]!.message).toContain('never settles unless the executor settled it first');
  });

  it("names what the call's arguments leave, not a throw they rule out (ethers' emit(\"debug\") named getSubscription's null check)", () => {
    const results = runInMemory(
      floatingPromise,
      [
        'declare function describe(value: unknown): string;',
        'async function lookup(event: string | null): Promise<string> {',
        "  if (event == null) throw new Error('invalid event');",
        '  return event;',
        '}',
        'export class Bus {',
        '  async emit(event: string | null, detail: unknown): Promise<void> {',
        '    const tag = await lookup(event);',
        '    describe({ tag, detail });',
        '  }',
        '  run(): void {',
        "    this.emit('debug', 1);",
        '  }',
        '}',
      ].join('\n'),
      { checkSyncThrows: true },
    );
    // The throw at line 3 cannot happen for 'debug'; describe() out of view may throw (counted under checkSyncThrows).
    expect(causes(results)).toEqual(['12: may throw here (asyncsan cannot see what this call does)@9']);
  });
});
