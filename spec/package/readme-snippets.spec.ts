import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import ts from 'typescript';
import {
  BUILT_ENTRY_TYPES,
  PROJECT_ROOT,
  builtPackageOptions,
  diagnosticsOf,
  inMemoryProgram,
  requireBuiltTypes,
} from '../helpers/built-package-program';

// Every ```ts block of README.md is type-checked against the package as built (dist/), so that
// no block drifts from the API. All blocks go into one program (one start of the compiler),
// each as its own module, held in memory.

const readmePath = join(PROJECT_ROOT, 'README.md');
const preludePath = join(__dirname, 'readme-prelude.d.ts');
/** The prelude as compiled: a .ts file, which skipLibCheck does not skip as it would a .d.ts. */
const preludeSource = join(__dirname, 'readme-prelude.ts');
/** The blocks' place in the program: a folder that does not exist, beside the prelude. */
const blockFolder = join(__dirname, 'readme-blocks');
const preludeSpecifier = '../readme-prelude';

/** The application's options, and both entry points resolved to their built declarations. */
const COMPILER_OPTIONS = builtPackageOptions({
  // Only to see which prelude names a block uses; a block's own unused names are fine.
  noUnusedLocals: true,
  // A block without imports is still a module of its own, not a script sharing globals.
  moduleDetection: ts.ModuleDetectionKind.Force,
});

/** "'x' is declared but never used" and its variants (noUnusedLocals). */
const UNUSED_CODES = new Set([6133, 6192, 6196, 6198]);
/**
 * "Top-level 'await' needs module es2022": blocks are excerpts of an async start-up, and
 * commonjs (the package's format) has no top-level await.
 */
const TOP_LEVEL_AWAIT = 1378;

interface Block {
  /** README line (1-based) of the block's first line of code. */
  line: number;
  code: string;
  fileName: string;
}

/** The ```ts (or ```typescript) fenced blocks of a Markdown text. */
function tsBlocks(markdown: string): Block[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i]);
    if (!open) continue;
    const fence = open[1];
    const closing = new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`);
    let end = i + 1;
    while (end < lines.length && !closing.test(lines[end])) end++;
    if (end === lines.length) throw new Error(`README.md:${i + 1}: this fence is never closed`);
    if (['ts', 'typescript'].includes(open[2].toLowerCase())) {
      const line = i + 2;
      const code = lines.slice(i + 1, end).join('\n');
      blocks.push({ line, code, fileName: join(blockFolder, `line-${line}.ts`) });
    }
    i = end;
  }
  return blocks;
}

/** The names one top-level statement declares, an import's bindings included. */
function declaredNames(statement: ts.Statement): string[] {
  const names: string[] = [];
  const addBinding = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.push(name.text);
    else
      for (const element of name.elements)
        if (!ts.isOmittedExpression(element)) addBinding(element.name);
  };
  if (ts.isImportDeclaration(statement)) {
    const clause = statement.importClause;
    if (clause?.name) names.push(clause.name.text);
    const bindings = clause?.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) names.push(bindings.name.text);
    if (bindings && ts.isNamedImports(bindings))
      for (const element of bindings.elements) names.push(element.name.text);
  } else if (ts.isImportEqualsDeclaration(statement)) {
    names.push(statement.name.text);
  } else if (ts.isVariableStatement(statement)) {
    for (const declaration of statement.declarationList.declarations) addBinding(declaration.name);
  } else if (
    (ts.isFunctionDeclaration(statement) ||
      ts.isClassDeclaration(statement) ||
      ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement) ||
      ts.isEnumDeclaration(statement) ||
      ts.isModuleDeclaration(statement)) &&
    statement.name &&
    ts.isIdentifier(statement.name)
  ) {
    names.push(statement.name.text);
  }
  return names;
}

function isExported(statement: ts.Statement): boolean {
  const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined;
  return (modifiers ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
}

function parse(fileName: string, code: string): ts.SourceFile {
  return ts.createSourceFile(fileName, code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
}

/**
 * The block as compiled: its code (its lines keep their numbers), then a line that imports
 * every prelude name the block does not declare itself.
 */
function withPrelude(block: Block, preludeNames: readonly string[]): string {
  const own = new Set(parse(block.fileName, block.code).statements.flatMap(declaredNames));
  const given = preludeNames.filter((name) => !own.has(name));
  if (given.length === 0) return block.code;
  return `${block.code}\nimport { ${given.join(', ')} } from '${preludeSpecifier}';`;
}

/** `README.md:line:column TS1234: message`, or the prelude's own position. */
function describeDiagnostic(diagnostic: ts.Diagnostic, block?: Block): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  if (!diagnostic.file || diagnostic.start === undefined) return `TS${diagnostic.code}: ${message}`;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  let where = `spec/package/readme-prelude.d.ts:${line + 1}`;
  if (block) {
    const inBlock = line < block.code.split('\n').length;
    where = inBlock ? `README.md:${block.line + line}` : `README.md:${block.line} (prelude import)`;
  }
  return `${where}:${character + 1} TS${diagnostic.code}: ${message}`;
}

/** The prelude names that a block's appended import brings in and the block reads. */
function preludeNamesUsed(program: ts.Program, block: Block): string[] {
  const file = program.getSourceFile(block.fileName)!;
  const appended = file.statements.find(
    (s): s is ts.ImportDeclaration =>
      ts.isImportDeclaration(s) && s.getStart() >= block.code.length,
  );
  if (!appended) return [];
  const imported = declaredNames(appended);
  const unused = new Set<string>();
  for (const diagnostic of diagnosticsOf(program, file)) {
    if (!UNUSED_CODES.has(diagnostic.code) || (diagnostic.start ?? 0) < block.code.length) continue;
    if (diagnostic.code === 6192) return []; // "All imports in import declaration are unused."
    unused.add(file.text.slice(diagnostic.start, diagnostic.start! + diagnostic.length!));
  }
  return imported.filter((name) => !unused.has(name));
}

let blocks: Block[] = [];
/** A README that cannot be read into blocks fails the first test, not the whole run. */
let readmeError: Error | undefined;
try {
  blocks = tsBlocks(readFileSync(readmePath, 'utf8'));
} catch (error) {
  readmeError = error instanceof Error ? error : new Error(String(error));
}

describe('README.md: every TypeScript block compiles against the built package', function () {
  let program: ts.Program;
  let preludeNames: string[];

  before(function () {
    requireBuiltTypes();
    const preludeCode = readFileSync(preludePath, 'utf8');
    preludeNames = parse(preludePath, preludeCode)
      .statements.filter(isExported)
      .flatMap(declaredNames);
    const sources = new Map(blocks.map((b) => [b.fileName, withPrelude(b, preludeNames)]));
    sources.set(preludeSource, preludeCode);
    program = inMemoryProgram(sources, COMPILER_OPTIONS);
  });

  it('finds the blocks, and resolves each entry point to its dist/ declarations', function () {
    if (readmeError) throw readmeError;
    expect(blocks).to.not.be.empty;
    const global = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
    expect(global.map((d) => describeDiagnostic(d))).to.deep.equal([]);
    for (const [specifier, builtTypes] of Object.entries(BUILT_ENTRY_TYPES)) {
      const resolved = ts.resolveModuleName(
        specifier,
        join(blockFolder, 'any.ts'),
        COMPILER_OPTIONS,
        ts.sys,
      ).resolvedModule;
      expect(resolved?.resolvedFileName, specifier).to.equal(builtTypes);
    }
  });

  it('has a prelude that compiles and declares only names some block uses', function () {
    const problems = diagnosticsOf(program, program.getSourceFile(preludeSource)!);
    expect(problems.map((d) => describeDiagnostic(d))).to.deep.equal([]);
    const used = new Set(blocks.flatMap((block) => preludeNamesUsed(program, block)));
    expect(
      preludeNames.filter((name) => !used.has(name)),
      'prelude names no block uses',
    ).to.deep.equal([]);
  });

  for (const block of blocks) {
    it(`README.md:${block.line} ${block.code.split('\n')[0].trim()}`, function () {
      const problems = diagnosticsOf(program, program.getSourceFile(block.fileName)!)
        .filter((d) => d.code !== TOP_LEVEL_AWAIT && !UNUSED_CODES.has(d.code))
        .map((d) => describeDiagnostic(d, block));
      if (problems.length > 0) expect.fail(problems.join('\n'));
    });
  }
});
