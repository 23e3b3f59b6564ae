import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from './finding.js';

/**
 * A fingerprint must survive unrelated edits that shift lines, so it hashes
 * the text of the flagged line (whitespace-normalised), not its number. Two
 * identical lines in one file are told apart by their order of occurrence.
 */
export function fingerprintOf(id: string, file: string, lineText: string, occurrence: number, extra = ''): string {
  const normal = lineText.replace(/\s+/g, ' ').trim();
  return createHash('sha256')
    .update(`${id}\0${file.split(path.sep).join('/')}\0${normal}\0${occurrence}\0${extra}`)
    .digest('hex')
    .slice(0, 20);
}

export type LineReader = (file: string, line: number) => string | undefined;

/** Reads lines from disk relative to `cwd`, caching each file. */
export function fileLineReader(cwd: string = process.cwd()): LineReader {
  const cache = new Map<string, string[] | null>();
  return (file, line) => {
    let lines = cache.get(file);
    if (lines === undefined) {
      try {
        lines = readFileSync(path.resolve(cwd, file), 'utf8').split(/\r?\n/);
      } catch {
        lines = null;
      }
      cache.set(file, lines);
    }
    return lines?.[line - 1];
  };
}

/**
 * Fills in `fingerprint` where it is missing. Runtime findings also hash their
 * test's full name, so the same leak in two tests is two baseline entries.
 */
export function assignFingerprints(findings: Finding[], readLine: LineReader = fileLineReader()): Finding[] {
  const seen = new Map<string, number>();
  return findings.map((f) => {
    if (f.fingerprint) return f;
    const file = f.location?.file ?? '';
    const text = f.location ? (readLine(file, f.location.line) ?? f.message) : f.message;
    const key = `${f.id}\0${file}\0${text.replace(/\s+/g, ' ').trim()}\0${f.test?.fullName ?? ''}`;
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    return { ...f, fingerprint: fingerprintOf(f.id, file, text, occurrence, f.test?.fullName ?? '') };
  });
}
