/**
 * Splitting the work items over N worker threads so that the workers share as
 * little of the program as possible. Each worker builds a Program whose roots
 * are only its own files (TypeScript pulls in what they import), so a shard
 * that is a whole connected part of the import graph costs its worker only
 * that part: parsing, binding and, above all, the type checker's work on the
 * types those files use. Two halves of one tightly knit package each pay for
 * most of it, so whole components are kept together where the balance allows.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';
import type { LoadSpec, WorkItem } from './shard.js';
import { DECLARATION_FILE } from './tsconfig.js';

/** Tokens after which a slash divides; anywhere else it opens a regular expression. */
const ENDS_EXPRESSION = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.Identifier,
  ts.SyntaxKind.PrivateIdentifier,
  ts.SyntaxKind.NumericLiteral,
  ts.SyntaxKind.BigIntLiteral,
  ts.SyntaxKind.StringLiteral,
  ts.SyntaxKind.NoSubstitutionTemplateLiteral,
  ts.SyntaxKind.TemplateTail,
  ts.SyntaxKind.RegularExpressionLiteral,
  ts.SyntaxKind.CloseParenToken,
  ts.SyntaxKind.CloseBracketToken,
  ts.SyntaxKind.CloseBraceToken,
  ts.SyntaxKind.ThisKeyword,
  ts.SyntaxKind.SuperKeyword,
  ts.SyntaxKind.TrueKeyword,
  ts.SyntaxKind.FalseKeyword,
  ts.SyntaxKind.NullKeyword,
  ts.SyntaxKind.PlusPlusToken,
  ts.SyntaxKind.MinusMinusToken,
]);

/**
 * What a file does to the files that do not import it, read with the scanner
 * (comments and strings skipped, no parse): a script (no top-level import or
 * export) declares globals, `declare global` augments them, and
 * `declare module "x"` augments module x. Also the module specifiers it imports.
 */
function effects(text: string): { global: boolean; specifiers: string[]; augments: string[] } {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  const K = ts.SyntaxKind;
  let depth = 0;
  let module = false;
  let global = false;
  const augments: string[] = [];
  const specifiers: string[] = [];
  const templates: number[] = [];
  let prev: ts.SyntaxKind = K.Unknown;
  let prevPrev: ts.SyntaxKind = K.Unknown;
  for (let t = scanner.scan(); t !== K.EndOfFileToken; t = scanner.scan()) {
    // A top-level import makes a module; import(…) and import.meta do not say so (a script may use them).
    if (prev === K.ImportKeyword && prevPrev !== K.DotToken && depth === 0 && t !== K.OpenParenToken && t !== K.DotToken) module = true;
    // A slash where an expression starts opens a regular expression, whose quotes are not strings.
    if ((t === K.SlashToken || t === K.SlashEqualsToken) && !ENDS_EXPRESSION.has(prev)) t = scanner.reScanSlashToken();
    if (t === K.TemplateHead) templates.push(depth);
    else if (t === K.OpenBraceToken) depth++;
    else if (t === K.CloseBraceToken) {
      if (templates.length > 0 && templates[templates.length - 1] === depth) {
        if (scanner.reScanTemplateToken(false) === K.TemplateTail) templates.pop();
      } else depth = Math.max(0, depth - 1);
    } else if (depth === 0 && t === K.ExportKeyword && prev !== K.DotToken) {
      module = true;
    } else if (prev === K.DeclareKeyword && t === K.GlobalKeyword) {
      global = true;
    } else if (t === K.StringLiteral) {
      if (prevPrev === K.DeclareKeyword && prev === K.ModuleKeyword) augments.push(scanner.getTokenValue());
      // from 'x', import 'x', import('x'), require('x'), import x = require('x')
      else if (
        prev === K.FromKeyword ||
        prev === K.ImportKeyword ||
        (prev === K.OpenParenToken && (prevPrev === K.ImportKeyword || prevPrev === K.RequireKeyword))
      ) {
        specifiers.push(scanner.getTokenValue());
      }
    }
    prevPrev = prev;
    prev = t;
  }
  return { global: global || !module, specifiers, augments };
}

export interface Partition {
  /** One list per worker, each in the order of `items`; none empty. */
  shards: WorkItem[][];
  /** Per project: files every shard of it must load (declaration files, scripts, augmentations). */
  shared: string[][];
}

interface FileInfo {
  bytes: number;
  imports: string[];
  global: boolean;
}

const TRIPLE_SLASH_PATH = /^\/\/\/\s*<reference\s+path\s*=\s*["']([^"']+)["']/gm;

function scan(file: string, options: ts.CompilerOptions, cache: ts.ModuleResolutionCache): FileInfo {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { bytes: 0, imports: [], global: false };
  }
  const { global, specifiers, augments } = effects(text);
  const imports: string[] = [];
  // An augmentation travels with the module it augments (an import edge), a global one with every shard.
  for (const name of new Set([...specifiers, ...augments])) {
    const resolved = ts.resolveModuleName(name, file, options, ts.sys, cache).resolvedModule;
    if (resolved) imports.push(path.resolve(resolved.resolvedFileName));
  }
  for (const m of text.matchAll(TRIPLE_SLASH_PATH)) imports.push(path.resolve(path.dirname(file), m[1]!));
  return { bytes: text.length, imports, global };
}

/** Connected components of the import graph among `files` (indices into it), each sorted. */
function components(files: readonly string[], infos: readonly FileInfo[]): number[][] {
  const index = new Map(files.map((f, i) => [f, i]));
  const parent = files.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  infos.forEach((info, i) => {
    for (const target of info.imports) {
      const j = index.get(target);
      if (j !== undefined) parent[find(j)] = find(i);
    }
  });
  const groups = new Map<number, number[]>();
  files.forEach((_, i) => {
    const root = find(i);
    const g = groups.get(root);
    if (g) g.push(i);
    else groups.set(root, [i]);
  });
  return [...groups.values()];
}

/**
 * Deterministic: the same items and N give the same shards. Components over
 * twice a worker's fair share are cut into runs of neighbouring paths
 * (files of one folder tend to share the most); then pieces go, largest first,
 * to the least loaded worker. Weights are source sizes.
 */
export function partition(specs: readonly LoadSpec[], items: readonly WorkItem[], n: number): Partition {
  const infos: FileInfo[] = [];
  const shared: string[][] = specs.map(() => []);
  const byProject = new Map<number, number[]>();
  items.forEach((item, i) => {
    const list = byProject.get(item.project);
    if (list) list.push(i);
    else byProject.set(item.project, [i]);
  });
  for (const [project, list] of byProject) {
    const spec = specs[project]!;
    const cache = ts.createModuleResolutionCache(path.dirname(spec.tsconfig), (s) => s, spec.options);
    for (const i of list) infos[i] = scan(items[i]!.file, spec.options, cache);
    const globals = list.filter((i) => infos[i]!.global).map((i) => items[i]!.file);
    const declarations = spec.rootFiles.filter((f) => DECLARATION_FILE.test(f) && isFile(f));
    shared[project] = [...declarations, ...globals];
  }

  // Pieces: components of each project's import graph, in item indices.
  const pieces: number[][] = [];
  for (const list of byProject.values()) {
    for (const comp of components(list.map((i) => items[i]!.file), list.map((i) => infos[i]!))) {
      pieces.push(comp.map((k) => list[k]!).sort((a, b) => a - b));
    }
  }
  const size = (i: number) => infos[i]!.bytes + 1;
  const weight = (piece: readonly number[]) => piece.reduce((s, i) => s + size(i), 0);
  const total = pieces.reduce((s, p) => s + weight(p), 0);
  const share = total / n;
  const cut: { items: number[]; weight: number }[] = [];
  for (const piece of pieces) {
    const w = weight(piece);
    // Cutting a component makes each part load and type most of what the whole uses: only
    // worth it when keeping it whole would leave one worker with over twice its share (so
    // never with 2 threads; on the bench corpus, cutting effect's sources in two cost 30%
    // more CPU in all than keeping them on one worker).
    if (w <= share * 2) {
      cut.push({ items: piece, weight: w });
      continue;
    }
    // Items are sorted by project and path, so index order is path order.
    let run = { items: [] as number[], weight: 0 };
    for (const i of piece) {
      if (run.items.length > 0 && run.weight + size(i) > share) {
        cut.push(run);
        run = { items: [], weight: 0 };
      }
      run.items.push(i);
      run.weight += size(i);
    }
    if (run.items.length > 0) cut.push(run);
  }
  cut.sort((a, b) => b.weight - a.weight || a.items[0]! - b.items[0]!);
  const loads = Array.from({ length: n }, () => ({ weight: 0, items: [] as number[] }));
  for (const piece of cut) {
    let best = loads[0]!;
    for (const l of loads) if (l.weight < best.weight) best = l;
    best.weight += piece.weight;
    best.items.push(...piece.items);
  }
  const shards = loads
    .filter((l) => l.items.length > 0)
    .map((l) => l.items.sort((a, b) => a - b).map((i) => items[i]!));
  return { shards, shared };
}

function isFile(f: string): boolean {
  try {
    return statSync(f).isFile();
  } catch {
    return false;
  }
}
