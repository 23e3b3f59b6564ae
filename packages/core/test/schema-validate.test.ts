/**
 * `asyncsan report` validates its input against the published findings schema
 * with core's own small validator (no Ajv at run time). Here it is held to Ajv on
 * the same schema: every mutation of a full document (each property removed,
 * retyped, or joined by an unknown one) is rejected by both or by neither, and
 * the place it names is where the mutation was made.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { firstSchemaError, parseDocument } from '@asyncsan/core';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const schema = JSON.parse(readFileSync(path.join(repoRoot, 'packages/core/schema/findings.schema.json'), 'utf8')) as Record<string, unknown>;
const ajvValidate = new Ajv({ strict: false }).compile(schema);

/** A document that uses every part of the schema: findings, timelines, comparison, diagnostics. */
function fullDocument(): Record<string, unknown> {
  const xss = JSON.parse(readFileSync(path.join(repoRoot, 'test/data/xss-findings.json'), 'utf8')) as Record<string, unknown>;
  const findings = xss.findings as Record<string, unknown>[];
  return {
    ...xss,
    baselined: 1,
    comparison: { base: 'old.json', new: ['abc'], unchanged: 0, fixed: [structuredClone(findings[0])] },
    diagnostics: [{ file: 'src/broken.ts', line: 2, column: 10, message: "':' expected.", kind: 'syntax' }],
  };
}

type Mutation = { where: (string | number)[]; doc: unknown };

/** Every object and array in the document, with its path. */
function* walk(value: unknown, where: (string | number)[] = []): Generator<{ value: unknown; where: (string | number)[] }> {
  yield { value, where };
  if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* walk(v, [...where, i]);
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) yield* walk(v, [...where, k]);
}

function at(doc: unknown, where: readonly (string | number)[]): unknown {
  return where.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], doc);
}

function mutations(): Mutation[] {
  const out: Mutation[] = [];
  const base = fullDocument();
  for (const { value, where } of walk(base)) {
    if (where.length === 0) continue;
    const parentPath = where.slice(0, -1);
    const key = where.at(-1)!;
    const replace = (v: unknown) => {
      const doc = structuredClone(base);
      (at(doc, parentPath) as Record<string | number, unknown>)[key] = v;
      out.push({ where, doc });
    };
    if (typeof key === 'string') {
      const doc = structuredClone(base);
      delete (at(doc, parentPath) as Record<string, unknown>)[key];
      out.push({ where, doc });
    }
    replace(typeof value === 'string' ? 42 : 'text');
    replace(null);
    if (typeof value === 'number') replace(-1);
    if (typeof value === 'number') replace(1.5);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const doc = structuredClone(base);
      (at(doc, where) as Record<string, unknown>).unexpected = true;
      out.push({ where: [...where, 'unexpected'], doc });
    }
  }
  return out;
}

const jsonPath = (where: readonly (string | number)[]) => `$${where.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('')}`;

describe('findings schema validation', () => {
  it('accepts a full document, as Ajv does', () => {
    expect(ajvValidate(fullDocument()), JSON.stringify(ajvValidate.errors)).toBe(true);
    expect(firstSchemaError(fullDocument())).toBeUndefined();
  });

  it('agrees with Ajv on every mutation, and names the mutated place', () => {
    const all = mutations();
    expect(all.length).toBeGreaterThan(200);
    let rejected = 0;
    for (const { where, doc } of all) {
      const ours = firstSchemaError(doc);
      expect(ours === undefined, `${jsonPath(where)}: ours ${JSON.stringify(ours)}, Ajv ${JSON.stringify(ajvValidate.errors?.[0])}`).toBe(ajvValidate(doc));
      if (ours) {
        rejected++;
        // The place named is the mutated value or its parent (a required property gone is named by itself).
        expect([jsonPath(where), jsonPath(where.slice(0, -1))]).toContain(ours.path);
      }
    }
    expect(rejected).toBeGreaterThan(100);
  });

  it('turns the first problem into one line with the file and the JSON path', () => {
    const doc = fullDocument();
    delete ((doc.findings as Record<string, unknown>[])[0]!.test as Record<string, unknown>).fullName;
    expect(() => parseDocument(JSON.stringify(doc), 'reports/run.json')).toThrow(
      /^reports\/run\.json: does not match the findings schema at \$\.findings\[0\]\.test\.fullName: is required$/,
    );
    const typo = { ...fullDocument(), finding: [] };
    expect(() => parseDocument(JSON.stringify(typo), 'r.json')).toThrow(/^r\.json: does not match the findings schema at \$\.finding: is not allowed here$/);
  });

  it('refuses a schema keyword it does not interpret instead of skipping it', () => {
    expect(() => firstSchemaError({}, { type: 'object', oneOf: [] })).toThrow(/keyword "oneOf" is not supported/);
  });
});
