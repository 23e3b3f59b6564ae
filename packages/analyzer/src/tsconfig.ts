/**
 * Finding and reading tsconfig files: the nearest tsconfig.json above each
 * path, and every project a solution-style tsconfig references (recursively).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';
import { AnalyzerError } from './errors.js';

export interface ProjectSpec {
  /** Absolute path of the tsconfig file. */
  tsconfig: string;
  /** Root files the tsconfig lists (absolute); empty for a pure solution file. */
  rootFiles: string[];
  /** Its compiler options, as parsed (module resolution when partitioning for threads). */
  options: ts.CompilerOptions;
}

/** A declaration file: `.d.ts`, `.d.mts`, `.d.cts`, and `.d.<ext>.ts` for arbitrary extensions. */
export const DECLARATION_FILE = /\.d\.[cm]?ts$|\.d\.[^/\\]+\.ts$/;

function diagnosticText(d: ts.Diagnostic): string {
  return ts.flattenDiagnosticMessageText(d.messageText, ' ').replace(/\s+/g, ' ').trim();
}

function where(d: ts.Diagnostic, fallback: string): string {
  if (d.file && d.start !== undefined) {
    const lc = d.file.getLineAndCharacterOfPosition(d.start);
    return `${d.file.fileName}:${lc.line + 1}:${lc.character + 1}`;
  }
  return fallback;
}

/** The nearest tsconfig.json at or above `p` (a file or a directory). */
export function discoverTsconfig(p: string): string {
  const start = statSync(p).isDirectory() ? p : path.dirname(p);
  const found = ts.findConfigFile(start, ts.sys.fileExists, 'tsconfig.json');
  if (!found) throw new AnalyzerError(`no tsconfig.json found in ${start} or any parent directory: create one (npx tsc --init), or name one with --project <tsconfig>`, p);
  return path.resolve(found);
}

// Diagnostics that do not make a tsconfig unusable for analysis.
const BENIGN = new Set([
  18003, // No inputs were found in config file: a solution file, or a folder without sources yet
]);

/** Parses one tsconfig; throws AnalyzerError with the file and the first error if it cannot be used. */
export function readTsconfig(file: string): { spec: ProjectSpec; references: string[] } {
  if (!existsSync(file)) throw new AnalyzerError(`tsconfig not found: ${file}`, file);
  if (statSync(file).isDirectory()) throw new AnalyzerError(`tsconfig is a directory, not a file: ${file}`, file);
  const read = ts.readConfigFile(file, ts.sys.readFile);
  if (read.error) {
    throw new AnalyzerError(`cannot read tsconfig ${where(read.error, file)}: ${diagnosticText(read.error)}`, file);
  }
  if (typeof read.config !== 'object' || read.config === null || Array.isArray(read.config)) {
    throw new AnalyzerError(`tsconfig ${file} does not contain a JSON object`, file);
  }
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(file), undefined, file);
  const error = parsed.errors.find((d) => d.category === ts.DiagnosticCategory.Error && !BENIGN.has(d.code));
  if (error) throw new AnalyzerError(`invalid tsconfig ${where(error, file)}: ${diagnosticText(error)}`, file);
  const references = (parsed.projectReferences ?? []).map((r) => path.resolve(ts.resolveProjectReferencePath(r)));
  return {
    spec: { tsconfig: path.resolve(file), rootFiles: parsed.fileNames.map((f) => path.resolve(f)), options: parsed.options },
    references,
  };
}

/**
 * Every project reachable from the given tsconfigs through `references`,
 * depth first in reference order, each once. A reference cycle is tolerated.
 */
export function loadProjectGraph(tsconfigs: readonly string[]): ProjectSpec[] {
  const out: ProjectSpec[] = [];
  const seen = new Set<string>();
  const visit = (file: string, from?: string) => {
    const abs = path.resolve(file);
    if (seen.has(abs)) return;
    seen.add(abs);
    if (from && !existsSync(abs)) {
      throw new AnalyzerError(`tsconfig ${from} references ${abs}, which does not exist`, from);
    }
    const { spec, references } = readTsconfig(abs);
    out.push(spec);
    for (const ref of references) visit(ref, abs);
  };
  for (const t of tsconfigs) visit(t);
  return out;
}
