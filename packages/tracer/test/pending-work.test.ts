/**
 * What the deadlock watch counts as pending work beside the scope's own timers and handles
 * (diff.ts hasScheduledWork): async resources between their init and their first callback, zlib
 * streams holding input, connections born outside the scopes. Each kind leaves the registry once it
 * has called back, so none keeps a later deadlock from being reported.
 */
import { AsyncResource } from 'node:async_hooks';
import { generateKeyPairSync, pbkdf2, pbkdf2Sync, randomBytes, randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { readFile as readFileCallback } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createTracer } from '@asyncsan/tracer';
import { repoRoot } from '@asyncsan/test-harness/expectations';

const tracer = createTracer({ cwd: repoRoot });
afterAll(() => tracer.stop());
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const pendingTypes = () => [...tracer.capture.requests.values()].map((r) => r.type);

describe('pending work the deadlock watch counts', () => {
  it('a request is pending until its callback, then gone: fs, dns, crypto, WebCrypto, zlib, file handles', async () => {
    const scope = tracer.createScope('requests');
    const seen: string[][] = [];
    await scope.run(async () => {
      const work = Promise.all([
        readFile(import.meta.filename),
        promisify(readFileCallback)(import.meta.filename),
        lookup('localhost'),
        promisify(pbkdf2)('pw', 'salt', 50_000, 32, 'sha256'),
        crypto.subtle.digest('SHA-256', new Uint8Array(1 << 20)),
        promisify(gzip)(Buffer.alloc(1 << 20, 7)),
        open(import.meta.filename).then((handle) => handle.close()),
      ]);
      seen.push(pendingTypes());
      await work;
    });
    await turn();
    // Synchronous crypto calls use the same jobs, which never call back: they are no pending work.
    scope.run(() => {
      randomBytes(16);
      pbkdf2Sync('pw', 'salt', 1000, 32, 'sha256');
      generateKeyPairSync('ec', { namedCurve: 'P-256' });
      randomUUID();
    });
    // While they ran, each was a pending request of its own type.
    expect(seen[0]).toEqual(expect.arrayContaining(['FSREQPROMISE', 'FSREQCALLBACK', 'GETADDRINFOREQWRAP', 'PBKDF2REQUEST', 'HASHREQUEST']));
    // Done: nothing left that would hide a deadlock.
    expect(pendingTypes()).toEqual([]);
    expect([...tracer.capture.zlibs].filter((ref) => (ref.deref() as { buffer?: unknown } | undefined)?.buffer)).toEqual([]);
    await scope.end();
  });

  it('a JavaScript AsyncResource counts while a live scope that made it waits for it; one made outside the scopes never does', async () => {
    const outside = new AsyncResource('ModuleLevelCarrier');
    const scope = tracer.createScope('carrier');
    let inside: AsyncResource | undefined;
    scope.run(() => {
      inside = new AsyncResource('JobOfTheScope');
    });
    const carriers = () => [...tracer.capture.requests.values()].filter((r) => r.carrier && r.resource.deref() !== undefined);
    expect(carriers().map((r) => `${r.type}: ${r.owner === undefined ? 'outside' : r.owner.name}`)).toEqual(['ModuleLevelCarrier: outside', 'JobOfTheScope: carrier']);
    // Its first callback ends it.
    inside!.runInAsyncScope(() => {});
    expect(carriers().map((r) => r.type)).toEqual(['ModuleLevelCarrier']);
    outside.runInAsyncScope(() => {});
    expect(carriers()).toEqual([]);
    await scope.end();
  });
});
