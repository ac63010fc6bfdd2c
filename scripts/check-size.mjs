#!/usr/bin/env node
// The size limits of the house (COMMON standards, issue #14): no function longer than 100
// lines, no file longer than 500 lines, in src/ and webview/ (or the folders given as
// arguments). Functions are found with the TypeScript compiler's parser: every function-like
// node (declarations, methods, constructors, accessors, function expressions, arrows) counts
// from its first to its last line, so an outer function's count includes what it nests.
// Prints each offender as file:line and its length; exits 1 when there is one.
//
//   node scripts/check-size.mjs [dir...]        (npm run check-size)
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const MAX_FUNCTION_LINES = 100;
const MAX_FILE_LINES = 500;

/**
 * Files exempt from the file limit: generated files and data tables only (never code that was
 * merely grown long). Each entry says why. None in src/ or webview/ today.
 */
const ALLOW_FILE = new Map([
  // ['src/core/some-table.ts', 'a data table: ...'],
]);

const root = process.cwd();
const dirs = process.argv.slice(2).length ? process.argv.slice(2) : ['src', 'webview'];

function* sources(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* sources(p);
    else if (/\.(ts|mts|cts)$/.test(name) && !name.endsWith('.d.ts')) yield p;
  }
}

function functionName(node, sf) {
  if (node.name) return node.name.getText(sf);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText(sf);
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText(sf);
  if (parent && ts.isPropertyDeclaration(parent)) return parent.name.getText(sf);
  return '(anonymous)';
}

/** [{ line, lines, name }] of every function-like node longer than the limit */
function longFunctions(file, text) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out = [];
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > MAX_FUNCTION_LINES) out.push({ line: start + 1, lines, name: functionName(node, sf) });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

const offenders = [];
let files = 0;
for (const dir of dirs) {
  for (const file of sources(dir)) {
    files++;
    const rel = relative(root, file);
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (lines > MAX_FILE_LINES && !ALLOW_FILE.has(rel)) offenders.push(`${rel}:1: file of ${lines} lines (limit ${MAX_FILE_LINES})`);
    for (const f of longFunctions(file, text)) offenders.push(`${rel}:${f.line}: function ${f.name} of ${f.lines} lines (limit ${MAX_FUNCTION_LINES})`);
  }
}
for (const o of offenders) console.log(o);
console.log(`check-size: ${files} files in ${dirs.join(', ')}; ${offenders.length} over the limits (functions ${MAX_FUNCTION_LINES} lines, files ${MAX_FILE_LINES} lines)`);
process.exit(offenders.length ? 1 : 0);
