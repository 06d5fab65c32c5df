import type * as TS from 'typescript';
import { creationTtls, describeCall, type TtlArgument, type Unit } from '../analysis/typescript/calls.js';
import { LIBRARY_LABEL, type LibraryId } from '../analysis/typescript/libraries.js';
import { isTestPath, type TypeScriptApi } from '../analysis/typescript/load.js';
import type { TsModule, TypeScriptProject } from '../analysis/typescript/project.js';
import { lookup, objectProperty, propertyValue, spanOf, unwrap } from '../analysis/typescript/syntax.js';
import { traceTtl, UNIT_WORD } from '../analysis/typescript/units.js';
import type { FixSpec, Report, Rule } from './rule.js';

export const cache203: Rule = {
  code: 'CACHE203',
  name: 'js-ttl-unit',
  severity: 'warning',
  span: 'the TTL',
  fix: 'unsafe',
  crossFile: true,
  lessonSection: 'timeouts',
  docs: {
    summary:
      'A TTL in the wrong unit for its library: seconds where milliseconds are expected (cache-manager v5 and later, Keyv, lru-cache, Redis `PX`), or milliseconds where seconds are expected (node-cache, Redis `EX`, `setex`, `expire`).',
    why:
      "A TTL of `60` meant as a minute lives 60 ms in lru-cache, Keyv or cache-manager 5: the cache never hits and every request goes to the database. The other way round, `'EX', 60 * 1000` keeps a one-minute value for almost 17 hours. Libraries disagree on units, and cache-manager changed from seconds to milliseconds in v5.",
    example: "const products = new LRUCache<string, Product>({ max: 500, ttl: 60 });\nawait redis.set(key, value, 'EX', 5 * 60 * 1000);",
    useInstead: "const products = new LRUCache<string, Product>({ max: 500, ttl: 60 * 1000 });\nawait redis.set(key, value, 'EX', 5 * 60);",
    cannotSee:
      "It follows a TTL back from the library call to where it is written: constants in this module or imported (through relative imports, tsconfig `paths` aliases and workspace packages), conversions (`* 1000`, `/ 1000`, `/ 60`, `Math.floor`), default parameters, and the call sites of the project's own wrappers (functions, and methods of classes injected by type, as NestJS services are), up to four wrappers deep. The unit comes from names (`ttlSeconds`, `TTL_MS`, `cacheMinutes`), from durations whose value says it (`ONE_DAY` = 86400 is seconds, `HOUR` = 3600000 milliseconds) and from conversions; the finding is reported where the wrong unit enters: the conversion or constant that makes it (when that file uses the cache itself, else at its use, naming it), or the wrapper's call site. Without a unit, only size speaks: a round number of seconds (a multiple of 30 under 1000) where milliseconds are expected, or a whole number of seconds of a thousand hours or more that is a multiple of 1000. A TTL computed at run time or read from configuration (`config.get('ttl')`, `process.env`) is not checked, nor a wrapper called through an untyped variable. cache-manager's unit comes from the major version in the nearest package.json listing it or @nestjs/cache-manager (v2 means cache-manager 5, v3 means 6), else from the project's other package.json files when they agree, else `createCache` implies v6; when none tells, it stays quiet. NestJS `@CacheTTL()` and `CacheModule.register`/`registerAsync` ttl are judged the same way. Test files (`*.test.ts`, `*.spec.js`, `__tests__/`) are neither checked nor followed as call sites: tests use tiny TTLs on purpose.",
  },
  checkTypeScript({ module, project, report }) {
    if (isTestPath(module.path)) return;
    for (const finding of project.memo('CACHE203', () => unitFindings(project)).get(module.path) ?? []) report(finding);
  },
};

interface Sink {
  module: TsModule;
  ttl: TtlArgument;
  library: LibraryId;
  /** The library call, for messages: `redis.set()`, `new LRUCache()`. */
  call: string;
}

/** Every TTL argument of a library call or constructor in the project's non-test modules, with the unit it takes. */
function sinks(project: TypeScriptProject): Sink[] {
  const found: Sink[] = [];
  for (const module of project.candidateModules()) {
    if (isTestPath(module.path)) continue;
    const ts = module.ts;
    for (const call of module.calls) {
      const created = project.creationAt(module, call);
      if (created) for (const ttl of creationTtls(project, created)) found.push({ module, ttl, library: created.library, call: `new ${call.expression.getText()}()` });
      if (ts.isCallExpression(call)) found.push(...nestSinks(project, module, call));
      if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression)) continue;
      const client = project.clientOf(module, call.expression.expression);
      if (!client) continue;
      const operation = describeCall(project, module, call, client);
      const receiver = call.expression.expression.getText().replace(/\s+/g, '');
      if (operation && operation.kind !== 'get') for (const ttl of operation.ttls) found.push({ module, ttl, library: client.library, call: `${receiver}.${call.expression.name.text}()` });
    }
  }
  return found;
}

const NEST_CACHE_PACKAGES = new Set(['@nestjs/cache-manager', '@nestjs/common']);

/** NestJS: `@CacheTTL(ttl)` and `CacheModule.register({ ttl })` / `registerAsync({ useFactory: () => ({ ttl }) })`, in cache-manager's unit. */
function nestSinks(project: TypeScriptProject, module: TsModule, call: TS.CallExpression): Sink[] {
  const ts = module.ts;
  const callee = call.expression;
  const root = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) ? callee.expression : undefined;
  if (!root) return [];
  const declaration = lookup(ts, root.text, root);
  if (declaration?.kind !== 'import' || !NEST_CACHE_PACKAGES.has(declaration.specifier)) return [];
  const major = project.cacheManagerMajor(module.path);
  if (major === undefined) return [];
  const unit: Unit = major >= 5 ? 'ms' : 's';
  const sink = (expr: TS.Expression | undefined, label: string): Sink[] => (expr ? [{ module, ttl: { expr, unit, label }, library: 'cache-manager', call: `${callee.getText()}()` }] : []);
  if (ts.isIdentifier(callee) && declaration.name === 'CacheTTL' && call.arguments.length === 1) return sink(call.arguments[0], '@CacheTTL()');
  if (!ts.isPropertyAccessExpression(callee) || declaration.name !== 'CacheModule' || call.arguments.length < 1) return [];
  let options = unwrap(ts, call.arguments[0]);
  if (callee.name.text === 'registerAsync' && ts.isObjectLiteralExpression(options)) {
    const factory = objectProperty(ts, options, 'useFactory').found;
    const fn = factory && (ts.isMethodDeclaration(factory) ? factory : propertyValue(ts, factory));
    const body = fn && (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn) || ts.isMethodDeclaration(fn)) ? fn.body : undefined;
    const returned = body && !ts.isBlock(body) ? body : body?.statements.find(ts.isReturnStatement)?.expression;
    if (!returned) return [];
    options = unwrap(ts, returned);
  } else if (callee.name.text !== 'register') return [];
  if (!ts.isObjectLiteralExpression(options)) return [];
  const ttl = objectProperty(ts, options, 'ttl').found;
  return sink(ttl && propertyValue(ts, ttl), 'ttl');
}

function unitFindings(project: TypeScriptProject): Map<string, Report[]> {
  const byPath = new Map<string, Report[]>();
  const seen = new Set<string>();
  for (const sink of sinks(project)) {
    const { ttl, module } = sink;
    if (!ttl.unit) continue;
    for (const mismatch of traceTtl(project, module, ttl.expr, ttl.unit)) {
      const origin = mismatch.fact.origin;
      // Report where the wrong unit enters: the conversion or constant that made it, when the analysis reads that file.
      const at = origin && project.isCandidate(origin.module.path) && !isTestPath(origin.module.path) ? origin : { module: mismatch.module, node: mismatch.node };
      const key = `${at.module.path}:${at.node.getStart()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const ts = at.module.ts;
      const direct = at.node === unwrap(ts, ttl.expr) || at.node === ttl.expr;
      const takes = `${LIBRARY_LABEL[sink.library]} takes \`${ttl.label}\` in ${UNIT_WORD[ttl.unit]}`;
      const value = mismatch.fact.value;
      const lasts = value !== undefined && value > 0 && !mismatch.fact.magnitude ? ` (as ${UNIT_WORD[ttl.unit]}, ${value} is ${ttl.unit === 's' ? humanSeconds(value) : value >= 1000 ? humanSeconds(value / 1000) : `${value} ms`})` : '';
      const line = module.lines.positionAt(sink.ttl.expr.getStart()).line + 1;
      const route = direct ? '' : `; it reaches \`${sink.call}\` at ${module.path}:${line}${mismatch.via.length ? ` through ${mismatch.via.join(', ')}` : ''}`;
      let reason = mismatch.fact.reason ?? `${mismatch.node.getText()} is in ${UNIT_WORD[mismatch.fact.unit ?? 's']}`;
      if (origin && at.node !== origin.node) reason += ` (\`${at.node.getText()}\` is defined in ${origin.module.path})`;
      const message = `${takes}, but ${reason}${lasts}${route}.`;
      const fixes = direct ? fixesFor(ts, ttl, ttl.unit) : [];
      const list = byPath.get(at.module.path) ?? [];
      list.push({ span: spanOf(at.node), message, fixes });
      byPath.set(at.module.path, list);
    }
  }
  return byPath;
}

function fixesFor(ts: TypeScriptApi, ttl: TtlArgument, unit: Unit): FixSpec[] {
  if (unit === 'ms') return [{ title: 'Convert seconds to milliseconds (* 1000)', safety: 'unsafe', edits: [{ span: spanOf(ttl.expr), newText: `${operand(ts, ttl.expr)} * 1000` }] }];
  return secondsFixes(ts, ttl);
}

/** The expression as an operand of `*` or `/`: parenthesised unless it is a primary expression. */
function operand(ts: TypeScriptApi, expr: TS.Expression): string {
  const text = expr.getText();
  const primary = ts.isIdentifier(expr) || ts.isNumericLiteral(expr) || ts.isPropertyAccessExpression(expr) || ts.isElementAccessExpression(expr) || ts.isCallExpression(expr) || ts.isParenthesizedExpression(expr);
  return primary ? text : `(${text})`;
}

function secondsFixes(ts: TypeScriptApi, ttl: TtlArgument): FixSpec[] {
  if (ttl.switchUnit) {
    const { label, ...edit } = ttl.switchUnit;
    return [{ title: `Use ${label} (milliseconds) instead`, safety: 'unsafe', edits: [edit] }];
  }
  const expr = unwrap(ts, ttl.expr);
  if (ts.isBinaryExpression(expr) && expr.operatorToken.kind === ts.SyntaxKind.AsteriskToken) {
    const isThousand = (side: TS.Expression): boolean => ts.isNumericLiteral(side) && Number(side.text) === 1000;
    const rest = isThousand(expr.right) ? expr.left : isThousand(expr.left) ? expr.right : undefined;
    if (rest) return [{ title: 'Drop the * 1000 (seconds, not milliseconds)', safety: 'unsafe', edits: [{ span: spanOf(ttl.expr), newText: rest.getText() }] }];
  }
  return [{ title: 'Convert milliseconds to seconds (/ 1000)', safety: 'unsafe', edits: [{ span: spanOf(ttl.expr), newText: `${operand(ts, ttl.expr)} / 1000` }] }];
}

function humanSeconds(seconds: number): string {
  const round = (amount: number): string => String(Math.round(amount * 10) / 10);
  if (seconds >= 86_400) return `${round(seconds / 86_400)} days`;
  if (seconds >= 3_600) return `${round(seconds / 3_600)} hours`;
  if (seconds >= 60) return `${round(seconds / 60)} minutes`;
  return seconds === 1 ? '1 second' : `${seconds} seconds`;
}
