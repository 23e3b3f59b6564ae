/**
 * missing-abort-propagation, whole-program part: a function with an
 * AbortSignal calls a project helper that would forward a signal, but passes
 * none. The per-file check (@asyncsan/checks) already reports calls to
 * anything whose *signature* shows a signal (an AbortSignal parameter, an
 * options type with `signal`). This one adds the helpers whose signature does
 * not show it but whose body forwards it: a loose options bag spread into
 * fetch's init (directly or through a local built by spreading it:
 * `const init = { ...extra, method: 'POST' }; fetch(url, init)`),
 * `...args: Parameters<typeof fetch>`, a parameter of type unknown passed as
 * `signal`, and helpers that pass such a bag on to another such helper, to any
 * depth and across files. On the caller's side, an argument that spreads
 * something (`{ ...options, task }`) or a variable may carry the signal and is
 * not reported.
 *
 * Demand-driven: only calls made where a typed signal is in scope are looked
 * at, and only the helpers those calls reach are analysed (memoised per
 * Program), so code that never handles a signal costs next to nothing. The
 * summary of a file is the list of calls to report; `conclude` keeps those in
 * analysed files.
 */
import type { ts } from 'ts-morph';
import { fieldSignalOf, isSleepHelper, literalDelay, SHORT_SLEEP_MS, type TypeScript } from '@asyncsan/checks';
import { callGraphFixpoint } from './call-graph.js';
import { functionName, isFunctionLike, resolveCallee, spanOf, type FunctionLike } from './functions.js';
import { defineProgramCheck, perProgram, reportsInAnalyzedFiles, type ProgramReport, type Span, type SummaryContext } from './program-check.js';

/** How a position carries a signal: the signal itself, or an options object with `signal`. */
type Mode = 'signal' | 'options';

interface Accept {
  index: number;
  mode: Mode;
  /** Whether the helper's signature shows the signal at this position (then the per-file check covers it). */
  visible: boolean;
}

/** A parameter flowing into a project function's argument. */
interface Flow {
  index: number;
  callee: FunctionLike;
  argIndex: number;
  /** What the callee must accept at argIndex (`same`: anything), and what the parameter then is (`same`: the callee's mode). */
  need: Mode | 'same';
  gives: Mode | 'same';
  /** `...rest` spread at argIndex: callee position m maps to helper position index + (m - argIndex). */
  rest?: boolean;
}

interface HelperFacts {
  /** Accepts settled from external callees' parameter types (fetch, timers/promises, …). */
  settled: Accept[];
  flows: Flow[];
}

interface MissingCall {
  site: Span;
  callee: string;
  /** Absent for a call to a hand-made sleep helper (nothing is forwarded: it cannot take a signal at all). */
  param?: string;
  signal: string;
}

export interface AbortSummary {
  calls: MissingCall[];
}

/** Argument shape at a call: u = nothing/undefined, n = object literal without signal or spread, o = anything else. */
type Shape = 'u' | 'n' | 'o';

interface ParamRef {
  index: number;
  /** `whole`: the parameter itself; `signal`: its `.signal` (or a destructured `signal`). */
  part: 'whole' | 'signal';
  rest: boolean;
}

/** The function cancels its own work from an abort listener (the per-file check trusts it too). */
const REACTS_TO_ABORT = /\.addEventListener\(\s*['"]abort['"]|\.onabort\s*=[^=]/;

// Callers are looked for only in files that mention a signal: a typed signal parameter is nearly always named so.
const MENTIONS_SIGNAL = /signal/i;

function unwrap(t: typeof ts, e: ts.Expression): ts.Expression {
  while (t.isParenthesizedExpression(e) || t.isAsExpression(e) || t.isNonNullExpression(e) || t.isSatisfiesExpression(e) || t.isTypeAssertionExpression(e)) {
    e = e.expression;
  }
  return e;
}

/** Union members other than undefined/null/void. */
function present(type: ts.Type, t: typeof ts): ts.Type[] {
  const parts = type.isUnion() ? type.types : [type];
  return parts.filter((p) => !(p.flags & (t.TypeFlags.Undefined | t.TypeFlags.Null | t.TypeFlags.Void)));
}

function isSignalType(t: typeof ts, type: ts.Type): boolean {
  const parts = present(type, t);
  return parts.length > 0 && parts.every((p) => p.getProperty('aborted') !== undefined && p.getProperty('reason') !== undefined && p.getProperty('throwIfAborted') !== undefined);
}

/** `signal` for an AbortSignal, `options` when every member has a `signal` property (RequestInit, { signal?: … }). */
function modeOfType(t: typeof ts, type: ts.Type | undefined): Mode | undefined {
  if (!type || type.flags & (t.TypeFlags.Any | t.TypeFlags.Unknown)) return undefined;
  if (isSignalType(t, type)) return 'signal';
  const parts = present(type, t);
  if (parts.length > 0 && parts.every((p) => p.getProperty('signal') !== undefined)) return 'options';
  return undefined;
}

function isJs(sf: ts.SourceFile): boolean {
  return /\.[cm]?jsx?$/.test(sf.fileName);
}

function shapeOf(t: typeof ts, arg: ts.Expression | undefined): Shape {
  if (!arg) return 'u';
  const e = unwrap(t, arg);
  if (t.isIdentifier(e) && e.text === 'undefined') return 'u';
  if (t.isVoidExpression(e)) return 'u';
  if (t.isObjectLiteralExpression(e)) {
    const carries = e.properties.some(
      (p) => t.isSpreadAssignment(p) || (p.name !== undefined && (t.isIdentifier(p.name) || t.isStringLiteral(p.name)) && p.name.text === 'signal'),
    );
    return carries ? 'o' : 'n';
  }
  return 'o';
}

/** Which helpers forward a signal, and where: computed on demand and memoised for one Program. */
class ProgramAbort {
  private readonly t: typeof ts;
  private readonly checker: ts.TypeChecker;
  private readonly facts = new Map<FunctionLike, HelperFacts>();
  private readonly acceptsMemo = new Map<FunctionLike, Map<string, Accept>>();
  private readonly acceptsSorted = new Map<FunctionLike, Accept[]>();

  constructor(private readonly ctx: SummaryContext) {
    this.t = ctx.ts;
    this.checker = ctx.checker;
  }

  /** The type a signature gives the argument at `position` (rest parameters and tuples included). */
  private typeAtPosition(sig: ts.Signature, position: number): ts.Type | undefined {
    const { checker } = this;
    const params = sig.getParameters();
    const decl = sig.getDeclaration() as ts.SignatureDeclaration | undefined;
    const last = params.length - 1;
    const lastIsRest = !!decl && decl.parameters?.length === params.length && !!decl.parameters[last]?.dotDotDotToken;
    if (position < last || (position === last && !lastIsRest)) return checker.getTypeOfSymbol(params[position]!);
    if (!lastIsRest || last < 0) return undefined;
    const restType = checker.getTypeOfSymbol(params[last]!);
    const offset = position - last;
    if (checker.isTupleType(restType)) return checker.getTypeArguments(restType as ts.TypeReference)[offset];
    if (checker.isArrayType(restType)) return checker.getTypeArguments(restType as ts.TypeReference)[0];
    return undefined;
  }

  /** What a signature-based check sees at this position: the declared parameter's own type (a rest tuple shows nothing). */
  visibleAt(fn: FunctionLike, position: number): boolean {
    const params = fn.parameters;
    const p = position < params.length ? params[position] : params[params.length - 1]?.dotDotDotToken ? params[params.length - 1] : undefined;
    if (!p) return false;
    return modeOfType(this.t, this.checker.getTypeAtLocation(p)) !== undefined;
  }

  /** Whether a value of this type could be, or carry, an AbortSignal (so forwarding it may forward one). */
  private carrierType(type: ts.Type, depth = 0): boolean {
    const { t, checker } = this;
    if (depth > 3) return false;
    if (type.flags & (t.TypeFlags.Any | t.TypeFlags.Unknown | t.TypeFlags.NonPrimitive)) return true;
    if (type.flags & t.TypeFlags.TypeParameter) {
      const c = checker.getBaseConstraintOfType(type);
      return !c || c === type || this.carrierType(c, depth + 1);
    }
    if (checker.isTupleType(type)) return checker.getTypeArguments(type as ts.TypeReference).some((e) => this.carrierType(e, depth + 1));
    if (checker.isArrayType(type)) return this.carrierType(checker.getTypeArguments(type as ts.TypeReference)[0]!, depth + 1);
    return present(type, t).some(
      (p) =>
        isSignalType(t, p) ||
        p.getProperty('signal') !== undefined ||
        checker.getIndexInfoOfType(p, t.IndexKind.String) !== undefined ||
        (p.flags & t.TypeFlags.Object && p.getProperties().length === 0 && p.getCallSignatures().length === 0),
    );
  }

  /** Which parameters `fn` forwards into calls, and how (one walk of its body). */
  factsOf(fn: FunctionLike): HelperFacts {
    const memo = this.facts.get(fn);
    if (memo) return memo;
    const facts: HelperFacts = { settled: [], flows: [] };
    this.facts.set(fn, facts);
    const { t, checker } = this;
    if (fn.parameters.length === 0 || !fn.body) return facts;
    const js = isJs(fn.getSourceFile());
    // Parameter symbols -> how a reference maps to the parameter; names first, so the checker is asked little.
    const refs = new Map<ts.Symbol, ParamRef>();
    const names = new Set<string>();
    fn.parameters.forEach((p, index) => {
      if (t.isIdentifier(p.name)) {
        const sym = checker.getSymbolAtLocation(p.name);
        if (sym) refs.set(sym, { index, part: 'whole', rest: !!p.dotDotDotToken });
        names.add(p.name.text);
      } else if (t.isObjectBindingPattern(p.name)) {
        for (const el of p.name.elements) {
          const prop = el.propertyName ?? el.name;
          if (t.isIdentifier(prop) && prop.text === 'signal' && t.isIdentifier(el.name)) {
            const sym = checker.getSymbolAtLocation(el.name);
            if (sym) refs.set(sym, { index, part: 'signal', rest: false });
            names.add(el.name.text);
          }
        }
      }
    });
    if (refs.size === 0) return facts;
    const refOf = (e: ts.Expression): ParamRef | undefined => {
      const x = unwrap(t, e);
      if (t.isIdentifier(x)) {
        if (!names.has(x.text)) return undefined;
        const sym = checker.getSymbolAtLocation(x);
        return sym ? refs.get(sym) : undefined;
      }
      if (t.isPropertyAccessExpression(x) && x.name.text === 'signal' && t.isIdentifier(x.expression)) {
        if (!names.has(x.expression.text)) return undefined;
        const sym = checker.getSymbolAtLocation(x.expression);
        const r = sym ? refs.get(sym) : undefined;
        return r && r.part === 'whole' && !r.rest ? { ...r, part: 'signal' } : undefined;
      }
      return undefined;
    };
    const carriers = new Map<number, boolean>();
    const carrier = (index: number): boolean => {
      let c = carriers.get(index);
      if (c === undefined) {
        const p = fn.parameters[index]!;
        // Contextually typed callback parameters are skipped: inferring them costs a check of the call around them.
        c = !p.type && !p.initializer ? js : this.carrierType(checker.getTypeAtLocation(p));
        carriers.set(index, c);
      }
      return c;
    };
    const seen = new Set<string>();
    const settle = (index: number, mode: Mode) => {
      const k = `${index}:${mode}`;
      if (seen.has(k)) return;
      seen.add(k);
      facts.settled.push({ index, mode, visible: this.visibleAt(fn, index) });
    };
    const flowInto = (call: ts.CallExpression | ts.NewExpression, argIndex: number, ref: ParamRef, how: 'direct' | 'spread' | 'signalProp') => {
      // A parameter that cannot hold a signal forwards none (most arguments): stop before resolving the call.
      if (ref.part === 'whole' && how !== 'signalProp' && !carrier(ref.index)) return;
      let need: Mode | 'same';
      let gives: Mode | 'same';
      if (ref.rest) {
        if (how !== 'direct') return;
        [need, gives] = ['same', 'same'];
      } else if (ref.part === 'whole') {
        if (how === 'direct') [need, gives] = ['same', 'same'];
        else if (how === 'spread') [need, gives] = ['options', 'options'];
        else [need, gives] = ['options', 'signal'];
      } else {
        if (how === 'direct') [need, gives] = ['signal', 'options'];
        else if (how === 'signalProp') [need, gives] = ['options', 'options'];
        else return;
      }
      const target = t.isCallExpression(call) ? resolveCallee(this.ctx, call.expression) : undefined;
      if (target) {
        facts.flows.push({ index: ref.index, callee: target, argIndex, need, gives, ...(ref.rest ? { rest: true } : {}) });
        return;
      }
      // An external callee: its parameter types say what it accepts.
      const calleeSig = checker.getResolvedSignature(call);
      if (!calleeSig) return;
      const positions = ref.rest ? [argIndex, argIndex + 1, argIndex + 2, argIndex + 3] : [argIndex];
      for (const m of positions) {
        const mode = modeOfType(t, this.typeAtPosition(calleeSig, m));
        if (!mode || (need !== 'same' && need !== mode)) continue;
        settle(ref.rest ? ref.index + (m - argIndex) : ref.index, gives === 'same' ? mode : gives);
      }
    };
    // Locals built as object literals (`const init = { ...extra, method: 'POST' }`): passing one passes what it spreads.
    const literals = new Map<string, ts.ObjectLiteralExpression | null>();
    const collect = (node: ts.Node): void => {
      if (t.isVariableDeclaration(node) && t.isIdentifier(node.name) && node.initializer) {
        const init = unwrap(t, node.initializer);
        if (t.isObjectLiteralExpression(init) && init.properties.some((p) => t.isSpreadAssignment(p) || (p.name && t.isIdentifier(p.name) && p.name.text === 'signal'))) {
          // A name declared twice is ambiguous without asking the checker: left out.
          literals.set(node.name.text, literals.has(node.name.text) ? null : init);
        }
      }
      t.forEachChild(node, collect);
    };
    collect(fn.body);
    const literalOf = (arg: ts.Expression): ts.ObjectLiteralExpression | undefined => {
      const e = unwrap(t, arg);
      if (t.isObjectLiteralExpression(e)) return e;
      if (t.isIdentifier(e) && !names.has(e.text)) return literals.get(e.text) ?? undefined;
      return undefined;
    };
    const visit = (node: ts.Node): void => {
      if ((t.isCallExpression(node) || t.isNewExpression(node)) && node.arguments) {
        node.arguments.forEach((arg, argIndex) => {
          if (t.isSpreadElement(arg)) {
            const r = refOf(arg.expression);
            if (r && r.rest) flowInto(node, argIndex, r, 'direct');
            return;
          }
          const direct = refOf(arg);
          if (direct && !direct.rest) flowInto(node, argIndex, direct, 'direct');
          const obj = literalOf(arg);
          if (!obj) return;
          for (const p of obj.properties) {
            if (t.isSpreadAssignment(p)) {
              const r = refOf(p.expression);
              if (r && !r.rest) flowInto(node, argIndex, r, r.part === 'whole' ? 'spread' : 'signalProp');
            } else if (t.isPropertyAssignment(p) && t.isIdentifier(p.name) && p.name.text === 'signal') {
              const r = refOf(p.initializer);
              if (r && !r.rest) flowInto(node, argIndex, r, 'signalProp');
            } else if (t.isShorthandPropertyAssignment(p) && p.name.text === 'signal' && names.has('signal')) {
              const sym = checker.getShorthandAssignmentValueSymbol(p);
              const r = sym ? refs.get(sym) : undefined;
              if (r && !r.rest) flowInto(node, argIndex, r, 'signalProp');
            }
          }
        });
      }
      t.forEachChild(node, visit);
    };
    visit(fn.body);
    return facts;
  }

  /** Positions at which `fn` accepts a signal, through any depth of project helpers (exact fixpoint over the reachable ones). */
  accepts(fn: FunctionLike): Accept[] {
    let sorted = this.acceptsSorted.get(fn);
    if (sorted) return sorted;
    // Keyed by `index:mode`, so a position is added once.
    const accepted = callGraphFixpoint(fn, this.acceptsMemo, {
      edges: (f) => this.factsOf(f).flows,
      callee: (flow) => flow.callee,
      own: (f) => new Map(this.factsOf(f).settled.map((a) => [`${a.index}:${a.mode}`, a])),
      join: (mine, flow, theirs, f) => {
        let grew = false;
        // A copy: a recursive helper is its own callee.
        for (const a of [...theirs.values()]) {
          let index: number;
          if (flow.rest) {
            if (a.index < flow.argIndex) continue;
            index = flow.index + (a.index - flow.argIndex);
          } else {
            if (a.index !== flow.argIndex || (flow.need !== 'same' && flow.need !== a.mode)) continue;
            index = flow.index;
          }
          const mode = flow.gives === 'same' ? a.mode : flow.gives;
          const k = `${index}:${mode}`;
          if (!mine.has(k)) {
            mine.set(k, { index, mode, visible: this.visibleAt(f, index) });
            grew = true;
          }
        }
        return grew;
      },
    });
    sorted = [...accepted.values()].sort((a, b) => a.index - b.index || (a.mode < b.mode ? -1 : 1));
    this.acceptsSorted.set(fn, sorted);
    return sorted;
  }
}

const programAbort = perProgram((ctx) => new ProgramAbort(ctx));

/** `signal` / `options.signal` when a parameter gives the function a typed AbortSignal. */
function typedSignal(ctx: SummaryContext, fn: FunctionLike): string | undefined {
  const t = ctx.ts;
  const { checker } = ctx;
  const js = isJs(ctx.sourceFile);
  for (const p of fn.parameters) {
    if (t.isIdentifier(p.name)) {
      // Unannotated parameters are mostly callback parameters typed from context: costly to infer, rarely a signal.
      if (!p.type && !p.initializer && !js) continue;
      const type = checker.getTypeAtLocation(p);
      if (isSignalType(t, type)) return p.name.text;
      const sigProp = type.getProperty('signal');
      if (sigProp && isSignalType(t, checker.getTypeOfSymbol(sigProp))) return `${p.name.text}.signal`;
    } else if (t.isObjectBindingPattern(p.name)) {
      for (const el of p.name.elements) {
        const prop = el.propertyName ?? el.name;
        if (t.isIdentifier(prop) && prop.text === 'signal' && t.isIdentifier(el.name) && isSignalType(t, checker.getTypeAtLocation(el.name))) {
          return el.name.text;
        }
      }
    }
  }
  return undefined;
}

function enclosingFunction(t: typeof ts, node: ts.Node): FunctionLike | undefined {
  for (let p = node.parent; p; p = p.parent) if (isFunctionLike(t, p)) return p;
  return undefined;
}

function summarizeFile(ctx: SummaryContext): AbortSummary {
  const t = ctx.ts;
  const program = programAbort(ctx);
  const calls: MissingCall[] = [];
  const check = (call: ts.CallExpression, signal: string, selfCancels: boolean) => {
    if (call.arguments.some((a) => t.isSpreadElement(a))) return;
    const shapes = (i: number) => shapeOf(t, call.arguments[i]);
    // Cheap syntactic test before any resolution: something must be left out.
    let leavesOut = false;
    for (let i = 0; i < call.arguments.length && !leavesOut; i++) leavesOut = shapes(i) !== 'o';
    const fn = resolveCallee(ctx, call.expression);
    // A hand-made sleep declared in another file (the per-file check sees those of its own file).
    if (fn && fn.getSourceFile() !== ctx.sourceFile && isSleepHelper(t as unknown as TypeScript, fn as never)) {
      // A function that reacts to the abort itself has chosen how to cancel (as in the per-file check).
      const ms = literalDelay(t as unknown as TypeScript, call.arguments[0] as never);
      const short = ms !== undefined && ms < SHORT_SLEEP_MS;
      if (!selfCancels && !short && !call.arguments.some((a) => MENTIONS_SIGNAL.test(a.getText()))) calls.push({ site: spanOf(ctx.sourceFile, call), callee: functionName(t, fn), signal });
      return;
    }
    if (!fn || (!leavesOut && call.arguments.length >= fn.parameters.length && !fn.parameters[fn.parameters.length - 1]?.dotDotDotToken)) return;
    const accepts = program.accepts(fn);
    // A call that passes something at an accepting position may already carry the signal.
    if (accepts.length === 0 || accepts.some((a) => shapes(a.index) === 'o')) return;
    // Signature-visible positions are the per-file check's to report.
    const missing = accepts.find((a) => !a.visible && (shapes(a.index) === 'u' || (a.mode === 'options' && shapes(a.index) === 'n')));
    if (!missing) return;
    const p = fn.parameters[Math.min(missing.index, fn.parameters.length - 1)];
    const param = p && t.isIdentifier(p.name) ? `${p.dotDotDotToken ? '...' : ''}${p.name.text}` : 'options';
    calls.push({ site: spanOf(ctx.sourceFile, call), callee: functionName(t, fn), param, signal });
  };
  // A method of an object that keeps a signal in a field (as the per-file check does): only its sleeps are held to it.
  const fieldSignals = new Map<ts.Node, string | null>();
  const checkFieldSleep = (call: ts.CallExpression) => {
    const fn = enclosingFunction(t, call);
    if (!fn?.body) return;
    let signal = fieldSignals.get(fn);
    if (signal === undefined) {
      const f = fieldSignalOf(t as unknown as TypeScript, ctx.checker as never, call as never);
      signal = f && !REACTS_TO_ABORT.test(fn.body.getText()) ? f.text : null;
      fieldSignals.set(fn, signal);
    }
    if (signal === null) return;
    const callee = resolveCallee(ctx, call.expression);
    if (callee && callee.getSourceFile() !== ctx.sourceFile && isSleepHelper(t as unknown as TypeScript, callee as never)) check(call, signal, false);
  };
  const visit = (node: ts.Node, signal: string | undefined, reacts: boolean): void => {
    let inScope = signal;
    let selfCancels = reacts;
    if (isFunctionLike(t, node) && node.body) {
      const own = typedSignal(ctx, node);
      if (own !== undefined) {
        inScope = own;
        selfCancels = REACTS_TO_ABORT.test(node.body.getText());
      }
    }
    if (inScope !== undefined && t.isCallExpression(node)) check(node, inScope, selfCancels);
    else if (t.isCallExpression(node) && node.arguments.length <= 2) checkFieldSleep(node);
    t.forEachChild(node, (c) => visit(c, inScope, selfCancels));
  };
  visit(ctx.sourceFile, undefined, false);
  return { calls };
}

export const missingAbortPropagationAcrossFiles = defineProgramCheck<AbortSummary>({
  id: 'missing-abort-propagation',
  messages: {
    notPassed:
      '{{callee}} forwards an AbortSignal through its parameter {{param}}, but this call passes none: cancelling leaves its work running. Pass {{signal}} on.',
    sleepHelper:
      "'{{callee}}' sleeps on a plain setTimeout that no signal can cancel: aborting {{signal}} still waits the full delay, then the work after it runs. Give '{{callee}}' the signal (setTimeout from 'node:timers/promises' takes { signal }), or race it against {{signal}}.",
  },

  summarize(ctx) {
    if (!MENTIONS_SIGNAL.test(ctx.sourceFile.text)) return undefined;
    const s = summarizeFile(ctx);
    return s.calls.length > 0 ? s : undefined;
  },

  conclude(summaries, ctx) {
    return reportsInAnalyzedFiles(summaries, ctx, (s) => s.calls, (c): ProgramReport =>
      c.param === undefined
        ? { messageId: 'sleepHelper', data: { callee: c.callee, signal: c.signal }, location: c.site }
        : { messageId: 'notPassed', data: { callee: c.callee, param: c.param, signal: c.signal }, location: c.site },
    );
  },
});
