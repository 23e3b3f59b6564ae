/**
 * Reading a compiled file's own source map at report time: a .map file (with or
 * without sourceRoot), an inline map (base64 or percent-encoded), several sources,
 * columns, and what is left alone (no map, sources this machine does not have,
 * index maps, dependencies' frames).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseStack } from '../src/attribute.js';
import { originalPosition, originalSource } from '../src/source-maps.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'asyncsan-source-maps-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

// Segments: generated column, source, original line, original column (VLQ, relative).
// Line 1: col 0 -> source 0 line 3 col 0; col 10 -> source 0 line 3 col 14. Line 2: col 2 -> source 0 line 7 col 4 (columns are relative across lines).
const MAPPINGS = 'AAEA,UAAc;EAIV';

describe('originalPosition', () => {
  it('maps through a .map file, its sourceRoot and its sources, by column', () => {
    write('a/src/app.ts', '// the source\n');
    const js = write('a/dist/app.js', 'first();  second();\n  third();\n//# sourceMappingURL=app.js.map\n');
    write('a/dist/app.js.map', JSON.stringify({ version: 3, sourceRoot: '../src', sources: ['app.ts'], mappings: MAPPINGS }));
    const ts = path.join(root, 'a/src/app.ts');
    expect(originalPosition(js, 1, 1)).toEqual({ file: ts, line: 3, column: 1 });
    expect(originalPosition(js, 1, 11)).toEqual({ file: ts, line: 3, column: 15 });
    // Inside a segment: the segment's start; before the first segment of a line: the first.
    expect(originalPosition(js, 1, 15)).toEqual({ file: ts, line: 3, column: 15 });
    expect(originalPosition(js, 2, 1)).toEqual({ file: ts, line: 7, column: 5 });
    // A line the map says nothing about.
    expect(originalPosition(js, 3, 1)).toBeUndefined();
    expect(originalSource(js)).toBe(ts);
  });

  it('reads inline maps, base64 and percent-encoded', () => {
    write('b/app.ts', '');
    const map = JSON.stringify({ version: 3, sources: ['app.ts'], mappings: MAPPINGS });
    const b64 = write('b/b64.js', `x\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(map).toString('base64')}\n`);
    const pct = write('b/pct.js', `x\n//# sourceMappingURL=data:application/json,${encodeURIComponent(map)}\n`);
    for (const js of [b64, pct]) expect(originalPosition(js, 2, 3)).toEqual({ file: path.join(root, 'b/app.ts'), line: 7, column: 5 });
  });

  it('takes the last sourceMappingURL comment, and file: URLs as sources', () => {
    write('c/real.ts', '');
    const url = pathToFileURL(path.join(root, 'c/real.ts')).href;
    write('c/good.map', JSON.stringify({ version: 3, sources: [url], mappings: MAPPINGS }));
    const js = write('c/app.js', 'x\n//# sourceMappingURL=missing.map\n//# sourceMappingURL=good.map\n');
    expect(originalPosition(js, 1, 1)?.file).toBe(path.join(root, 'c/real.ts'));
  });

  it('several sources: each segment names its own; no single source for the file', () => {
    write('d/one.ts', '');
    write('d/two.ts', '');
    // Line 1 col 0 -> one.ts 1:0; line 2 col 0 -> two.ts 1:0.
    const js = write('d/bundle.js', 'a\nb\n//# sourceMappingURL=bundle.js.map\n');
    write('d/bundle.js.map', JSON.stringify({ version: 3, sources: ['one.ts', 'two.ts'], mappings: 'AAAA;ACAA' }));
    expect(originalPosition(js, 1, 1)?.file).toBe(path.join(root, 'd/one.ts'));
    expect(originalPosition(js, 2, 1)?.file).toBe(path.join(root, 'd/two.ts'));
    expect(originalSource(js)).toBeUndefined();
  });

  it('leaves alone what it cannot point at: no map, a source this machine lacks, another scheme, an index map, a broken map', () => {
    write('e/there.ts', '');
    const cases = {
      none: write('e/none.js', 'x\n'),
      elsewhere: write('e/elsewhere.js', 'x\n//# sourceMappingURL=elsewhere.js.map\n'),
      webpack: write('e/webpack.js', 'x\n//# sourceMappingURL=webpack.js.map\n'),
      sections: write('e/sections.js', 'x\n//# sourceMappingURL=sections.js.map\n'),
      broken: write('e/broken.js', 'x\n//# sourceMappingURL=broken.js.map\n'),
    };
    write('e/elsewhere.js.map', JSON.stringify({ version: 3, sources: ['/build/agent/src/gone.ts'], mappings: 'AAAA' }));
    write('e/webpack.js.map', JSON.stringify({ version: 3, sources: ['webpack://app/there.ts'], mappings: 'AAAA' }));
    write('e/sections.js.map', JSON.stringify({ version: 3, sections: [{ offset: { line: 0, column: 0 }, map: { version: 3, sources: ['there.ts'], mappings: 'AAAA' } }] }));
    write('e/broken.js.map', '{ not json');
    for (const [name, js] of Object.entries(cases)) {
      expect(originalPosition(js, 1, 1), name).toBeUndefined();
      expect(originalSource(js), name).toBeUndefined();
    }
    expect(originalPosition(path.join(root, 'e/no-such-file.js'), 1, 1)).toBeUndefined();
  });
});

describe('parseStack with sourceMaps', () => {
  it("maps the project's frames, keeps the generated file, and leaves dependencies and Node's own frames alone", () => {
    write('f/src/app.ts', '');
    const js = write('f/dist/app.js', 'first();  second();\n  third();\n//# sourceMappingURL=app.js.map\n');
    write('f/dist/app.js.map', JSON.stringify({ version: 3, sources: ['../src/app.ts'], mappings: MAPPINGS }));
    const dep = write('f/node_modules/dep/index.js', 'x\n//# sourceMappingURL=index.js.map\n');
    write('f/node_modules/dep/index.js.map', JSON.stringify({ version: 3, sources: ['../../src/app.ts'], mappings: MAPPINGS }));
    const stack = ['Error', `    at run (${js}:2:3)`, `    at dep (${dep}:1:1)`, '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)'].join('\n');
    const cwd = path.join(root, 'f');
    const mapped = parseStack(stack, { cwd, internalPaths: [], sourceMaps: true });
    expect(mapped.map((f) => `${f.file}:${f.line}:${f.column}`)).toEqual(['src/app.ts:7:5', 'node_modules/dep/index.js:1:1', 'node:internal/process/task_queues:95:5']);
    expect(mapped[0]!.generated).toBe(js);
    expect(mapped[0]!.function).toBe('run');
    // Without the option, the same text parses as it ran.
    const plain = parseStack(stack, { cwd, internalPaths: [] });
    expect(plain.map((f) => `${f.file}:${f.line}`)).toEqual(['dist/app.js:2', 'node_modules/dep/index.js:1', 'node:internal/process/task_queues:95']);
  });
});
