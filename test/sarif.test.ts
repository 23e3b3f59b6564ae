import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ajvDraft04 from 'ajv-draft-04';
import { Ajv } from 'ajv';

// A CommonJS module whose class is also its `default` property.
const Ajv04 = ajvDraft04.default;
import { describe, expect, it } from 'vitest';
import { compareRuns, readDocument, reporters } from '@asyncsan/core';
import { repoRoot } from '@asyncsan/test-harness/expectations';

const require = createRequire(import.meta.url);
// The OASIS SARIF 2.1.0 schema, as shipped by Microsoft's SARIF SDK package.
const sarifSchema = JSON.parse(
  readFileSync(path.join(path.dirname(require.resolve('@microsoft/jest-sarif/package.json')), 'lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
);
const findingsSchema = JSON.parse(readFileSync(path.join(repoRoot, 'packages/core/schema/findings.schema.json'), 'utf8'));

const doc = readDocument(path.join(repoRoot, 'test/data/findings.json'));
const ctx = { cwd: repoRoot, toolVersion: '0.1.0' };

describe('SARIF 2.1.0 output', () => {
  // The schema's language pattern is not valid as a unicode regexp; formats are checked with the URL parser.
  const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
  const isUrl = (base?: string) => (s: string) => URL.canParse(s, base);
  ajv.addFormat('uri', isUrl());
  ajv.addFormat('uri-reference', isUrl('file:///'));
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
  const validate = ajv.compile(sarifSchema);

  it('validates against the SARIF 2.1.0 JSON schema', () => {
    const log = JSON.parse(reporters.sarif(doc.findings, ctx));
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('rejects a broken log, so the validation above is not vacuous', () => {
    const log = JSON.parse(reporters.sarif(doc.findings, ctx));
    log.runs[0].results[0].level = 'fatal';
    delete log.runs[0].tool.driver.name;
    expect(validate(log)).toBe(false);
  });

  it('validates with a comparison (baselineState, absent results)', () => {
    const [first, ...rest] = doc.findings.map((f, i) => ({ ...f, fingerprint: `fp${i}` }));
    const comparison = compareRuns(rest, [first!], 'old.json');
    const log = JSON.parse(reporters.sarif(rest, { ...ctx, comparison }));
    expect(validate(log)).toBe(true);
    expect(log.runs[0].results.map((r: { baselineState: string }) => r.baselineState)).toEqual(['new', 'new', 'absent']);
  });

  it('validates with counts (occurrenceCount), and the findings schema accepts them', () => {
    const counted = doc.findings.map((f, i) => (i === 0 ? { ...f, count: 4 } : f));
    const log = JSON.parse(reporters.sarif(counted, ctx));
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(log.runs[0].results.filter((r: { occurrenceCount?: number }) => r.occurrenceCount === 4)).toHaveLength(1);
    const ajv07 = new Ajv({ allErrors: true, strict: false });
    ajv07.addFormat('uri', (s: string) => URL.canParse(s));
    const findings = ajv07.compile(findingsSchema);
    expect(findings(JSON.parse(reporters.json(counted, ctx)))).toBe(true);
    expect(findings(JSON.parse(reporters.json([{ ...doc.findings[0]!, count: 0 }], ctx)))).toBe(false);
  });

  it('validates when empty too', () => {
    expect(validate(JSON.parse(reporters.sarif([], ctx)))).toBe(true);
  });

  it('carries rules with help URIs, locations, related locations and code flows for async stacks', () => {
    const log = JSON.parse(reporters.sarif(doc.findings, ctx));
    const run = log.runs[0];
    const rule = run.tool.driver.rules.find((r: { id: string }) => r.id === 'leaked-timer');
    expect(rule.helpUri).toBe('https://github.com/asyncsan/asyncsan/blob/main/docs/rules/leaked-timer.md');
    expect(run.tool.driver.rules).toHaveLength(22);
    const leak = run.results.find((r: { ruleId: string }) => r.ruleId === 'leaked-timer');
    expect(run.tool.driver.rules[leak.ruleIndex].id).toBe('leaked-timer');
    expect(leak.level).toBe('error');
    expect(leak.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'test/data/sample/metrics.ts', uriBaseId: '%SRCROOT%' },
      region: { startLine: 6, startColumn: 18, endLine: 6, endColumn: 42 },
    });
    expect(leak.relatedLocations[0].message.text).toBe('test started here');
    // Frames then the "created at" chain, node internals left out.
    const flow = leak.codeFlows[0].threadFlows[0].locations;
    expect(flow.map((l: { location: { message: { text: string } }; nestingLevel: number }) => [l.location.message.text, l.nestingLevel])).toEqual([
      ['MetricsReporter.start', 0],
      ['created at: <img src=x onerror=alert(1)>', 1],
    ]);
    const warn = run.results.find((r: { ruleId: string }) => r.ruleId === 'unbounded-concurrency');
    expect(warn.level).toBe('warning');
  });
});

describe('findings JSON', () => {
  it('the json reporter output validates against the documented schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(findingsSchema);
    const out = JSON.parse(reporters.json(doc.findings, { ...ctx, baselined: 2 }));
    validate(out);
    expect(validate.errors ?? []).toEqual([]);
    expect(out.baselined).toBe(2);
  });
});
