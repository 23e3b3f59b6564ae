/**
 * The native compiler process's stderr, kept out of ours. typescript@7's
 * sync API spawns `tsgo` with stderr inherited, and `tsgo` killed by
 * `api.close()` may print "context canceled" on its way out: noise on the
 * user's terminal (and in a CI log) at random. Its stderr goes to a
 * temporary file instead; after the run, anything else it wrote (a crash)
 * is passed on to ours.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import os from 'node:os';
import path from 'node:path';

type Spawn = (command: string, args?: readonly string[], options?: { stdio?: unknown }) => unknown;

export interface ServerStderr {
  /** Reads what the server wrote, passes on all but its shutdown noise, and removes the file. */
  flush(): void;
}

/** Runs `start` (which spawns the server) with `child_process.spawn`'s inherited stderr sent to a file. */
export function capturingServerStderr<T>(start: () => T): { value: T; stderr: ServerStderr } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'asyncsan-tsgo-'));
  const file = path.join(dir, 'stderr.log');
  const fd = openSync(file, 'w');
  // The API imports spawn from node:child_process as an ES module binding: patch the CommonJS export
  // and sync the ES module's bindings, for the constructor call only.
  const cp = createRequire(import.meta.url)('node:child_process') as { spawn: Spawn };
  const original = cp.spawn;
  cp.spawn = (command, args, options) => {
    const stdio = options?.stdio;
    const redirected = Array.isArray(stdio) && stdio[2] === 'inherit' ? { ...options, stdio: [stdio[0], stdio[1], fd] } : options;
    return original(command, args, redirected);
  };
  syncBuiltinESMExports();
  let value: T;
  try {
    value = start();
  } finally {
    cp.spawn = original;
    syncBuiltinESMExports();
    // The child holds its own copy of the descriptor.
    closeSync(fd);
  }
  return {
    value,
    stderr: {
      flush() {
        let text = '';
        try {
          text = readFileSync(file, 'utf8');
        } catch {
          // nothing written
        }
        rmSync(dir, { recursive: true, force: true });
        const kept = text.split('\n').filter((line) => line.trim() !== '' && line.trim() !== 'context canceled');
        if (kept.length > 0) process.stderr.write(`${kept.join('\n')}\n`);
      },
    },
  };
}
