import { describe, expect, it } from 'vitest';
import type { Finding } from '@asyncsan/core';
import { mergeBySite, occurrences, parseDocument, reporters } from '@asyncsan/core';

const hostile: Finding = {
  id: 'check-then-act',
  severity: 'error',
  message: 'cache "<k>" & | checked\nbefore await',
  engine: 'analyzer',
  location: { file: 'src/a&b.ts', line: 2, column: 1 },
  test: { file: 't.ts', name: '<script>', fullName: 'suite > <script>' },
};
const ctx = { cwd: '/nowhere', toolVersion: '0.1.0', readLine: () => undefined };

describe('reporters escape what they carry', () => {
  it('junit escapes XML and drops control characters', () => {
    const xml = reporters.junit([{ ...hostile, message: `${hostile.message}\u0007` }], ctx);
    expect(xml).toContain('message="cache &quot;&lt;k&gt;&quot; &amp; | checked\nbefore await"');
    expect(xml).toContain('name="suite &gt; &lt;script&gt; › check-then-act"');
    expect(xml).not.toContain('\u0007');
    expect(xml).not.toMatch(/<script>/);
  });

  it('junit shows a passing case for a clean run', () => {
    expect(reporters.junit([], { ...ctx, baselined: 2 })).toContain('<testcase classname="asyncsan" name="no async hazards (2 baselined)"/>');
  });

  it('markdown neutralises pipes, HTML and newlines in table cells', () => {
    const md = reporters.markdown([hostile], ctx);
    expect(md).toContain('| error | `src/a&b.ts:2:1` | `check-then-act` | cache "&lt;k&gt;" & \\| checked before await<br>test: suite &gt; &lt;script&gt; |');
    expect(md).toContain('| [`check-then-act`](https://github.com/asyncsan/asyncsan/blob/main/docs/rules/check-then-act.md) | 1 | Check-then-act across await |');
  });

  it('github escapes newlines in data and commas and colons in properties', () => {
    const gh = reporters.github([{ ...hostile, location: { file: 'src/a,b:c.ts', line: 2, column: 1 } }], ctx);
    expect(gh.startsWith('::error file=src/a%2Cb%3Ac.ts,line=2,col=1,title=asyncsan/check-then-act::cache "<k>" & | checked%0Abefore await')).toBe(true);
  });

  it('text says so when nothing was found', () => {
    expect(reporters.text([], ctx)).toBe('✔ No async hazards found\n');
  });
});

describe('count: one finding per site, with how many times it happened', () => {
  const leak: Finding = {
    id: 'leaked-timer',
    severity: 'error',
    message: 'setTimeout(…, 60000) created in this test has not fired yet when it ends',
    engine: 'tracer',
    location: { file: 'src/poll.ts', line: 4, column: 3 },
    test: { file: 't.test.ts', name: 'polls', fullName: 'poller > polls' },
  };

  it('mergeBySite sums the counts of findings with one id, severity, location and test', () => {
    const other = { ...leak, test: { ...leak.test!, name: 'stops', fullName: 'poller > stops' } };
    const merged = mergeBySite([leak, { ...leak, count: 3 }, other, { ...leak, severity: 'info' }, { ...leak, location: { ...leak.location!, line: 5 } }]);
    expect(merged.map((f) => [f.test?.name, f.severity, f.location?.line, f.count])).toEqual([
      ['polls', 'error', 4, 4],
      ['stops', 'error', 4, undefined],
      ['polls', 'info', 4, undefined],
      ['polls', 'error', 5, undefined],
    ]);
    expect(occurrences(merged[0]!)).toBe(4);
    expect(occurrences(merged[1]!)).toBe(1);
  });

  it('every format shows it', () => {
    const f = { ...leak, count: 5 };
    expect(reporters.text([f], ctx)).toContain('has not fired yet when it ends (×5)  leaked-timer');
    expect(reporters.markdown([f], ctx)).toContain('| error | `src/poll.ts:4:3` | `leaked-timer` | setTimeout(…, 60000) created in this test has not fired yet when it ends (×5)<br>test: poller &gt; polls |');
    expect(reporters.github([f], ctx)).toContain('::setTimeout(…, 60000) created in this test has not fired yet when it ends (×5) [test: poller > polls]');
    const xml = reporters.junit([f], ctx);
    expect(xml).toContain('message="setTimeout(…, 60000) created in this test has not fired yet when it ends (×5)"');
    expect(xml).toContain('count: 5 (times it happened at this site)');
    expect(reporters.html([f], ctx)).toContain('<span class="badge count" title="happened 5 times at this site">(×5)</span>');
    const sarif = JSON.parse(reporters.sarif([f], ctx)) as { runs: Array<{ results: Array<{ occurrenceCount?: number; properties: { count?: number } }> }> };
    expect(sarif.runs[0]!.results[0]).toMatchObject({ occurrenceCount: 5, properties: { count: 5 } });
    expect(JSON.parse(reporters.json([f], ctx)).findings[0].count).toBe(5);
  });

  it('says nothing extra for a finding that happened once', () => {
    expect(reporters.text([leak], ctx)).toContain('has not fired yet when it ends  leaked-timer');
    const sarif = JSON.parse(reporters.sarif([leak], ctx)) as { runs: Array<{ results: Array<Record<string, unknown>> }> };
    expect(sarif.runs[0]!.results[0]).not.toHaveProperty('occurrenceCount');
  });

  it('a findings file with a count that is not a positive integer is rejected at that count', () => {
    const text = JSON.stringify({ version: 1, tool: { name: 'asyncsan', version: '0' }, findings: [{ ...leak, count: 0 }] });
    expect(() => parseDocument(text, 'r.json')).toThrow('r.json: does not match the findings schema at $.findings[0].count: must be at least 1, got 0');
    const half = JSON.stringify({ version: 1, tool: { name: 'asyncsan', version: '0' }, findings: [{ ...leak, count: 1.5 }] });
    expect(() => parseDocument(half, 'r.json')).toThrow('r.json: does not match the findings schema at $.findings[0].count');
    expect(parseDocument(JSON.stringify({ version: 1, tool: { name: 'asyncsan', version: '0' }, findings: [{ ...leak, count: 2 }] }), 'r.json').findings[0]?.count).toBe(2);
  });
});
