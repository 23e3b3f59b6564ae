import { describe, expect, it } from 'vitest';
import type { Finding } from '@asyncsan/core';
import { assignFingerprints } from '@asyncsan/core';

const finding = (line: number, id = 'floating-promise'): Finding => ({
  id,
  severity: 'error',
  message: 'm',
  engine: 'lint',
  location: { file: 'src/a.ts', line, column: 3 },
});

const reader = (lines: string[]) => (_file: string, line: number) => lines[line - 1];

describe('fingerprints', () => {
  const before = ['import x from "y";', '', 'export async function f() {', '  db.put(v);', '}'];
  const after = ['import x from "y";', '// a new comment', 'import z from "w";', '', 'export async function f() {', '    db.put(v);   ', '}'];

  it('survive unrelated line shifts and re-indentation', () => {
    const [a] = assignFingerprints([finding(4)], reader(before));
    const [b] = assignFingerprints([finding(6)], reader(after));
    expect(a!.fingerprint).toBe(b!.fingerprint);
  });

  it('change when the flagged line changes, or the id', () => {
    const [a] = assignFingerprints([finding(4)], reader(before));
    const [b] = assignFingerprints([finding(4)], reader(['', '', '', '  db.put(other);']));
    const [c] = assignFingerprints([finding(4, 'misused-async-callback')], reader(before));
    expect(a!.fingerprint).not.toBe(b!.fingerprint);
    expect(a!.fingerprint).not.toBe(c!.fingerprint);
  });

  it('tell identical lines apart by occurrence, and runtime findings by test', () => {
    const lines = ['db.put(v);', 'db.put(v);'];
    const [a, b] = assignFingerprints([finding(1), finding(2)], reader(lines));
    expect(a!.fingerprint).not.toBe(b!.fingerprint);
    const t = (name: string): Finding => ({ ...finding(1, 'leaked-timer'), engine: 'tracer', test: { file: 't.ts', name, fullName: name } });
    const [x, y] = assignFingerprints([t('one'), t('two')], reader(lines));
    expect(x!.fingerprint).not.toBe(y!.fingerprint);
  });

  it('keep a fingerprint the engine already set', () => {
    expect(assignFingerprints([{ ...finding(1), fingerprint: 'abc' }], reader([]))[0]!.fingerprint).toBe('abc');
  });
});
