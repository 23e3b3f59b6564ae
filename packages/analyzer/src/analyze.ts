import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { requireEntry, sortFindings, type Finding, type HazardId } from '@asyncsan/core';
import { allChecks, formatMessage, toFindings } from '@asyncsan/checks';
import { AnalyzerError } from './errors.js';
import { allProgramChecks } from './program-checks/all.js';
import type { ProgramCheck, Span } from './program-checks/program-check.js';
import { ts } from 'ts-morph';
import { processShard, type LoadSpec, type ShardConfig, type ShardResult, type WorkItem } from './shard.js';
import { runInThreads, runningFromBuild, threadsSupported } from './threads.js';
import { DECLARATION_FILE, discoverTsconfig, loadProjectGraph } from './tsconfig.js';
import { isTs7, loadTs7, processShardTs7, projectTypeScript, TS7_CHECKS, typeScriptAt } from './ts7/backend.js';
import type { AnalyzeOptions, AnalyzeResult, AnalyzerDiagnostic, NotRun } from './types.js';

const SOURCE = /\.(?:[cm]?ts|tsx|[cm]?js|jsx)$/;

/**
 * Source files only. node_modules is not filtered here: TypeScript's own
 * include matching already leaves it out unless a tsconfig names it explicitly.
 */
function isProjectSource(file: string): boolean {
  return SOURCE.test(file) && !DECLARATION_FILE.test(file);
}

function isUnder(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The ids a run with these options can report: compare fixtures only on these. */
export function claimedIds(options: Pick<AnalyzeOptions, 'checks' | 'programChecks'> = {}): HazardId[] {
  const ids = new Set<HazardId>();
  for (const c of options.checks ?? allChecks) ids.add(c.id);
  for (const c of options.programChecks ?? allProgramChecks) ids.add(c.id);
  return [...ids].sort();
}

interface Plan {
  specs: LoadSpec[];
  items: WorkItem[];
  analyzed: number;
}

/** Which project each file is analysed in (the first that includes it), and which files are under the paths. */
function plan(cwd: string, paths: string[], tsconfig: string | undefined, wholeProgram: boolean): Plan {
  const roots = tsconfig ? [path.resolve(cwd, tsconfig)] : [...new Set(paths.map(discoverTsconfig))];
  const specs: LoadSpec[] = loadProjectGraph(roots).map((s) => ({ ...s, extraFiles: [] }));
  const owner = new Map<string, number>();
  specs.forEach((spec, i) => {
    for (const f of spec.rootFiles) if (isProjectSource(f) && !owner.has(f)) owner.set(f, i);
  });
  // A file named explicitly that no tsconfig includes is added to the project discovered for it.
  for (const p of paths) {
    if (owner.has(p) || !isProjectSource(p) || !statSync(p).isFile()) continue;
    const target = tsconfig ? path.resolve(cwd, tsconfig) : discoverTsconfig(p);
    let i = specs.findIndex((s) => s.tsconfig === target && s.rootFiles.length > 0);
    if (i < 0) i = specs.findIndex((s) => s.rootFiles.length > 0);
    if (i < 0) i = 0;
    specs[i]!.extraFiles.push(p);
    owner.set(p, i);
  }
  const items: WorkItem[] = [];
  let analyzed = 0;
  for (const [file, project] of owner) {
    const analyze = paths.some((p) => isUnder(file, p));
    if (analyze) analyzed++;
    if (analyze || wholeProgram) items.push({ file, project, analyze });
  }
  items.sort((a, b) => a.project - b.project || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { specs, items, analyzed };
}

function spanToLocation(span: Span, rel: (f: string) => string) {
  return { file: rel(span.file), line: span.line, column: span.column, endLine: span.endLine, endColumn: span.endColumn };
}

/** Runs every program check's `conclude` over the merged summaries. */
function concludeProgramChecks(
  programChecks: readonly ProgramCheck[],
  summaries: ShardResult['summaries'],
  analyzedFiles: ReadonlySet<string>,
  rel: (f: string) => string,
): Finding[] {
  const out: Finding[] = [];
  for (const check of programChecks) {
    const mine = summaries
      .filter(([id]) => id === check.id)
      .sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    const map = new Map<string, unknown>(mine.map(([, file, s]) => [file, s]));
    const reports = check.conclude(map, { isAnalyzed: (f) => analyzedFiles.has(f) });
    const severity = requireEntry(check.id).defaultSeverity;
    for (const r of reports) {
      const template = check.messages[r.messageId];
      if (template === undefined) throw new Error(`program check ${check.id}: unknown messageId "${r.messageId}"`);
      out.push({
        id: check.id,
        severity,
        message: formatMessage(template, r.data),
        engine: 'analyzer',
        location: spanToLocation(r.location, rel),
        ...(r.related && r.related.length > 0
          ? { related: r.related.map((x) => ({ label: x.label, location: spanToLocation(x.location, rel) })) }
          : {}),
      });
    }
  }
  return out;
}

const findingKey = (f: Finding) => `${f.id}\0${f.location?.file}\0${f.location?.line}\0${f.location?.column}`;

/**
 * Analyses the project(s) around `paths`: every per-file check once per file,
 * then the whole-program checks over the summaries of every project file.
 */
export async function analyze(options: AnalyzeOptions): Promise<AnalyzeResult> {
  const cwd = path.resolve(options.cwd);
  const paths = (options.paths && options.paths.length > 0 ? options.paths : [cwd]).map((p) => path.resolve(cwd, p));
  for (const p of paths) {
    if (!existsSync(p)) throw new AnalyzerError(`path not found: ${path.relative(cwd, p) || p}`, p);
  }
  const checks = options.checks ?? allChecks;
  const programChecks = options.programChecks ?? allProgramChecks;
  const ruleOptions = options.ruleOptions ?? {};
  const { specs, items, analyzed } = plan(cwd, paths, options.tsconfig, programChecks.some((c) => c.needsAllFiles));

  let done = 0;
  const onAnalyzed = () => {
    done++;
    options.onProgress?.(done, analyzed);
  };
  const config: ShardConfig = { checks, programChecks, ruleOptions };
  const ts7 = await chooseTs7(options, specs[0]?.tsconfig ?? cwd);
  const notRun: NotRun[] = [];
  let shard: ShardResult;
  if (ts7) {
    for (const c of [...checks, ...programChecks]) {
      if (!TS7_CHECKS.has(c.id) && !notRun.some((n) => n.id === c.id)) notRun.push({ id: c.id, reason: 'not validated on the TypeScript 7 back end' });
    }
    const result = processShardTs7(ts7, cwd, specs, items, config, onAnalyzed);
    if (process.env.ASYNCSAN_TS7_TIMING) process.stderr.write(`asyncsan ts7: ${JSON.stringify(result.timing)}\n`);
    shard = result;
  } else {
    const threads = Math.max(1, Math.floor(options.threads ?? 1));
    // One thread: still in a worker when running from the build, for its larger young generation
    // (fewer scavenges while type-checking); from sources (tests), in this thread.
    shard =
      threadsSupported(config) && items.length > 0 && (threads > 1 ? items.length > 1 : runningFromBuild())
        ? await runInThreads(specs, items, config, Math.min(threads, items.length), onAnalyzed)
        : processShard(specs, items, config, onAnalyzed);
  }

  const rel = (f: string) => path.relative(cwd, f).split(path.sep).join('/');
  const perFile: Finding[] = [];
  for (const { file, results } of [...shard.results].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))) {
    perFile.push(...toFindings(results, file, { engine: 'analyzer', relativize: rel }));
  }
  const analyzedFiles = new Set(items.filter((i) => i.analyze).map((i) => i.file));
  const whole = concludeProgramChecks(programChecks, shard.summaries, analyzedFiles, rel);
  // A per-file check and a program check of the same id may see the same call: report it once.
  const seen = new Set(perFile.map(findingKey));
  const findings = [...perFile];
  for (const f of whole) {
    const k = findingKey(f);
    if (seen.has(k)) continue;
    seen.add(k);
    findings.push(f);
  }
  const diagnostics: AnalyzerDiagnostic[] = shard.diagnostics
    .map((d) => ({ ...d, file: rel(d.file) }))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || (a.message < b.message ? -1 : 1)));
  return {
    findings: sortFindings(findings),
    diagnostics,
    filesAnalyzed: analyzed,
    tsconfigs: specs.map((s) => s.tsconfig),
    backend: ts7 ? { name: 'ts7', typescript: ts7.version } : { name: 'ts6', typescript: ts.version },
    notRun,
    untypedImports: shard.untypedImports.map((u) => ({ ...u, file: rel(u.file) })).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line)),
  };
}

/**
 * The typescript@7 modules when the TypeScript 7 back end is chosen: asked for (`ts7`, which then
 * requires 7.x), or `auto` (the default) and the project's own `typescript`, resolved from its tsconfig, is 7.x.
 */
async function chooseTs7(options: AnalyzeOptions, tsconfig: string) {
  const backend = options.backend ?? 'auto';
  if (backend === 'ts6') return undefined;
  const from = options.typescript ? `--typescript ${options.typescript}` : `the analysed project (${path.dirname(tsconfig)})`;
  const own = options.typescript ? typeScriptAt(path.resolve(options.cwd, options.typescript)) : projectTypeScript(path.dirname(tsconfig));
  if (own && isTs7(own.version)) return loadTs7(own.dir);
  if (backend === 'auto') return undefined;
  throw new AnalyzerError(`--backend ts7 needs typescript 7.x: ${own ? `${from} has typescript ${own.version || '(no version)'}` : `no typescript is resolvable from ${from}`}`, tsconfig);
}
