/**
 * Processing a list of files: the same code runs in the main thread
 * (threads = 1) and in each worker, so both give the same results.
 */
import { Project, ts, type ResolutionHost } from 'ts-morph';
import type * as TS from 'typescript';
import { runCheck, type Check, type CheckResult, type TypeScript } from '@asyncsan/checks';
import { untypedImports } from './untyped-imports.js';
import type { ProgramCheck } from './program-checks/program-check.js';
import type { UntypedImport } from './types.js';
import type { ProjectSpec } from './tsconfig.js';

const JS_FILE = /\.[cm]?jsx?$/;

export interface WorkItem {
  /** Absolute file name. */
  file: string;
  /** Index into the project list: the project this file is analysed in. */
  project: number;
  /** Run the per-file checks and report syntax errors (the file is under the analysed paths). */
  analyze: boolean;
}

export interface LoadSpec extends ProjectSpec {
  /** Files named on the command line that the tsconfig does not include. */
  extraFiles: string[];
  /**
   * In a worker of a partitioned run: load only these root files (the shard's own
   * and the project's declaration and script files); TypeScript adds what they import.
   */
  only?: string[];
}

export interface RawDiagnostic {
  file: string;
  line: number;
  column: number;
  message: string;
  kind: 'syntax' | 'internal';
}

export interface ShardResult {
  results: { file: string; results: CheckResult[] }[];
  diagnostics: RawDiagnostic[];
  untypedImports: UntypedImport[];
  /** [program check id, file, summary] */
  summaries: [string, string, unknown][];
}

export interface ShardConfig {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each check has its own Options type
  checks: readonly Check<any>[];
  programChecks: readonly ProgramCheck[];
  ruleOptions: Record<string, unknown>;
}

/** Builds the compiler Program of one project with ts-morph (one Project per tsconfig). */
export function loadProgram(spec: LoadSpec): ts.Program {
  // A JavaScript file named on the command line is analysed even when the tsconfig has no allowJs (with the types
  // TypeScript infers for it); without allowJs the program would leave it out.
  const named = spec.only ?? spec.extraFiles;
  const allowJs = !spec.options.allowJs && spec.extraFiles.some((f) => JS_FILE.test(f)) && named.some((f) => JS_FILE.test(f));
  const project = new Project({
    tsConfigFilePath: spec.tsconfig,
    skipAddingFilesFromTsConfig: spec.only !== undefined,
    ...(allowJs ? { compilerOptions: { allowJs: true } } : {}),
    resolutionHost: resolvingInFileFormat,
  });
  // Files named on the command line are work items, so a partitioned run has them in `only`.
  for (const f of spec.only ?? spec.extraFiles) project.addSourceFileAtPath(f);
  return project.getProgram().compilerObject;
}

/**
 * Module resolution in the importing file's module format, as tsc resolves. A ts-morph Project makes its source
 * files without their format, so under Node16/NodeNext an ES module's imports were resolved as CommonJS `require`s,
 * and a package whose `exports` has only an `import` condition did not resolve: its values were `any` (libp2p's
 * @chainsafe/netmask, held-out round 19). The format comes from the file's extension and its package.json's `type`.
 */
function resolvingInFileFormat(host: ts.ModuleResolutionHost, getCompilerOptions: () => ts.CompilerOptions): ResolutionHost {
  const canonical = (f: string) => (ts.sys.useCaseSensitiveFileNames ? f : f.toLowerCase());
  const cache = ts.createModuleResolutionCache(process.cwd(), canonical, getCompilerOptions());
  return {
    resolveModuleNames(moduleNames, containingFile) {
      const options = getCompilerOptions();
      const mode = ts.getImpliedNodeFormatForFile(containingFile, cache.getPackageJsonInfoCache(), host, options);
      return moduleNames.map((name) => ts.resolveModuleName(name, containingFile, options, host, cache, undefined, mode).resolvedModule);
    },
  };
}

function positionOf(sf: ts.SourceFile, pos: number): { line: number; column: number } {
  const lc = sf.getLineAndCharacterOfPosition(pos);
  return { line: lc.line + 1, column: lc.character + 1 };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Processes `items` (grouped by project: one Program alive at a time) and calls
 * `onAnalyzed` after each analysed file.
 */
export function processShard(
  specs: readonly LoadSpec[],
  items: readonly WorkItem[],
  config: ShardConfig,
  onAnalyzed: () => void,
): ShardResult {
  const out: ShardResult = { results: [], diagnostics: [], untypedImports: [], summaries: [] };
  const byProject = new Map<number, WorkItem[]>();
  for (const item of items) {
    const list = byProject.get(item.project);
    if (list) list.push(item);
    else byProject.set(item.project, [item]);
  }
  // The checks are written against the `typescript` module's types; ts-morph bundles the same TypeScript.
  const tsForChecks = ts as unknown as TypeScript;
  for (const [index, list] of [...byProject].sort((a, b) => a[0] - b[0])) {
    const program = loadProgram(specs[index]!);
    const checker = program.getTypeChecker();
    for (const item of list) {
      const sf = program.getSourceFile(item.file);
      if (!sf) {
        if (item.analyze) {
          out.diagnostics.push({ file: item.file, line: 1, column: 1, message: 'file is not part of the loaded program', kind: 'internal' });
          onAnalyzed();
        }
        continue;
      }
      const syntax = program.getSyntacticDiagnostics(sf);
      if (syntax.length > 0) {
        // A file that does not parse is reported and skipped: checks on a recovered AST would report noise.
        if (item.analyze) {
          for (const d of syntax) {
            out.diagnostics.push({
              file: item.file,
              ...positionOf(sf, d.start ?? 0),
              message: ts.flattenDiagnosticMessageText(d.messageText, ' '),
              kind: 'syntax',
            });
          }
          onAnalyzed();
        }
        continue;
      }
      if (item.analyze) {
        out.untypedImports.push(...untypedImports(tsForChecks, checker as unknown as TS.TypeChecker, sf as unknown as TS.SourceFile, item.file));
        const results: CheckResult[] = [];
        for (const check of config.checks) {
          try {
            results.push(
              ...runCheck(
                tsForChecks,
                program as unknown as Parameters<typeof runCheck>[1],
                sf as unknown as Parameters<typeof runCheck>[2],
                check,
                config.ruleOptions[check.id] as Record<string, unknown> | undefined,
              ),
            );
          } catch (e) {
            out.diagnostics.push({ file: item.file, line: 1, column: 1, message: `check ${check.id} failed: ${errorText(e)}`, kind: 'internal' });
          }
        }
        out.results.push({ file: item.file, results });
      }
      for (const pc of config.programChecks) {
        if (!item.analyze && !pc.needsAllFiles) continue;
        try {
          const summary = pc.summarize({ ts, program, checker, sourceFile: sf });
          if (summary !== undefined) out.summaries.push([pc.id, item.file, summary]);
        } catch (e) {
          if (item.analyze) {
            out.diagnostics.push({ file: item.file, line: 1, column: 1, message: `check ${pc.id} failed: ${errorText(e)}`, kind: 'internal' });
          }
        }
      }
      if (item.analyze) onAnalyzed();
    }
  }
  return out;
}
