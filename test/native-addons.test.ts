/**
 * Native addons' own async work is pending work: bcrypt and argon2 (prebuilt N-API binaries from
 * npm, installed outside the repo) hash on their own threads, with no timer or handle of the
 * scope open meanwhile, and call back through a resource of their own type
 * ('bcrypt:EncryptAsyncWorker', 'argon2:HashWorker'). Neither is a deadlock; a real one after
 * the hash is still reported.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@asyncsan/test-harness/expectations';

const root = path.join(os.tmpdir(), 'asyncsan-native-addons');

function ensureInstall(): void {
  if (existsSync(path.join(root, 'node_modules/bcrypt/package.json')) && existsSync(path.join(root, 'node_modules/argon2/package.json'))) return;
  mkdirSync(root, { recursive: true });
  // With their install scripts: node-gyp-build keeps a prebuilt binary that works here and builds
  // the addon from source otherwise (argon2's prebuilt glibc binary crashes on some machines).
  execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', root, 'bcrypt@6', 'argon2@0.45'], { cwd: root, stdio: 'pipe' });
}

const script = `
import { createHook } from 'node:async_hooks';
import { EventEmitter, once } from 'node:events';
import bcrypt from 'bcrypt';
import argon2 from 'argon2';
import { createTracer } from ${JSON.stringify(path.join(repoRoot, 'packages/tracer/dist/index.js'))};

const types = new Set();
createHook({ init(id, type) { if (type.includes(':')) types.add(type); } }).enable();
// Keeps the loop alive as a test runner does: the deadlock watch's own timer is unref'd.
const keepAlive = setInterval(() => {}, 1000);
const tracer = createTracer({ cwd: process.cwd() });
const out = {};
for (const [name, fn] of Object.entries({
  bcrypt: () => bcrypt.hash('correct horse', 12),
  argon2: () => argon2.hash('correct horse', { timeCost: 6 }),
  'bcrypt, then a wait nobody ends': async () => {
    await bcrypt.hash('correct horse', 10);
    await once(new EventEmitter(), 'never');
  },
})) {
  const started = performance.now();
  const r = await tracer.trace(name, fn);
  out[name] = { deadlocked: r.deadlocked, ms: Math.round(performance.now() - started), ids: r.findings.map((f) => f.id), error: r.error ? String(r.error) : undefined };
}
tracer.stop();
clearInterval(keepAlive);
out.types = [...types].sort();
console.log(JSON.stringify(out));
process.exit(0);
`;

describe('native addons (bcrypt, argon2)', () => {
  beforeAll(() => {
    ensureInstall();
    writeFileSync(path.join(root, 'trace.mjs'), script);
  }, 300_000);

  it('their async work is pending work; a deadlock after it is still reported', () => {
    const out = JSON.parse(execFileSync(process.execPath, ['trace.mjs'], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } })) as Record<
      string,
      { deadlocked: boolean; ms: number; ids: string[]; error?: string }
    > & { types: string[] };
    expect(out.types).toEqual(expect.arrayContaining(['argon2:HashWorker', 'bcrypt:EncryptAsyncWorker']));
    for (const name of ['bcrypt', 'argon2']) {
      expect({ name, deadlocked: out[name]!.deadlocked, ids: out[name]!.ids, error: out[name]!.error }).toEqual({ name, deadlocked: false, ids: [], error: undefined });
      // Long enough that the deadlock watch (two idle checks 10 ms apart) looked at it while it ran.
      expect(out[name]!.ms).toBeGreaterThan(40);
    }
    expect(out['bcrypt, then a wait nobody ends']!.deadlocked).toBe(true);
    expect(out['bcrypt, then a wait nobody ends']!.ids).toContain('deadlock');
  });
});
