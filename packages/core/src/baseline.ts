import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './config.js';
import type { Finding } from './finding.js';

/**
 * A baseline records the fingerprints of accepted findings so that later runs
 * report only new ones (like knip's or detekt's baselines).
 */
export interface Baseline {
  version: 1;
  findings: { fingerprint: string; id: string; file?: string }[];
}

export function createBaseline(findings: readonly Finding[]): Baseline {
  const entries = findings
    .filter((f): f is Finding & { fingerprint: string } => typeof f.fingerprint === 'string')
    .map((f) => ({ fingerprint: f.fingerprint, id: f.id, ...(f.location ? { file: f.location.file } : {}) }));
  entries.sort((a, b) => (a.file ?? '').localeCompare(b.file ?? '') || a.id.localeCompare(b.id) || a.fingerprint.localeCompare(b.fingerprint));
  return { version: 1, findings: entries };
}

export function writeBaseline(file: string, findings: readonly Finding[]): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(createBaseline(findings), null, 2)}\n`);
}

export function readBaseline(file: string): Baseline | undefined {
  if (!existsSync(file)) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file}: baseline is not valid JSON (${(err as Error).message})`);
  }
  const b = data as Partial<Baseline>;
  if (b?.version !== 1 || !Array.isArray(b.findings) || b.findings.some((e) => typeof e?.fingerprint !== 'string')) {
    throw new ConfigError(`${file}: not an asyncsan baseline (expected { "version": 1, "findings": [{ "fingerprint": … }] }); regenerate it with --update-baseline`);
  }
  return b as Baseline;
}

/** Splits findings into new ones and those the baseline already accepts. */
export function applyBaseline(findings: readonly Finding[], baseline: Baseline | undefined): { findings: Finding[]; baselined: number } {
  if (!baseline) return { findings: [...findings], baselined: 0 };
  // A multiset: two identical accepted findings cover two, not more.
  const counts = new Map<string, number>();
  for (const e of baseline.findings) counts.set(e.fingerprint, (counts.get(e.fingerprint) ?? 0) + 1);
  const kept: Finding[] = [];
  let baselined = 0;
  for (const f of findings) {
    const n = f.fingerprint ? (counts.get(f.fingerprint) ?? 0) : 0;
    if (n > 0) {
      counts.set(f.fingerprint!, n - 1);
      baselined++;
    } else kept.push(f);
  }
  return { findings: kept, baselined };
}
