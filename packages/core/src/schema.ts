/**
 * Validation of a findings document against the published JSON Schema
 * (schema/findings.schema.json, the file shipped in this package), so that
 * `asyncsan report` rejects what the schema rejects with one line naming the
 * place: `$.findings[0].test.fullName: is required`.
 *
 * The schema uses a small subset of draft-07; this interprets that subset and
 * refuses any other keyword, so a schema change that needs more fails the test
 * suite instead of being skipped silently (test/schema-validate.test.ts checks
 * it against Ajv).
 */
import { readFileSync } from 'node:fs';

type Schema = Record<string, unknown>;

/** Keywords that carry no constraint. */
const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', 'definitions']);
const KEYWORDS = new Set(['type', 'required', 'additionalProperties', 'properties', 'items', '$ref', 'const', 'enum', 'pattern', 'minimum']);

let cached: Schema | undefined;

/** The findings schema shipped with this package. */
export function findingsSchema(): Schema {
  cached ??= JSON.parse(readFileSync(new URL('../schema/findings.schema.json', import.meta.url), 'utf8')) as Schema;
  return cached;
}

/** `$.findings[0].test` from a list of keys and indexes. */
export function jsonPath(parts: readonly (string | number)[]): string {
  return `$${parts.map((p) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`)).join('')}`;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function show(v: unknown): string {
  const t = typeOf(v);
  if (t === 'object') return 'an object';
  if (t === 'array') return 'an array';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function matchesType(v: unknown, type: string): boolean {
  const t = typeOf(v);
  return t === type || (type === 'number' && t === 'integer');
}

/**
 * The first place where `value` breaks `schema`, as `{ path, message }`, or
 * undefined when it conforms. Properties are visited in the schema's order.
 */
export function firstSchemaError(value: unknown, schema: Schema = findingsSchema(), root: Schema = schema): { path: string; message: string } | undefined {
  const parts: (string | number)[] = [];
  const fail = (message: string) => ({ path: jsonPath(parts), message });

  const visit = (v: unknown, s: Schema): { path: string; message: string } | undefined => {
    for (const key of Object.keys(s)) {
      if (!ANNOTATIONS.has(key) && !KEYWORDS.has(key)) throw new Error(`findings schema: keyword "${key}" is not supported by the validator`);
    }
    if (typeof s.$ref === 'string') {
      const m = /^#\/definitions\/([\w-]+)$/.exec(s.$ref);
      const target = m ? (root.definitions as Record<string, Schema> | undefined)?.[m[1]!] : undefined;
      if (!target) throw new Error(`findings schema: cannot resolve $ref "${s.$ref}"`);
      const e = visit(v, target);
      if (e) return e;
    }
    if ('const' in s && v !== s.const) return fail(`must be ${JSON.stringify(s.const)}, got ${show(v)}`);
    if (Array.isArray(s.enum) && !s.enum.includes(v)) return fail(`must be one of ${s.enum.map((x) => JSON.stringify(x)).join(', ')}, got ${show(v)}`);
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      if (!types.some((t) => matchesType(v, t))) return fail(`must be ${types.map((t) => (t === 'integer' || t === 'object' || t === 'array' ? `an ${t}` : `a ${t}`)).join(' or ')}, got ${show(v)}`);
    }
    if (typeof v === 'string' && typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(v)) return fail(`must match ${s.pattern}, got ${show(v)}`);
    if (typeof v === 'number' && typeof s.minimum === 'number' && v < s.minimum) return fail(`must be at least ${s.minimum}, got ${v}`);
    if (typeOf(v) === 'object') {
      const obj = v as Record<string, unknown>;
      for (const name of (s.required as string[] | undefined) ?? []) {
        if (!Object.hasOwn(obj, name)) {
          parts.push(name);
          const e = fail('is required');
          parts.pop();
          return e;
        }
      }
      const props = (s.properties as Record<string, Schema> | undefined) ?? {};
      for (const [name, sub] of Object.entries(props)) {
        if (!Object.hasOwn(obj, name)) continue;
        parts.push(name);
        const e = visit(obj[name], sub);
        parts.pop();
        if (e) return e;
      }
      if (s.additionalProperties !== undefined && s.additionalProperties !== true) {
        for (const name of Object.keys(obj)) {
          if (Object.hasOwn(props, name)) continue;
          parts.push(name);
          const e = s.additionalProperties === false ? fail('is not allowed here') : visit(obj[name], s.additionalProperties as Schema);
          parts.pop();
          if (e) return e;
        }
      }
    }
    if (Array.isArray(v) && s.items !== undefined) {
      for (let i = 0; i < v.length; i++) {
        parts.push(i);
        const e = visit(v[i], s.items as Schema);
        parts.pop();
        if (e) return e;
      }
    }
    return undefined;
  };
  return visit(value, schema);
}
