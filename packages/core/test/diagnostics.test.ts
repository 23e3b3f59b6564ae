/**
 * A file that could not be analysed appears in every format (issue 19): the text
 * summary counts it, JSON carries it in `diagnostics` and reads it back, SARIF
 * makes it a tool execution notification, JUnit an error case, GitHub an error
 * annotation, markdown and HTML a section.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv } from 'ajv';
import ajvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import type { Diagnostic, Finding } from '@asyncsan/core';
import { filesNotAnalysed, mergeDiagnostics, parseDocument, reporters } from '@asyncsan/core';

const Ajv04 = ajvDraft04.default;
const require = createRequire(import.meta.url);
const repoRoot = path.resolve(import.meta.dirname, '../../..');
const sarifSchema = JSON.parse(
  readFileSync(path.join(path.dirname(require.resolve('@microsoft/jest-sarif/package.json')), 'lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
) as object;
const findingsSchema = JSON.parse(readFileSync(path.join(repoRoot, 'packages/core/schema/findings.schema.json'), 'utf8')) as object;

const diagnostics: Diagnostic[] = [
  { file: 'src/broken.ts', line: 3, column: 1, message: "'}' expected.", kind: 'syntax' },
  { file: 'src/broken.ts', line: 2, column: 10, message: "':' expected.", kind: 'syntax' },
];
const finding: Finding = {
  id: 'floating-promise',
  severity: 'error',
  message: 'This promise is neither awaited nor handled',
  engine: 'analyzer',
  location: { file: 'src/orders.ts', line: 7, column: 3 },
};
const ctx = { cwd: '/project', toolVersion: '0.1.0', readLine: () => undefined, diagnostics };

describe('files that could not be analysed', () => {
  it('text lists each diagnostic and counts the files in the summary, with and without findings', () => {
    const none = reporters.text([], ctx);
    expect(none).toBe(
      [
        'Could not analyse 1 file (findings there are missing):',
        "  src/broken.ts:2:10  syntax error  ':' expected.",
        "  src/broken.ts:3:1  syntax error  '}' expected.",
        '',
        '✖ No async hazards found in the files analysed · 1 file could not be analysed',
        '',
      ].join('\n'),
    );
    expect(none).not.toContain('✔');
    const some = reporters.text([finding], ctx);
    expect(some.endsWith('✖ 1 problem (1 error, 0 warnings) · 1 file could not be analysed\n')).toBe(true);
    // Without diagnostics the summary is what it always was.
    expect(reporters.text([], { ...ctx, diagnostics: [] })).toBe('✔ No async hazards found\n');
  });

  it('json carries them sorted, validates against the schema, and reads back', () => {
    const text = reporters.json([finding], ctx);
    const doc = JSON.parse(text) as { diagnostics: Diagnostic[] };
    expect(doc.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}`)).toEqual(['src/broken.ts:2:10', 'src/broken.ts:3:1']);
    const validate = new Ajv({ strict: false }).compile(findingsSchema);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(parseDocument(text, 'r.json').diagnostics).toEqual(doc.diagnostics);
    // A clean document has no diagnostics key at all.
    expect(JSON.parse(reporters.json([finding], { ...ctx, diagnostics: [] }))).not.toHaveProperty('diagnostics');
  });

  it('sarif reports them as tool execution notifications and stays valid SARIF', () => {
    const log = JSON.parse(reporters.sarif([finding], ctx));
    const run = log.runs[0];
    expect(run.invocations).toHaveLength(1);
    expect(run.invocations[0].executionSuccessful).toBe(true);
    const notes = run.invocations[0].toolExecutionNotifications;
    expect(notes.map((n: { level: string; message: { text: string } }) => [n.level, n.message.text])).toEqual([
      ['error', "syntax error: ':' expected. (the file was not analysed)"],
      ['error', "syntax error: '}' expected. (the file was not analysed)"],
    ]);
    expect(notes[0].locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'src/broken.ts', uriBaseId: '%SRCROOT%' }, region: { startLine: 2, startColumn: 10 } });
    expect(run.tool.driver.notifications.map((n: { id: string }) => n.id)).toEqual(['syntax-error', 'internal-error']);
    expect(run.results).toHaveLength(1);
    // As test/sarif.test.ts: the schema's language pattern is not a valid unicode regexp.
    const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false, validateFormats: false });
    const validate = ajv.compile(sarifSchema);
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    // A check that failed makes the execution unsuccessful.
    const failed = JSON.parse(reporters.sarif([], { ...ctx, diagnostics: [{ file: 'a.ts', line: 1, column: 1, message: 'check x failed', kind: 'internal' }] }));
    expect(failed.runs[0].invocations[0].executionSuccessful).toBe(false);
    expect(failed.runs[0].invocations[0].toolExecutionNotifications[0].descriptor).toEqual({ id: 'internal-error', index: 1 });
  });

  it('junit makes each file an error case, github an error annotation, markdown and html a section', () => {
    const xml = reporters.junit([], ctx);
    expect(xml).toContain('<testsuites name="asyncsan" tests="1" failures="0" errors="1">');
    expect(xml).toContain('<testcase classname="asyncsan.not-analysed" name="src/broken.ts could not be analysed" file="src/broken.ts">');
    expect(xml).toContain(`<error type="syntax-error" message="syntax error: &apos;:&apos; expected.">`);
    expect(xml).not.toContain('no async hazards');
    expect(reporters.github([], ctx).split('\n')[0]).toBe(
      "::error file=src/broken.ts,line=2,col=10,title=asyncsan%3A syntax error::':' expected.%0AThe file was not analysed: fix the syntax error to check it.",
    );
    const md = reporters.markdown([], ctx);
    expect(md).toContain('No async hazards found in the files analysed.');
    expect(md).toContain('### :x: 1 file could not be analysed');
    expect(md).toContain("| `src/broken.ts:2:10` | syntax error: ':' expected. |");
    const html = reporters.html([], ctx);
    expect(html).toContain('<span id="count-not-analysed">1 file not analysed</span>');
    expect(html).toContain('<li><code>src/broken.ts:2:10</code> syntax error: &#39;:&#39; expected.</li>');
  });

  it('merging keeps exact repeats once and counts files', () => {
    const merged = mergeDiagnostics([diagnostics, [diagnostics[0]!, { file: 'a.ts', line: 1, column: 1, message: 'x', kind: 'syntax' }], undefined]);
    expect(merged.map((d) => `${d.file}:${d.line}`)).toEqual(['a.ts:1', 'src/broken.ts:2', 'src/broken.ts:3']);
    expect(filesNotAnalysed(merged)).toBe(2);
  });
});
