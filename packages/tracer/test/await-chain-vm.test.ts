/**
 * In a vm context (Vitest's vmThreads pool) the realm's own Error.prepareStackTrace
 * is undefined and the runtime formats stacks with the main realm's formatter (the
 * one that applies source maps). The await-chain probe must leave that formatter in
 * charge: a formatter of its own on the context's Error used to shadow it, so the
 * reported await lines were the transformed ones (off by what the transform added).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@asyncsan/test-harness/expectations';

type Prepare = (error: Error, sites: NodeJS.CallSite[]) => unknown;

/** The probe's own source, compiled to a script that defines probeAwaiters in the context. */
function probeScript(): string {
  const source = readFileSync(path.join(repoRoot, 'packages/tracer/src/await-chain.ts'), 'utf8');
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  return `${js.replace(/^export /gm, '')}\nglobalThis.probeAwaiters = probeAwaiters;`;
}

const USER = `
async function inner() {
  await globalThis.never;
}
async function outer() {
  await inner();
}
globalThis.never = new Promise(() => {});
void outer();
globalThis.probeAwaiters(globalThis.never);
`;

describe('await-chain probe in a vm context', () => {
  it("keeps the main realm's formatter in charge when the context has none (lines as the runtime maps them)", async () => {
    const main = Error as { prepareStackTrace?: Prepare };
    const before = main.prepareStackTrace;
    // Stands in for a source-mapping formatter: the transformed code had two extra lines.
    main.prepareStackTrace = (error, sites) =>
      `${String(error)}\n${sites.map((s) => `    at ${s.isAsync() ? 'async ' : ''}${s.getFunctionName() ?? '<anonymous>'} (${s.getFileName()}:${(s.getLineNumber() ?? 0) - 2}:${s.getColumnNumber()})`).join('\n')}`;
    try {
      const ctx = vm.createContext({});
      vm.runInContext(probeScript(), ctx, { filename: '/virtual/await-chain.js' });
      expect(vm.runInContext('typeof Error.prepareStackTrace', ctx)).toBe('undefined');
      const probed = (await vm.runInContext(USER, ctx, { filename: '/virtual/user.js' })) as { text: string; async?: boolean[] };
      const userLines = probed.text.split('\n').filter((l) => l.includes('/virtual/user.js'));
      // Raw lines are 3 (inner's await) and 6 (outer's await); the main formatter maps them to 1 and 4.
      expect(userLines.map((l) => l.trim())).toEqual(['at async inner (/virtual/user.js:1:3)', 'at async outer (/virtual/user.js:4:3)']);
      // The async flags still line up with the frame lines.
      const frameLines = probed.text.split('\n').filter((l) => /^\s*at /.test(l));
      expect(probed.async).toHaveLength(frameLines.length);
      expect(frameLines.filter((_, i) => probed.async![i]).map((l) => l.trim())).toEqual(userLines.map((l) => l.trim()));
      // The context's Error is left as it was.
      expect(vm.runInContext('typeof Error.prepareStackTrace', ctx)).toBe('undefined');
    } finally {
      main.prepareStackTrace = before;
    }
  });
});
