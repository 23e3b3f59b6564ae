import { describe, expect, it } from 'vitest';
import { uncancelledSiblings } from '../src/uncancelled-siblings.js';
import { fixtureDiff, runInMemory } from './in-memory.js';

const fetchJson = `async function fetchJson(url: string, init?: { signal?: AbortSignal }): Promise<unknown> { return (await fetch(url, init)).json(); }
function square(n: number): Promise<number> { return Promise.resolve(n * n); }
`;

describe('uncancelled-siblings: Promise.all/any over cancellable tasks that share no signal', () => {
  const at = (code: string) => runInMemory(uncancelledSiblings, `${fetchJson}${code}`).map((r) => `${r.messageId}@${r.line}:${r.column}`);

  it('reports Promise.all and Promise.any over tasks whose callee takes a signal none of them gets', () => {
    expect(
      at(`export const a = () => Promise.all([fetchJson('/a'), fetchJson('/b')]);
export const b = (urls: string[]) => Promise.any(urls.map((u) => fetchJson(u)));`),
    ).toEqual(['noSharedSignal@3:24', 'noSharedSignal@4:38']);
  });

  it('accepts siblings that share a signal, tasks that cannot be cancelled, and allSettled/race', () => {
    expect(
      at(`export const a = (signal: AbortSignal) => Promise.all([fetchJson('/a', { signal }), fetchJson('/b', { signal })]);
export const b = () => Promise.all([square(1), square(2)]);
export const c = () => Promise.allSettled([fetchJson('/a'), fetchJson('/b')]);`),
    ).toEqual([]);
  });

  it('names the method, the event and the cancellable callee in its message', () => {
    const [r] = runInMemory(uncancelledSiblings, `${fetchJson}export const a = () => Promise.any([square(1), fetchJson('/b')]);`);
    expect(r?.message).toContain("after Promise.any settles on the first fulfilment, the others keep running ('fetchJson' could be cancelled)");
  });

  it('says so when the tasks carry only the caller\'s signal in an options bag, which nothing aborts when one fails', () => {
    const code = `export const a = (options: { signal?: AbortSignal }) => Promise.all([fetchJson('/a', options), fetchJson('/b', options)]);`;
    expect(at(code)).toEqual(['callersSignalOnly@3:57']);
    const [r] = runInMemory(uncancelledSiblings, `${fetchJson}${code}`);
    expect(r?.message).toBe(
      "These tasks get the caller's AbortSignal (in 'options') but none that is aborted when one of them ends the group: after Promise.all settles on the first rejection, the others keep running until the caller aborts ('fetchJson' could be cancelled). Create an AbortController for the group, pass AbortSignal.any([signal, controller.signal]) to every task and abort it when one fails.",
    );
  });

  it('matches the expect markers in fixtures/uncancelled-siblings exactly', () => {
    const { files, diff } = fixtureDiff(uncancelledSiblings);
    expect(files).toBe(2);
    expect(diff).toBe('');
  });
});
