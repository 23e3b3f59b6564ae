import { describe, expect, it } from 'vitest';
import { missingAbortPropagation } from '../src/missing-abort-propagation.js';
import { fixtureDiff, runInMemory, runOnFixture } from './in-memory.js';

// Most cases below are about how the signal is followed into a call of the code's own functions: the strict option.
const ALL = { checkAllCallees: true };

describe('missing-abort-propagation: a Request carries the signal (route loaders and handlers)', () => {
  const at = (code: string) => runInMemory(missingAbortPropagation, code).map((r) => `${r.messageId}@${r.line}:${r.column} ${r.data?.signal}`);
  const types = `interface Args { request: Request; params: Record<string, string> }
interface Ctx { req: { raw: Request }; json(v: unknown): Response }
`;

  it('names the signal of options handed in as a promise or a value as (await optionsInput).signal', () => {
    const results = runOnFixture(missingAbortPropagation, 'missing-abort-propagation/bad-awaited-options.ts', ALL);
    expect(results.map((r) => `${r.line} ${r.data?.signal}`)).toEqual(['14 (await optionsInput).signal', '15 (await optionsInput).signal', '16 (await optionsInput).signal']);
  });

  it('takes request.signal from a Request parameter, a destructured { request }, args.request and Hono-style c.req.raw', () => {
    expect(
      at(`${types}export async function a(request: Request) { await fetch('u'); }
export async function b({ request }: Args) { await fetch('u', { headers: request.headers }); }
export async function c(args: Args) { await fetch(args.params.id!); }
export async function d(c: Ctx) { await fetch('u'); }
export async function e(options: { signal: AbortSignal }) { await fetch('u'); }`),
    ).toEqual([
      'notPassed@3:51 request.signal',
      'notPassed@4:52 request.signal',
      'notPassed@5:45 args.request.signal',
      'notPassed@6:41 c.req.raw.signal',
      'notPassed@7:67 options.signal',
    ]);
  });

  it('accepts the Request itself passed on, its signal passed on, and handlers without a Fetch Request', () => {
    expect(
      at(`${types}export async function a(request: Request) { await fetch(request); await fetch(new Request('u', request)); }
export async function b({ request }: Args) { await fetch('u', { signal: request.signal }); }
export async function c(c: Ctx) { const { signal } = c.req.raw; await fetch('u', { signal }); }
export async function d(req: import('node:http').IncomingMessage) { await fetch('u' + req.url); }
import { createHash } from 'node:crypto';
export async function f(request: Request) { return createHash('sha256').update(await request.text()).digest('hex'); }
export async function e(controller: AbortController) { await fetch('u'); }`),
    ).toEqual([]);
  });

  it('suggests request.signal in the options object', () => {
    const [r] = runInMemory(missingAbortPropagation, `export async function GET(request: Request) {\n  return fetch('u', { method: 'GET' });\n}`);
    expect(r!.suggestions[0]!.edits).toEqual([{ start: 66, end: 83, text: "{ method: 'GET', signal: request.signal }" }]);
  });

  it('offers no fix for a promise nobody keeps: with the signal, an abort would reject it unhandled', () => {
    const results = runInMemory(missingAbortPropagation, `export async function GET(request: Request) {\n  void fetch('u', { method: 'GET' });\n  fetch('v', {});\n}`);
    expect(results.map((r) => `${r.line}: ${r.suggestions.length}`)).toEqual(['2: 0', '3: 0']);
  });
});

describe('missing-abort-propagation: untyped options whose signal the class reads elsewhere', () => {
  const at = (code: string) => runInMemory(missingAbortPropagation, code).map((r) => `${r.messageId}@${r.line}:${r.column} ${r.data?.signal}`);

  it('takes options?.signal from an options parameter of unknown type when the class reads its .signal', () => {
    expect(
      at(`// @ts-nocheck
import { Base } from 'not-installed';
export class Model extends Base {
  async generate(url: string, options: this['CallOptions']) {
    return fetch(new Request(url, { method: 'POST' }));
  }
  async stream(url: string, options: this['CallOptions']) {
    return fetch(url, { signal: options.signal });
  }
}
export class Other extends Base {
  async generate(url: string, options: this['CallOptions']) {
    return fetch(url, { method: 'POST' });
  }
}`),
    ).toEqual(['notPassed@5:18 options?.signal']);
  });
});

describe('missing-abort-propagation: several parameters that may carry a signal', () => {
  const at = (code: string) => runInMemory(missingAbortPropagation, code, ALL).map((r) => `${r.messageId}@${r.line}:${r.column} ${r.data?.signal}`);

  it("names the one whose signal the function reads elsewhere (discord.js' queueRequest), else the first", () => {
    expect(
      at(`declare function wait(options?: { signal?: AbortSignal }): Promise<void>;
export async function queueRequest(url: string, options: RequestInit, requestData: { signal?: AbortSignal }) {
  await wait({ signal: requestData.signal });
  await wait();
  return fetch(url, { ...options, signal: requestData.signal ?? null });
}
export async function first(url: string, options: RequestInit, extra: { signal?: AbortSignal }) {
  await wait();
  return fetch(url, { method: 'GET' });
}`),
    ).toEqual(['notPassed@4:9 requestData.signal', 'notPassed@8:9 options.signal', 'notPassed@9:10 options.signal']);
  });
});

describe('missing-abort-propagation: a hand-made sleep where a signal is in scope', () => {
  const at = (code: string) =>
    runInMemory(missingAbortPropagation, code)
      .sort((a, b) => a.start - b.start)
      .map((r) => `${r.messageId}@${r.line}:${r.column}`);

  it('reports an inline Promise around setTimeout and calls to a sleep helper of the file', () => {
    expect(
      at(`const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
function delay(ms: number) { return new Promise((resolve) => { setTimeout(() => resolve(undefined), ms); }); }
export async function a(signal: AbortSignal, backoff: number) {
  await new Promise((r) => setTimeout(r, 5_000));
  await sleep(backoff);
  await delay(2 * 1000);
}`),
    ).toEqual(['uncancellableSleep@4:9', 'sleepHelper@5:9', 'sleepHelper@6:9']);
  });

  it('accepts a pause shorter than a second (literal or const), and a sleep raced as a deadline', () => {
    expect(
      at(`const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const POLL_MS = 100;
export async function a(signal: AbortSignal, work: Promise<void>) {
  while (!signal.aborted) {
    await new Promise((r) => setTimeout(r, 150));
    await new Promise((r) => setTimeout(r, POLL_MS));
    await sleep(50);
  }
  await Promise.race([work, new Promise((r) => setTimeout(r, 3_000))]);
}`),
    ).toEqual([]);
  });

  it('accepts sleeps without a signal in scope, zero delays, timers/promises with the signal, and functions that react to abort', () => {
    expect(
      at(`import { setTimeout as wait } from 'node:timers/promises';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export async function a() { await sleep(5); await new Promise((r) => setTimeout(r, 5)); }
export async function b(signal: AbortSignal) { await new Promise((r) => setTimeout(r, 0)); await new Promise((r) => setTimeout(r)); await wait(5, undefined, { signal }); }
export async function c(signal: AbortSignal) {
  const onAbort = () => {};
  signal.addEventListener('abort', onAbort);
  try { await sleep(100); } finally { signal.removeEventListener('abort', onAbort); }
}`),
    ).toEqual([]);
  });
});

describe('missing-abort-propagation: a signal carried by a spread of its options', () => {
  const at = (code: string) => runInMemory(missingAbortPropagation, code, ALL).map((r) => `${r.messageId}@${r.line}:${r.column}`);
  const opts = `interface Opts { signal?: AbortSignal; task?: object; timeout?: number }
async function send(method: string, options?: Opts): Promise<string> { options?.signal?.throwIfAborted(); return method; }
`;

  it('accepts a local that spreads the options the signal came in ({ ...options, task }, { ...base, ...init }, ...(options ?? {}))', () => {
    expect(
      at(`${opts}export async function a(options?: Opts) {
  const withTask = { ...options, task: {} };
  return send('a', withTask);
}
export function b(base: RequestInit, f: typeof fetch) {
  return async (url: string, init?: RequestInit) => {
    const merged: RequestInit = { ...base, ...init, headers: init?.headers };
    return f(url, merged);
  };
}
export async function c(options: Opts) {
  const merged = { timeout: 5, ...(options ?? {}) };
  return send('c', merged);
}`),
    ).toEqual([]);
  });

  it('still reports a local that spreads something else', () => {
    expect(
      at(`${opts}export async function a(options?: Opts) {
  const copy = { ...options?.task, timeout: options?.timeout };
  return send('a', copy);
}
export function b(base: RequestInit, f: typeof fetch) {
  return async (url: string, init?: RequestInit) => {
    const merged: RequestInit = { ...base, headers: init?.headers };
    return f(url, merged);
  };
}`),
    ).toEqual(['notPassed@5:10', 'notPassed@10:12']);
  });

  it('matches the expect markers in fixtures/missing-abort-propagation exactly (per-file markers only)', () => {
    const { files, diff } = fixtureDiff(missingAbortPropagation);
    expect(files).toBeGreaterThan(3);
    expect(diff).toBe('');
  });

  it('with the strict options (checkAllCallees) also reports the functions of its own and of libraries that take a signal (the strict: markers)', () => {
    expect(fixtureDiff(missingAbortPropagation, { strict: true }).diff).toBe('');
    const lines = (options?: { checkAllCallees: boolean }) => runOnFixture(missingAbortPropagation, 'missing-abort-propagation/bad-not-passed.ts', options).map((r) => r.line);
    expect(lines()).toEqual([12, 20, 25, 29]);
    expect(lines({ checkAllCallees: true })).toEqual([12, 20, 25, 29, 41]);
  });
});

describe('missing-abort-propagation: the option name the callee takes', () => {
  it("fixes an AWS SDK v3 call with the SDK's `abortSignal`, through a generic Partial<this['CallOptions']> too", () => {
    const results = runOnFixture(missingAbortPropagation, 'missing-abort-propagation/bad-sdk-option-names.ts', ALL);
    expect(results.map((r) => `${r.line}: ${r.suggestions.flatMap((s) => s.edits.map((e) => e.text)).join(' | ')}`)).toEqual([
      '36: , { abortSignal: options.signal }',
      "41: { requestTimeout: 5_000, abortSignal: options.signal }",
    ]);
    expect(results[0]!.message).toBe("'send' accepts an AbortSignal but is not given options.signal: cancelling this function leaves that work running.");
  });
});
