import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { catalog, catalogIds } from '@asyncsan/core';
import { repoRoot } from '@asyncsan/test-harness/expectations';

const page = (id: string) => path.join(repoRoot, 'docs/rules', `${id}.md`);

/** Every ```ts block of a page, with the line it starts on. */
function codeBlocks(text: string): { code: string; line: number }[] {
  const out: { code: string; line: number }[] = [];
  const re = /^```ts\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push({ code: m[1]!, line: text.slice(0, m.index).split('\n').length + 1 });
  return out;
}

describe('docs/rules', () => {
  it.each(catalogIds)('%s has a page with the required sections', (id) => {
    expect(existsSync(page(id)), `docs/rules/${id}.md is missing`).toBe(true);
    const text = readFileSync(page(id), 'utf8');
    expect(text.startsWith(`# ${id}\n\n> ${catalog.get(id)!.title}\n`)).toBe(true);
    for (const section of ['## Why it matters', '## Examples', '### Bad', '### Good', '## Options', '## Detected by']) {
      expect(text, `${id}: missing "${section}"`).toContain(`\n${section}\n`);
    }
    expect(codeBlocks(text).length, `${id}: needs bad and good code examples`).toBeGreaterThanOrEqual(2);
  });

  it('every page\'s code examples compile', () => {
    // Each block is its own module, type-checked with the fixtures' compiler options.
    const config = ts.getParsedCommandLineOfConfigFile(path.join(repoRoot, 'fixtures/tsconfig.json'), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    })!;
    const files = new Map<string, { id: string; line: number }>();
    const sources = new Map<string, string>();
    for (const id of catalogIds) {
      if (!existsSync(page(id))) continue;
      codeBlocks(readFileSync(page(id), 'utf8')).forEach((b, i) => {
        const name = path.join(repoRoot, 'docs/rules', `.${id}.example${i}.ts`);
        files.set(name, { id, line: b.line });
        sources.set(name, b.code.includes('import ') || b.code.includes('export ') ? b.code : `${b.code}\nexport {};\n`);
      });
    }
    const host = ts.createCompilerHost(config.options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, lang, ...rest) =>
      sources.has(name) ? ts.createSourceFile(name, sources.get(name)!, lang) : getSourceFile(name, lang, ...rest);
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => sources.has(name) || fileExists(name);
    const program = ts.createProgram([...files.keys()], { ...config.options, noEmit: true }, host);
    const errors = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file && files.has(d.file.fileName))
      .map((d) => {
        const where = files.get(d.file!.fileName)!;
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        return `docs/rules/${where.id}.md:${where.line + line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(errors).toEqual([]);
  });
});
