/**
 * Where a list comes from, when its size is set by the outside world rather than by the code: a directory listing
 * (`fs.readdir`, `fs.promises.readdir`, `readdirSync`, `fs.glob`), a glob (glob, fast-glob, globby, tinyglobby) or a
 * database query result (pg, mysql2, Prisma, Knex, TypeORM, Mongoose, MongoDB, Drizzle, Sequelize, Kysely, SQLite…).
 * Followed through consts, a `let` and its assignments, `await`, destructuring (`const { rows } = await pool.query()`,
 * `const [rows] = await conn.query()`), `.rows`, the array methods that derive a list from another (`filter`, `map`,
 * `flat`, `sort`…), spreads and `Array.from`, and arrays filled by `push` in a loop over such a list.
 *
 * Packages are recognised by the declaration's package when its types are installed, else by the import (or
 * `require`) the callee's root name comes from, so a file analysed without its dependencies is still understood.
 */
import type * as TS from 'typescript';
import type { CheckContext, TypeScript } from '../check.js';
import { isFunctionLike, memberName, memberObject, skipParens } from './syntax.js';
import { calleeSymbol, declarationPackage, normalizePackage } from './types.js';

export interface ExternalOrigin {
  kind: 'files' | 'rows';
  /** The source call's name, for messages: `readdir`, `glob`, `pool.query`. */
  callee: string;
  /** The source call (the related location). */
  node: TS.Node;
}

const FS_MODULES = new Set(['fs', 'fs/promises', 'graceful-fs', 'fs-extra', 'mz/fs']);
const FS_LISTINGS = new Set(['readdir', 'readdirSync', 'glob', 'globSync']);
const GLOB_MODULES = new Set(['glob', 'fast-glob', 'globby', 'tinyglobby', 'glob-promise', 'fdir']);
const DB_MODULES = new Set([
  'pg',
  'pg-promise',
  'postgres',
  'mysql',
  'mysql2',
  'mssql',
  'oracledb',
  '@prisma/client',
  '.prisma',
  'knex',
  'typeorm',
  'mongoose',
  'mongodb',
  'drizzle-orm',
  'sequelize',
  'kysely',
  'better-sqlite3',
  'sqlite',
  'sqlite3',
  '@libsql/client',
  '@neondatabase/serverless',
  '@vercel/postgres',
  '@planetscale/database',
  'slonik',
]);
/** Methods of database clients that return many rows. */
const DB_METHODS = new Set(['query', 'execute', 'findMany', 'findAll', 'find', 'findBy', 'getMany', 'getRawMany', 'toArray', 'all', 'many', 'manyOrNone', 'any', '$queryRaw', '$queryRawUnsafe', 'unsafe', 'sql']);
/** Properties of a query result that hold its rows. */
const ROW_PROPERTIES = new Set(['rows', 'recordset', 'records']);
/** Array methods whose result is as large as their receiver (or larger). */
const DERIVED = new Set(['filter', 'map', 'flatMap', 'flat', 'sort', 'toSorted', 'reverse', 'toReversed', 'concat', 'values', 'entries', 'keys']);

function strip(ts: TypeScript, e: TS.Expression): TS.Expression {
  let x = skipParens(ts, e);
  while (ts.isAsExpression(x) || ts.isSatisfiesExpression(x) || ts.isNonNullExpression(x) || ts.isTypeAssertionExpression(x) || ts.isParenthesizedExpression(x)) x = x.expression;
  return x;
}

function packageName(spec: string): string {
  const s = normalizePackage(spec);
  if (s.startsWith('@')) return s.split('/').slice(0, 2).join('/');
  // `fs/promises` is its own module; other subpaths (`drizzle-orm/pg-core`, `mysql2/promise`) belong to the package.
  return s === 'fs/promises' ? s : s.split('/')[0]!;
}

/** The module an identifier is imported from (`import`, `import * as`, `import x = require()`, `require()`), if any. */
export function importedModule(ts: TypeScript, checker: TS.TypeChecker, id: TS.Identifier): string | undefined {
  const sym = checker.getSymbolAtLocation(id);
  for (const d of sym?.declarations ?? []) {
    let decl: TS.Node | undefined;
    if (ts.isImportSpecifier(d)) decl = d.parent.parent.parent;
    else if (ts.isImportClause(d)) decl = d.parent;
    else if (ts.isNamespaceImport(d)) decl = d.parent.parent.parent;
    if (decl && ts.isImportDeclaration(decl) && ts.isStringLiteral(decl.moduleSpecifier)) return decl.moduleSpecifier.text;
    if (ts.isImportEqualsDeclaration(d) && ts.isExternalModuleReference(d.moduleReference) && ts.isStringLiteral(d.moduleReference.expression)) {
      return d.moduleReference.expression.text;
    }
    // const fs = require('fs'), const { readdir } = require('fs/promises'), const fg = require('fast-glob').default
    let v: TS.Node = d;
    while (ts.isBindingElement(v) || ts.isObjectBindingPattern(v) || ts.isArrayBindingPattern(v)) v = v.parent;
    if (ts.isVariableDeclaration(v) && v.initializer) {
      let init = strip(ts, v.initializer);
      while (ts.isPropertyAccessExpression(init)) init = strip(ts, init.expression);
      if (ts.isAwaitExpression(init)) init = strip(ts, init.expression);
      if (ts.isCallExpression(init) && init.arguments.length === 1 && ts.isStringLiteral(init.arguments[0]!)) {
        const callee = strip(ts, init.expression);
        if ((ts.isIdentifier(callee) && callee.text === 'require') || callee.kind === ts.SyntaxKind.ImportKeyword) return init.arguments[0].text;
      }
    }
  }
  return undefined;
}

/** The package of the value a root name holds: imported from it, or made by something imported from it (`new Pool()`). */
function rootPackage(ts: TypeScript, checker: TS.TypeChecker, root: TS.Identifier, depth = 0): string | undefined {
  const mod = importedModule(ts, checker, root);
  if (mod !== undefined) return packageName(mod);
  if (depth > 1) return undefined;
  const decl = checker.getSymbolAtLocation(root)?.valueDeclaration;
  if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer) return undefined;
  let init = strip(ts, decl.initializer);
  if (ts.isAwaitExpression(init)) init = strip(ts, init.expression);
  if (!ts.isCallExpression(init) && !ts.isNewExpression(init)) return undefined;
  let r = strip(ts, init.expression);
  while (ts.isPropertyAccessExpression(r) || ts.isCallExpression(r)) r = strip(ts, r.expression);
  return ts.isIdentifier(r) ? rootPackage(ts, checker, r, depth + 1) : undefined;
}

/** Whether a call lists files or returns rows: the source of an externally sized list. */
function sourceCall(ctx: CheckContext<unknown>, call: TS.CallExpression | TS.TaggedTemplateExpression): ExternalOrigin | undefined {
  const { ts, checker } = ctx;
  const callee = strip(ts, ts.isCallExpression(call) ? call.expression : call.tag);
  const name = ts.isIdentifier(callee) ? callee.text : memberName(ts, callee);
  if (!name) return undefined;
  let root: TS.Expression = callee;
  while (ts.isPropertyAccessExpression(root) || ts.isCallExpression(root) || ts.isElementAccessExpression(root)) {
    root = strip(ts, ts.isCallExpression(root) ? root.expression : root.expression);
  }
  const text = ts.isPropertyAccessExpression(callee) ? `${strip(ts, callee.expression).getText()}.${name}`.replace(/\s+/g, '') : name;
  // The package: from the declaration when the types are there, else from the import of the root name.
  const sym = calleeSymbol(ts, checker, callee);
  const decl = sym?.valueDeclaration ?? sym?.declarations?.[0];
  let pkg = decl ? declarationPackage(ts, decl) : undefined;
  if (pkg !== undefined) pkg = packageName(pkg);
  if (pkg === undefined && ts.isIdentifier(root)) pkg = rootPackage(ts, checker, root);
  if (pkg === undefined) return undefined;
  if (FS_MODULES.has(pkg) && FS_LISTINGS.has(name)) return { kind: 'files', callee: text, node: call };
  if (GLOB_MODULES.has(pkg)) return { kind: 'files', callee: text, node: call };
  if (DB_MODULES.has(pkg) && (DB_METHODS.has(name) || ts.isTaggedTemplateExpression(call))) return { kind: 'rows', callee: text, node: call };
  return undefined;
}

/** The externally sized source of a list expression, if it has one. */
export function externalOrigin(ctx: CheckContext<unknown>, expr: TS.Expression, depth = 0, seen = new Set<TS.Node>()): ExternalOrigin | undefined {
  const { ts, checker } = ctx;
  if (depth > 8 || seen.has(expr)) return undefined;
  seen.add(expr);
  const again = (x: TS.Expression) => externalOrigin(ctx, x, depth + 1, seen);
  const e = strip(ts, expr);
  if (ts.isAwaitExpression(e)) return again(e.expression);
  if (ts.isTaggedTemplateExpression(e)) return sourceCall(ctx, e);
  if (ts.isCallExpression(e)) {
    const direct = sourceCall(ctx, e);
    if (direct) return direct;
    const name = memberName(ts, e.expression);
    const object = memberObject(ts, e.expression);
    if (name && object && DERIVED.has(name)) return again(object);
    if (name === 'slice' && object && e.arguments.length < 2) return again(object);
    // Array.from(x), Object.values(x), Promise.all(x) (the awaited listing of many directories)
    const onGlobal = object && ts.isIdentifier(strip(ts, object)) ? (strip(ts, object) as TS.Identifier).text : undefined;
    if ((onGlobal === 'Array' && name === 'from') || (onGlobal === 'Object' && (name === 'values' || name === 'entries' || name === 'keys'))) {
      return e.arguments[0] ? again(e.arguments[0]) : undefined;
    }
    // .then((res) => res.rows) / .exec() / .lean() on a query: the query's rows.
    if (name && object && (name === 'then' || name === 'exec' || name === 'lean')) return again(object);
    return undefined;
  }
  if (ts.isArrayLiteralExpression(e)) {
    const spreads = e.elements.filter((el) => ts.isSpreadElement(el));
    for (const s of spreads) {
      const o = again((s as TS.SpreadElement).expression);
      if (o) return o;
    }
    return undefined;
  }
  if (ts.isPropertyAccessExpression(e) && ROW_PROPERTIES.has(e.name.text)) return again(e.expression);
  if (ts.isElementAccessExpression(e) && ts.isNumericLiteral(e.argumentExpression) && e.argumentExpression.text === '0') return again(e.expression);
  if (!ts.isIdentifier(e)) return undefined;
  const decl = checker.getSymbolAtLocation(e)?.valueDeclaration;
  if (!decl) return undefined;
  const fromDeclaration = declarationOrigin(ctx, decl, again);
  if (fromDeclaration) return fromDeclaration;
  // A `let` assigned later (`entries = await readdir(dir)` in a try), or an array filled by push.
  const fn = enclosingFunction(ts, decl);
  if (!fn || !ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name)) return undefined;
  const name = decl.name.text;
  let found: ExternalOrigin | undefined;
  const walk = (n: TS.Node): void => {
    if (found) return;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(strip(ts, n.left)) && (strip(ts, n.left) as TS.Identifier).text === name) {
      found = again(n.right);
    } else if (ts.isCallExpression(n) && memberName(ts, n.expression) === 'push') {
      const obj = memberObject(ts, n.expression);
      if (obj && ts.isIdentifier(strip(ts, obj)) && (strip(ts, obj) as TS.Identifier).text === name) {
        // xs.push(...listing), xs.push(listing.map(…)) (flattened later), or a push in a loop over a listing.
        for (const a of n.arguments) found ??= again(ts.isSpreadElement(a) ? a.expression : a);
        found ??= loopOrigin(ts, n, fn, again);
      }
    }
    ts.forEachChild(n, walk);
  };
  walk(fn);
  return found;
}

function declarationOrigin(ctx: CheckContext<unknown>, decl: TS.Declaration, again: (x: TS.Expression) => ExternalOrigin | undefined): ExternalOrigin | undefined {
  const { ts } = ctx;
  if (ts.isVariableDeclaration(decl)) return decl.initializer ? again(decl.initializer) : undefined;
  // const { rows } = await pool.query(…); const [rows] = await conn.query(…)
  if (ts.isBindingElement(decl)) {
    let v: TS.Node = decl;
    while (ts.isBindingElement(v) || ts.isObjectBindingPattern(v) || ts.isArrayBindingPattern(v)) v = v.parent;
    if (!ts.isVariableDeclaration(v) || !v.initializer) return undefined;
    const pattern = decl.parent;
    const prop = decl.propertyName && ts.isIdentifier(decl.propertyName) ? decl.propertyName.text : ts.isIdentifier(decl.name) ? decl.name.text : undefined;
    const rowsOf = ts.isObjectBindingPattern(pattern) ? prop !== undefined && ROW_PROPERTIES.has(prop) : pattern.elements.indexOf(decl) === 0;
    return rowsOf ? again(v.initializer) : undefined;
  }
  return undefined;
}

function loopOrigin(ts: TypeScript, node: TS.Node, fn: TS.Node, again: (x: TS.Expression) => ExternalOrigin | undefined): ExternalOrigin | undefined {
  for (let p = node.parent; p && p !== fn; p = p.parent) {
    if (isFunctionLike(ts, p)) return undefined;
    if (ts.isForOfStatement(p)) return again(p.expression);
  }
  return undefined;
}

function enclosingFunction(ts: TypeScript, node: TS.Node): TS.Node | undefined {
  for (let p = node.parent; p; p = p.parent) if (isFunctionLike(ts, p) || ts.isSourceFile(p)) return p;
  return undefined;
}
