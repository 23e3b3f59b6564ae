import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { Finding, TestTimeline } from '@asyncsan/core';
import { mergeTimelines, parseDocument, reporters } from '@asyncsan/core';

const test = { file: 'test/a.test.ts', name: 'leaks', fullName: 'a > leaks' };
const finding: Finding = {
  id: 'leaked-timer',
  severity: 'error',
  message: 'setInterval(…, 1000) created in this test is still armed when it ends',
  engine: 'tracer',
  location: { file: 'src/a.ts', line: 3, column: 5 },
  test,
  fingerprint: 'fp-timer',
};
const timeline: TestTimeline = {
  test,
  startedAt: 1_795_333_517_397,
  end: 2.5,
  judged: 9,
  outcome: 'failed',
  lanes: [
    { label: 'test body', kind: 'task', start: 0.1, end: 2.2, state: 'settled' },
    { label: 'setInterval(…, 1000)', kind: 'timer', site: { file: 'src/a.ts', line: 3, column: 5 }, start: 0.4, state: 'leaked', findings: ['fp-timer'] },
    {
      label: 'async poll',
      kind: 'task',
      site: { file: 'src/a.ts', line: 9, column: 3 },
      start: 0.5,
      state: 'pending',
      events: [{ at: 1.25, kind: 'suspended', site: { file: 'src/a.ts', line: 9, column: 3 } }],
    },
  ],
};
const doc = (extra: Record<string, unknown>) => JSON.stringify({ version: 1, tool: { name: 'asyncsan', version: '0.1.0' }, findings: [finding], ...extra });

describe('timelines in the findings document', () => {
  it('parses a document with timelines, and one without (static-only, or written before them)', () => {
    expect(parseDocument(doc({ timelines: [timeline] }), 'a.json').timelines).toEqual([timeline]);
    const old = parseDocument(doc({}), 'old.json');
    expect(old.timelines).toBeUndefined();
    expect(old.findings).toEqual([finding]);
  });

  it('says which timeline and lane is wrong, by its JSON path in the document', () => {
    const bad = (t: unknown) => () => parseDocument(doc({ timelines: [timeline, t] }), 'x.json');
    const at = (where: string) => `x.json: does not match the findings schema at ${where}`;
    expect(() => parseDocument(doc({ timelines: {} }), 'x.json')).toThrow(at('$.timelines: must be an array, got an object'));
    expect(bad({ ...timeline, test: { file: 'a' } })).toThrow(at('$.timelines[1].test.name: is required'));
    expect(bad({ ...timeline, end: '2' })).toThrow(at('$.timelines[1].end: must be a number, got "2"'));
    expect(bad({ ...timeline, outcome: 'red' })).toThrow(at('$.timelines[1].outcome: must be one of "passed", "failed", got "red"'));
    expect(bad({ ...timeline, lanes: [{ ...timeline.lanes[0], state: 'gone' }] })).toThrow(
      at('$.timelines[1].lanes[0].state: must be one of "settled", "closed", "pending", "leaked", got "gone"'),
    );
    expect(bad({ ...timeline, lanes: [timeline.lanes[0], { ...timeline.lanes[1], kind: 'fiber' }] })).toThrow(
      at('$.timelines[1].lanes[1].kind: must be one of "task", "timer", "handle", "event-wait", "stream", "generator", "listener", got "fiber"'),
    );
    expect(bad({ ...timeline, lanes: [{ ...timeline.lanes[1], findings: [3] }] })).toThrow(at('$.timelines[1].lanes[0].findings[0]: must be a string, got 3'));
    expect(bad({ ...timeline, lanes: [{ ...timeline.lanes[2], events: [{ at: 1, kind: 'woke' }] }] })).toThrow(
      at('$.timelines[1].lanes[0].events[0].kind: must be one of "suspended", "fired", got "woke"'),
    );
    expect(bad({ ...timeline, lanes: [{ ...timeline.lanes[1], site: { file: 'a' } }] })).toThrow(at('$.timelines[1].lanes[0].site.line: is required'));
  });

  it('merges across files: an exact repeat once, other runs of a test kept, ordered by file, name and start', () => {
    const other: TestTimeline = { ...timeline, test: { file: 'test/0.test.ts', name: 'x', fullName: 'zero > x' } };
    const retry: TestTimeline = { ...timeline, startedAt: timeline.startedAt! + 50 };
    const merged = mergeTimelines([[retry, timeline], undefined, [timeline, other]]);
    expect(merged.map((t) => [t.test.fullName, t.startedAt])).toEqual([
      ['zero > x', timeline.startedAt],
      ['a > leaks', timeline.startedAt],
      ['a > leaks', timeline.startedAt! + 50],
    ]);
  });

  it('the json reporter writes them, schema-valid, and nothing when there are none', () => {
    const ctx = { cwd: '/nowhere', toolVersion: '0.1.0', readLine: () => undefined };
    const written = JSON.parse(reporters.json([finding], { ...ctx, timelines: [timeline] }));
    expect(written.timelines).toEqual([timeline]);
    expect('timelines' in JSON.parse(reporters.json([finding], ctx))).toBe(false);
    const schema = JSON.parse(readFileSync(new URL('../schema/findings.schema.json', import.meta.url), 'utf8'));
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(written), JSON.stringify(validate.errors)).toBe(true);
    // Not vacuous: a lane in an unknown state is rejected.
    written.timelines[0].lanes[0].state = 'gone';
    expect(validate(written)).toBe(false);
  });

  it('the html reporter draws a figure per timeline and none for a static-only run', () => {
    const ctx = { cwd: '/nowhere', toolVersion: '0.1.0', readLine: () => undefined };
    const html = reporters.html([finding], { ...ctx, timelines: [timeline] });
    expect(html.match(/<figure class="timeline"/g)).toHaveLength(1);
    expect(html.match(/class="tl-row tl-lane"/g)).toHaveLength(3);
    expect(html).toContain('<a class="tl-finding" href="#f-fp-timer">leaked-timer</a>');
    expect(html).toContain('id="f-fp-timer"');
    expect(html).toContain('title="suspended at src/a.ts:9:3 (1.25 ms)"');
    const plain = reporters.html([{ ...finding, engine: 'analyzer', test: undefined }], ctx);
    expect(plain).not.toContain('id="timelines"');
    expect(plain).not.toContain('<figure');
  });
});
