// esbuild (under tsup) writes every top-level binding of a bundle as `var`,
// on purpose (its lazily initialised modules need no temporal dead zone).
// V8 (Node 20's TurboFan) folds a module's `const` into the code that reads
// it, so a call through a captured built-in (`utf8Write.call(…)`,
// `hasOwnProperty.call(…)`) is a direct call; a `var` it loads and checks
// at each use. This rewrites a built file's top-level `var` declarations as
// `const` where nothing assigns the name again: any assignment to the name
// anywhere in the file (even to a local of the same name), or a second
// declaration of it, keeps it `var`. Run by `npm run build` after tsup, and
// by the benchmarks on their own bundle of the codecs.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

/** Rewrites `file` in place; returns how many declarations became const. */
export function constBindings(file) {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const assigned = new Set();
  const declared = new Map();
  const count = (name) => declared.set(name, (declared.get(name) ?? 0) + 1);
  // The names an assignment's target assigns: `x`, or those in a pattern (`[x, { k: y, z }]`); not `x` of `x[i]` or `x.k`.
  const targets = (node) => {
    if (ts.isIdentifier(node)) assigned.add(node.text);
    else if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) return;
    else if (ts.isPropertyAssignment(node)) targets(node.initializer);
    else if (ts.isShorthandPropertyAssignment(node)) assigned.add(node.name.text);
    else ts.forEachChild(node, targets);
  };
  const visit = (node, inFunction) => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) targets(node.left);
    else if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)) targets(node.operand);
    else if ((ts.isForInStatement(node) || ts.isForOfStatement(node)) && !ts.isVariableDeclarationList(node.initializer)) targets(node.initializer);
    // The names the module's own scope declares (a var in a block at the top level included).
    if (!inFunction && ts.isVariableDeclaration(node)) {
      if (ts.isIdentifier(node.name)) count(node.name.text);
      else targets(node.name);
    }
    if (!inFunction && (ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) && node.name) count(node.name.text);
    const inner = inFunction || ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node);
    ts.forEachChild(node, (child) => visit(child, inner));
  };
  ts.forEachChild(sf, (child) => visit(child, false));
  const edits = [];
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    const list = st.declarationList;
    if (list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) continue;
    const fixed = (d) => ts.isIdentifier(d.name) && d.initializer !== undefined && declared.get(d.name.text) === 1 && !assigned.has(d.name.text);
    if (list.declarations.every(fixed)) edits.push(list.getStart(sf));
  }
  let out = text;
  for (const at of edits.sort((a, b) => b - a)) out = `${out.slice(0, at)}const${out.slice(at + 3)}`;
  if (out !== text) writeFileSync(file, out);
  return edits.length;
}

/** constBindings() on every .js and .cjs file of `dir`. */
export function constBindingsIn(dir) {
  let n = 0;
  for (const f of readdirSync(dir)) if (/\.c?js$/.test(f)) n += constBindings(join(dir, f));
  return n;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2] ?? 'dist';
  console.error(`tsup.bindings.mjs: ${constBindingsIn(dir)} top-level bindings of ${dir}/ made const`);
}
