/**
 * One walk per source file, shared by every check: the node kinds the checks
 * start from, collected once and cached on the SourceFile object. A check then
 * asks the type checker only about these candidates, never about every node.
 */
import type * as TS from 'typescript';
import type { TypeScript } from '../check.js';

export interface FileIndex {
  expressionStatements: TS.ExpressionStatement[];
  calls: TS.CallExpression[];
  news: TS.NewExpression[];
  awaits: TS.AwaitExpression[];
  variableDeclarations: TS.VariableDeclaration[];
  /** Function-likes with a body (declarations, expressions, arrows, methods, accessors, constructors). */
  functions: TS.FunctionLikeDeclaration[];
  classes: TS.ClassLikeDeclaration[];
  /** Identifiers by text, for cheap reference lookups before asking for symbols. */
  identifiersByText: Map<string, TS.Identifier[]>;
}

const cache = new WeakMap<TS.SourceFile, FileIndex>();

export function indexFile(ts: TypeScript, sourceFile: TS.SourceFile): FileIndex {
  const cached = cache.get(sourceFile);
  if (cached) return cached;
  const index: FileIndex = {
    expressionStatements: [],
    calls: [],
    news: [],
    awaits: [],
    variableDeclarations: [],
    functions: [],
    classes: [],
    identifiersByText: new Map(),
  };
  const SK = ts.SyntaxKind;
  const visit = (node: TS.Node): void => {
    switch (node.kind) {
      case SK.ExpressionStatement:
        index.expressionStatements.push(node as TS.ExpressionStatement);
        break;
      case SK.CallExpression:
        index.calls.push(node as TS.CallExpression);
        break;
      case SK.NewExpression:
        index.news.push(node as TS.NewExpression);
        break;
      case SK.AwaitExpression:
        index.awaits.push(node as TS.AwaitExpression);
        break;
      case SK.VariableDeclaration:
        index.variableDeclarations.push(node as TS.VariableDeclaration);
        break;
      case SK.FunctionDeclaration:
      case SK.FunctionExpression:
      case SK.ArrowFunction:
      case SK.MethodDeclaration:
      case SK.GetAccessor:
      case SK.SetAccessor:
      case SK.Constructor:
        if ((node as TS.FunctionLikeDeclaration).body) index.functions.push(node as TS.FunctionLikeDeclaration);
        break;
      case SK.ClassDeclaration:
      case SK.ClassExpression:
        index.classes.push(node as TS.ClassLikeDeclaration);
        break;
      case SK.Identifier: {
        const id = node as TS.Identifier;
        const list = index.identifiersByText.get(id.text);
        if (list) list.push(id);
        else index.identifiersByText.set(id.text, [id]);
        break;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  cache.set(sourceFile, index);
  return index;
}
