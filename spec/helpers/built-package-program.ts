import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';

// Application code type-checked against the package as built (dist/), in memory: one program,
// one start of the compiler, however many files.

export const PROJECT_ROOT = resolve(__dirname, '../..');

/** The built declarations of each entry point, by the specifier an application imports. */
export const BUILT_ENTRY_TYPES = {
  '@fastcore/security': join(PROJECT_ROOT, 'dist', 'index.d.ts'),
  '@fastcore/security/advanced': join(PROJECT_ROOT, 'dist', 'advanced.d.ts'),
} as const;

/**
 * The project's strict options, for code as an application writes it, with the package's
 * specifiers resolved to dist/ (its built declarations, not src/). `extra` adds or overrides
 * options; its `paths` are added to the package's.
 */
export function builtPackageOptions(extra: ts.CompilerOptions = {}): ts.CompilerOptions {
  const paths = Object.fromEntries(
    Object.entries(BUILT_ENTRY_TYPES).map(([specifier, file]) => [specifier, [file]]),
  );
  return { ...applicationOptions(extra), paths: { ...paths, ...extra.paths } };
}

/**
 * The project's strict options, for code as an application writes it (commonjs, node10
 * resolution, Node's types from this project), the package resolved as any other.
 */
export function applicationOptions(extra: ts.CompilerOptions = {}): ts.CompilerOptions {
  return {
    strict: true,
    noImplicitOverride: true,
    noImplicitReturns: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    esModuleInterop: true,
    forceConsistentCasingInFileNames: true,
    skipLibCheck: true,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    types: ['node'],
    typeRoots: [join(PROJECT_ROOT, 'node_modules', '@types')],
    noEmit: true,
    ...extra,
  };
}

/** Throws, naming the build step, when dist/ holds no declarations yet. */
export function requireBuiltTypes(): void {
  for (const file of Object.values(BUILT_ENTRY_TYPES)) {
    if (!existsSync(file)) {
      throw new Error(
        `${file} is missing: \`npm test\` builds it first (pretest); run \`npm run build\``,
      );
    }
  }
}

/**
 * A program over `sources` (file name → code, held in memory, the files need not exist), the
 * files on disk named in `files`, and whatever they import, resolved from the project's root.
 */
export function inMemoryProgram(
  sources: ReadonlyMap<string, string>,
  options: ts.CompilerOptions,
  files: readonly string[] = [],
): ts.Program {
  const host = ts.createCompilerHost(options, true);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getCurrentDirectory = () => PROJECT_ROOT;
  host.fileExists = (name) => sources.has(name) || fileExists(name);
  host.readFile = (name) => sources.get(name) ?? readFile(name);
  return ts.createProgram([...sources.keys(), ...files], options, host);
}

/** A file's syntactic and semantic diagnostics. */
export function diagnosticsOf(program: ts.Program, file: ts.SourceFile): readonly ts.Diagnostic[] {
  return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
}

/** `file:line:column TS1234: message`, the file relative to the project. */
export function formatDiagnostic(diagnostic: ts.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  if (!diagnostic.file || diagnostic.start === undefined) return `TS${diagnostic.code}: ${message}`;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  const name = diagnostic.file.fileName.replace(`${PROJECT_ROOT}/`, '');
  return `${name}:${line + 1}:${character + 1} TS${diagnostic.code}: ${message}`;
}
