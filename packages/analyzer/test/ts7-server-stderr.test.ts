import { spawn } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { capturingServerStderr } from '../src/ts7/server-stderr.js';

describe("the TypeScript 7 server's stderr", () => {
  it('keeps the shutdown noise ("context canceled") out of ours and passes on anything else it wrote', async () => {
    // The sync API spawns tsgo with stderr inherited; so does this stand-in.
    const { value: child, stderr } = capturingServerStderr(() =>
      spawn('sh', ['-c', 'echo context canceled >&2; echo "tsgo: panic: something broke" >&2'], { stdio: ['ignore', 'ignore', 'inherit'] }),
    );
    await new Promise((resolve) => child.on('exit', resolve));
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      stderr.flush();
    } finally {
      spy.mockRestore();
    }
    expect(written).toEqual(['tsgo: panic: something broke\n']);
  });

  it('leaves spawn as it was once the server is started', () => {
    const before = spawn;
    capturingServerStderr(() => undefined).stderr.flush();
    expect(spawn).toBe(before);
  });
});
