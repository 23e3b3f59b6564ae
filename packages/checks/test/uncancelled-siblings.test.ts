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

  it('matches the expect markers in fixtures/uncancelled-siblings exactly', () => {
    const { files, diff } = fixtureDiff(uncancelledSiblings);
    expect(files).toBe(2);
    expect(diff).toBe('');
  });
});
