/**
 * The TS/JS front end's model: a parsed module, a cache client, what an expression evaluates to, and the
 * project queries call descriptions need. Its own module so that calls.ts and project.ts both read it
 * without importing each other.
 */
import type * as TS from 'typescript';
import type { SuppressionComment } from '../suppression.js';
import type { LineIndex } from '../text.js';
import type { LibraryId } from './libraries.js';
import type { TypeScriptApi } from './load.js';
import type { FunctionLike } from './syntax.js';

export interface TsModule {
  path: string;
  text: string;
  lines: LineIndex;
  ts: TypeScriptApi;
  source: TS.SourceFile;
  /** Every call and `new`, in source order. */
  calls: (TS.CallExpression | TS.NewExpression)[];
  /** `name = value` assignments anywhere in the file, by name (`let client; client = new Redis()`). */
  assignments: Map<string, TS.Expression[]>;
  suppressions: SuppressionComment[];
  skipFile: boolean;
}

/** A cache client: created by a library constructor or factory, or declared with a library's type. */
export interface Client {
  library: LibraryId;
  /** Identity: the module and position of the creation or declaration. */
  id: string;
  module: TsModule;
  /** The `new Redis(...)` / `createClient(...)` / `caching(...)` expression; undefined for a type-only declaration. */
  creation?: TS.CallExpression | TS.NewExpression;
  /** cache-manager: the factory (`caching`, `createCache`, `multiCaching`). */
  factory?: string;
}

/** What an expression evaluates to, as far as the front end can tell without a type checker. */
export type Value =
  | { kind: 'library'; library: LibraryId; names: string[] }
  | { kind: 'module'; module: TsModule }
  | { kind: 'client'; client: Client }
  | { kind: 'function'; module: TsModule; node: FunctionLike }
  | { kind: 'class'; module: TsModule; node: TS.ClassLikeDeclaration }
  /** An instance of a project class, known from a type annotation (`private readonly cache: CacheService`). */
  | { kind: 'instance'; module: TsModule; node: TS.ClassLikeDeclaration }
  | { kind: 'expr'; module: TsModule; expr: TS.Expression };

/** What describing a cache call asks of the project (TypeScriptProject answers it). */
export interface ProjectQueries {
  cacheManagerMajor(path: string): number | undefined;
  valueOf(module: TsModule, expr: TS.Expression): Value | undefined;
  creationAt(module: TsModule, node: TS.CallExpression | TS.NewExpression): Client | undefined;
  constantOf(module: TsModule, expr: TS.Expression): { module: TsModule; expr: TS.Expression } | undefined;
  numberValue(module: TsModule, expr: TS.Expression): number | undefined;
}
