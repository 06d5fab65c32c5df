/**
 * The `typescript` compiler API as the TS/JS front end uses it: `createSourceFile` only (no program, no
 * type checker). The engine stays pure: the module itself is handed in by the caller (see
 * WorkspaceOptions.loadTypeScript) and loaded on the first TS/JS file only.
 */
import type * as TS from 'typescript';

export type TypeScriptApi = typeof TS;

/** `.ts .tsx .js .jsx .mjs .cjs` files, declaration files excepted. */
export function isTypeScriptPath(path: string): boolean {
  return /\.(?:ts|tsx|js|jsx|mjs|cjs)$/.test(path) && !/\.d\.ts$/.test(path);
}

/**
 * A test file by its name (`*.test.ts`, `*.spec.js`, `__tests__/`): tests use tiny TTLs on purpose to watch
 * them expire, and build throw-away clients; the TS rules leave them alone. Folder names such as `test/`
 * are not used: they also appear in absolute paths above a project.
 */
export function isTestPath(path: string): boolean {
  return /(?:^|\/)__tests__\/|\.(?:test|spec|e2e-spec)\.[cm]?[jt]sx?$/.test(path);
}

/** `tsconfig.json` and the files it extends (`tsconfig.base.json`): their `paths` aliases resolve imports. */
export function isTsconfigPath(path: string): boolean {
  return /(?:^|\/)tsconfig(?:\.[\w-]+)?\.json$/.test(path);
}

export function isPackageJsonPath(path: string): boolean {
  return path === 'package.json' || path.endsWith('/package.json');
}

function scriptKind(ts: TypeScriptApi, path: string): TS.ScriptKind {
  if (path.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (path.endsWith('.ts')) return ts.ScriptKind.TS;
  if (path.endsWith('.jsx')) return ts.ScriptKind.JSX;
  return ts.ScriptKind.JS;
}

/** Parses one file, with parent pointers (the analysis walks upwards to find scopes). */
/**
 * JSDoc is not parsed: the rules never read it, and TypeScript 6.0.3's JSDoc parser never returns on an
 * unterminated doc comment at the end of a file (`x;\n/** In-pr`, i.e. mid-edit), found by npm run fuzz.
 */
export function parseSource(ts: TypeScriptApi, path: string, text: string): TS.SourceFile {
  return ts.createSourceFile(path, text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, true, scriptKind(ts, path));
}

/** The parser's syntax diagnostics of a text (empty: it parses). */
export function syntaxErrors(ts: TypeScriptApi, path: string, text: string): string[] {
  const source = parseSource(ts, path, text) as TS.SourceFile & { parseDiagnostics?: readonly TS.Diagnostic[] };
  return (source.parseDiagnostics ?? []).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

/** Whether `error` is V8 running out of stack: what a syntax tree nested too deep for a recursive walk throws. */
export function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}
