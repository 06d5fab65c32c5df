import { isConstantTemplate, isOpaque } from '../analysis/keys.js';
import { invalidatedKeys } from '../analysis/typescript/calls.js';
import { distinguishingSource, isCacheAside, valueSources } from '../analysis/typescript/flow.js';
import { isRedis } from '../analysis/typescript/libraries.js';
import { isTestPath } from '../analysis/typescript/load.js';
import { forEachDescendant, innermostFunction, lookup, spanOf, unwrap } from '../analysis/typescript/syntax.js';
import { callSitesOf } from '../analysis/typescript/units.js';
import type { TsModule, TypeScriptProject } from '../analysis/typescript/project.js';
import type { FunctionLike } from '../analysis/typescript/syntax.js';
import type { TypeScriptApi } from '../analysis/typescript/load.js';
import type * as TS from 'typescript';
import type { FixSpec, Rule } from './rule.js';

export const cache202: Rule = {
  code: 'CACHE202',
  name: 'js-generic-key',
  severity: 'warning',
  span: 'the key expression',
  fix: 'unsafe',
  lessonSection: 'key-design',
  docs: {
    summary: 'A constant TS/JS cache key for a value computed from something the key does not mention: a function parameter, `req.user`, `req.query` or `this.request`; a key with holes that leaves out the caller the value depends on; and a NestJS handler cached by an interceptor under a key without the caller while it reads the caller.',
    why:
      "Every caller shares one entry. The first caller's value (one user's basket, one page of results, one tenant's settings) is served to everyone who comes after, which is both a bug and a data leak.",
    example:
      "app.get('/basket', async (req, res) => {\n  let basket = await cache.get('basket');\n  if (!basket) {\n    basket = await loadBasket(req.user.id);\n    await cache.set('basket', basket, 60_000);\n  }\n  res.json(basket);\n});",
    useInstead: "app.get('/basket', async (req, res) => {\n  const key = `basket:${req.user.id}`;\n  let basket = await cache.get(key);\n  if (!basket) {\n    basket = await loadBasket(req.user.id);\n    await cache.set(key, basket, 60_000);\n  }\n  res.json(basket);\n});",
    cannotSee:
      'It follows data flow through local variables to the parameters of the function holding the store; parameters of functions around it (often injected dependencies of a factory) are not counted. Values that depend on a parameter only through a condition (`if (force)`), through instance state other than `this.request`/`this.req`/`this.ctx`, or through module state are not followed, and a function that stores exactly the parameter it was given (a setter) is left alone. Keys are resolved through constants and simple key helpers, in this module or imported; a key it cannot read keeps it quiet. A plain Redis client is only judged in the cache-aside shape, as in CACHE201. Global data (site settings, exchange rates) under a constant key is correct and stays quiet, and so is a parameter every caller in the project passes the same constant for (`pages(undefined, true)`). A key with holes is judged only for the caller: it is flagged when the value depends on `req.user` (`this.request.user`, `ctx.state.user`) or a parameter naming the caller (`userId`, `currentUser`, `viewerId`) and the key is built from other inputs (`` `orders:page:${page}` ``); a key that mentions a user, account, session, owner, token or `this.` anywhere is taken as telling callers apart. Other missing inputs (a `findOne` by more fields than the key, a locale or a tenant left out, a per-user URL under a resource key) are not judged. NestJS handlers are judged when `@CacheKey`, `@UseInterceptors(CacheInterceptor)` on a `@Get` (keyed by the URL), or a project decorator returning `SetMetadata(...)` whose metadata a `NestInterceptor` in the project reads (`@MakeCache([...], [...])`) caches them and they read an injected caller (`@CurrentUser() user`, `@Session()`, `req.user` of `@Req()`) that the decorator does not name: the interceptor answers from the cache before the handler runs, so a per-user result or a permission check inside the handler is skipped. A global `APP_INTERCEPTOR` cache, and decorators that clear (`PreventCache`, `CacheEvict`), are not read. Test files (`*.test.ts`, `*.spec.js`, `__tests__/`) are not checked: tests use tiny TTLs and throw-away clients on purpose.',
  },
  checkTypeScript({ module, project, report }) {
    if (isTestPath(module.path)) return;
    const ts = module.ts;
    for (const handler of perUserCachedHandlers(project, module)) {
      report({
        span: spanOf(handler.key),
        message: `\`${handler.name}\` is cached by ${handler.decorator} under a key without \`${handler.user}\`, but the handler reads it: the interceptor returns the first caller's cached result to every user, before the handler's own checks run.`,
        fixes: [],
      });
    }
    for (const call of module.calls) {
      // A method of a client or a wrapper, or a wrapper function called by name (`setCached(key, value)`).
      if (!ts.isCallExpression(call) || !(ts.isPropertyAccessExpression(call.expression) || ts.isIdentifier(call.expression))) continue;
      const found = project.cacheCall(module, call);
      const client = found?.client;
      if (!client) continue;
      const operation = found.operation;
      if (operation?.kind !== 'store') continue;
      const template = project.keyTemplate(module, operation.key);
      if (isOpaque(template)) continue;
      if (isRedis(client.library) && !isCacheAside(project, module, call, client, operation.key, operation.value)) continue;
      if (!isConstantTemplate(template)) {
        const caller = callerMissingFromKey(module, call, operation.key, operation.value);
        if (caller) {
          report({
            span: spanOf(operation.key),
            message: `The key "${template}" does not name the caller, but the stored value depends on \`${caller}\`: one user's value will be served to the others who hit the same key.`,
            fixes: [],
          });
        }
        continue;
      }
      const source = distinguishingSource(module, call, operation.value);
      if (!source) continue;
      if (source.parameter && callersAgree(project, module, source.parameter)) continue;
      const fix = keyFix(project, module, call, operation.key, source.placeholder);
      report({
        span: spanOf(operation.key),
        message: `The key "${template}" is the same for every call, but the stored value depends on \`${source.text}\`: one caller's value will be served to the others.`,
        fixes: fix ? [fix] : [],
      });
    }
  },
};

/**
 * Whether every call of the function from outside it passes the same constant for the parameter (or
 * none passes it): the function then only ever caches one variant (`getSitemap(undefined, true)`).
 */
function callersAgree(project: TypeScriptProject, module: TsModule, parameter: { fn: FunctionLike; index: number }): boolean {
  const ts = module.ts;
  const sites = callSitesOf(project, module, parameter.fn).filter((site) => !(site.call.pos >= parameter.fn.pos && site.call.end <= parameter.fn.end && site.module === module));
  if (sites.length === 0) return false;
  const passed = new Set<string>();
  for (const site of sites) {
    const argument = site.call.arguments[parameter.index];
    if (argument === undefined) {
      passed.add('undefined');
      continue;
    }
    const node = unwrap(ts, argument);
    const constant = ts.isStringLiteralLike(node) || ts.isNumericLiteral(node) || node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword || node.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(node) && node.text === 'undefined');
    if (!constant) return false;
    passed.add(ts.isStringLiteralLike(node) ? JSON.stringify(node.text) : node.getText());
  }
  return passed.size === 1;
}

/**
 * Puts the placeholder into the key at the store and at every other use of the key (reads, deletes,
 * expiries), or offers nothing: a write under the new key that the reads still look up under the old one
 * would never be found. Offered only when every string literal of the key in the project's TS/JS files is
 * such a use in the function holding the store, where the placeholder means the same thing.
 */
function keyFix(project: TypeScriptProject, module: TsModule, store: TS.CallExpression, storeKey: TS.Expression, placeholder: string): FixSpec | undefined {
  const ts = module.ts;
  const key = unwrap(ts, storeKey);
  if (!ts.isStringLiteral(key) && !ts.isNoSubstitutionTemplateLiteral(key)) return undefined;
  const fn = innermostFunction(ts, store);
  const root = placeholder.split('.')[0];
  const rootAt = (node: TS.Node): TS.Node | undefined => (root === 'this' ? fn : lookup(ts, root, node)?.node);
  const rootAtStore = rootAt(key);
  const uses = new Set<TS.Expression>([key]);
  for (const call of module.calls) {
    if (call === store || !ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression) || innermostFunction(ts, call) !== fn) continue;
    const operation = project.cacheCall(module, call)?.operation;
    for (const candidate of [...(operation ? [operation.key] : []), ...invalidatedKeys(ts, call)]) {
      const literal = unwrap(ts, candidate);
      if ((ts.isStringLiteral(literal) || ts.isNoSubstitutionTemplateLiteral(literal)) && literal.text === key.text && rootAt(literal) === rootAtStore) uses.add(literal);
    }
  }
  const raw = key.getText().slice(1, -1);
  const rawUses = [...uses].filter((use) => use.getText().slice(1, -1) === raw).length;
  if (literalCount(project, raw) !== rawUses) return undefined;
  const escaped = key.text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
  const newText = `\`${escaped}:\${${placeholder}}\``;
  return {
    title: uses.size > 1 ? `Put \`${placeholder}\` into the key (here and in its ${uses.size - 1} other use${uses.size > 2 ? 's' : ''})` : `Put \`${placeholder}\` into the key`,
    safety: 'unsafe',
    edits: [...uses].map((use) => ({ span: spanOf(use), newText })),
  };
}

/** How often the project's TS/JS texts hold a string literal whose source text is exactly `raw`. */
function literalCount(project: TypeScriptProject, raw: string): number {
  return project.memo(`cache202-literal:${raw}`, () => {
    const escaped = raw.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`(['"\`])${escaped}\\1`, 'g');
    let count = 0;
    for (const path of project.allPaths()) {
      const text = project.textOf(path);
      if (text?.includes(raw)) count += text.match(pattern)?.length ?? 0;
    }
    return count;
  });
}

/** NestJS's own cache interceptor and key decorator. */
const NEST_CACHE_PACKAGES = new Set(['@nestjs/cache-manager', '@nestjs/common']);
/** Parameter decorators that inject the caller: `@CurrentUser() user`, `@Session() session`. */
const CALLER_DECORATORS = /^(CurrentUser|User|AuthUser|GetUser|ReqUser|RequestUser|LoggedInUser|AuthenticatedUser|Session|CurrentSession|UserSession|Viewer|CurrentAccount|CurrentTenant)$/;
const REQUEST_DECORATORS = /^(Req|Request)$/;
/** A key naming the caller: the decorator already tells users apart. */
const CALLER_IN_KEY = /user|session|viewer|account|tenant|owner|\bme\b/i;
/** Custom decorators that stop or clear caching rather than cache. */
const NOT_CACHING = /prevent|evict|invalidat|clear|bust|skip|disable|no[A-Z_]|purge|flush/i;

interface CachedHandler {
  name: string;
  decorator: string;
  key: TS.Node;
  user: string;
}

/**
 * Controller and resolver methods whose result an interceptor caches under a key without the caller
 * (`@CacheKey('basket')`, `@UseInterceptors(CacheInterceptor)` on a `@Get`, or a project decorator built on
 * `SetMetadata` that a `NestInterceptor` reads, such as `@MakeCache(['blobs'], ['workspaceId'])`) while the method
 * takes the caller (`@CurrentUser() user`, `req.user`) and reads it: a per-user result or a permission check that
 * a cache hit skips.
 */
function perUserCachedHandlers(project: TypeScriptProject, module: TsModule): CachedHandler[] {
  const ts = module.ts;
  if (!/@/.test(module.text) || !/cache/i.test(module.text)) return [];
  const found: CachedHandler[] = [];
  forEachDescendant(ts, module.source, (node) => {
    if (ts.isClassDeclaration(node)) {
      const classInterceptor = decoratorsOf(ts, node).some((decorator) => usesNestCacheInterceptor(module, decorator));
      for (const member of node.members) {
        if (!ts.isMethodDeclaration(member) || !member.body) continue;
        const decorators = decoratorsOf(ts, member);
        const isGet = decorators.some((decorator) => decoratorName(ts, decorator) === 'Get');
        let cache: { decorator: string; key: TS.Node } | undefined;
        for (const decorator of decorators) {
          const call = decorator.expression;
          const name = decoratorName(ts, decorator);
          if (!name || !ts.isCallExpression(call)) continue;
          if (name === 'CacheKey' && importedFrom(ts, call.expression, NEST_CACHE_PACKAGES)) cache = { decorator: `@${call.getText()}`, key: call.arguments[0] ?? call };
          else if (isGet && usesNestCacheInterceptor(module, decorator)) cache = { decorator: 'CacheInterceptor (keyed by the URL)', key: call };
          else if (isCachingDecorator(project, module, call)) cache = { decorator: `@${call.getText().replace(/\s+/g, ' ')}`, key: call };
        }
        if (!cache && classInterceptor && isGet) cache = { decorator: 'CacheInterceptor (keyed by the URL)', key: decorators.find((decorator) => decoratorName(ts, decorator) === 'Get')!.expression };
        if (!cache || CALLER_IN_KEY.test(cache.decorator)) continue;
        const user = callerRead(ts, member);
        if (!user) continue;
        found.push({ name: member.name.getText(), decorator: cache.decorator, key: cache.key, user });
      }
    }
  });
  return found;
}

function decoratorsOf(ts: TypeScriptApi, node: TS.Node): readonly TS.Decorator[] {
  return ts.canHaveDecorators(node) ? (ts.getDecorators(node) ?? []) : [];
}

function decoratorName(ts: TypeScriptApi, decorator: TS.Decorator): string | undefined {
  const expression = ts.isCallExpression(decorator.expression) ? decorator.expression.expression : decorator.expression;
  return ts.isIdentifier(expression) ? expression.text : undefined;
}

function importedFrom(ts: TypeScriptApi, name: TS.Expression, packages: Set<string>): boolean {
  if (!ts.isIdentifier(name)) return false;
  const declaration = lookup(ts, name.text, name);
  return declaration?.kind === 'import' && packages.has(declaration.specifier);
}

/** `@UseInterceptors(CacheInterceptor)` with Nest's own interceptor (it caches GET responses by URL). */
function usesNestCacheInterceptor(module: TsModule, decorator: TS.Decorator): boolean {
  const ts = module.ts;
  const call = decorator.expression;
  if (decoratorName(ts, decorator) !== 'UseInterceptors' || !ts.isCallExpression(call)) return false;
  return call.arguments.some((argument) => ts.isIdentifier(argument) && argument.text === 'CacheInterceptor' && importedFrom(ts, argument, NEST_CACHE_PACKAGES));
}

/** A project decorator `(...) => SetMetadata('cacheKey', ...)` named for caching, whose metadata a `NestInterceptor` in the project reads. */
function isCachingDecorator(project: TypeScriptProject, module: TsModule, call: TS.CallExpression): boolean {
  const ts = module.ts;
  if (!ts.isIdentifier(call.expression) || !/cach/i.test(call.expression.text) || NOT_CACHING.test(call.expression.text)) return false;
  const target = project.valueOf(module, call.expression);
  if (target?.kind !== 'function') return false;
  const body = project.helperBody(target.module, target.node);
  const inner = body && unwrap(target.module.ts, body);
  if (!inner || !ts.isCallExpression(inner) || !ts.isIdentifier(inner.expression) || inner.expression.text !== 'SetMetadata') return false;
  const metadataKey = inner.arguments[0] && project.stringValue(target.module, inner.arguments[0]);
  if (!metadataKey) return false;
  return project.memo(`cache-interceptor:${metadataKey}`, () =>
    project.allPaths().some((path) => {
      const text = project.textOf(path);
      if (text === undefined || !/implements\s+NestInterceptor/.test(text) || !(text.includes(`'${metadataKey}'`) || text.includes(`"${metadataKey}"`))) return false;
      const interceptor = project.module(path);
      // `this.reflector.get('cacheKey', ctx.getHandler())`, `getAllAndOverride(...)`.
      return (interceptor?.calls ?? []).some((read) => {
        const method = interceptor!.ts.isPropertyAccessExpression(read.expression) ? read.expression.name.text : undefined;
        const first = read.arguments?.[0];
        return method !== undefined && /^(get|getAllAndOverride|getAllAndMerge)$/.test(method) && first !== undefined && project.stringValue(interceptor!, first) === metadataKey;
      });
    }),
  );
}

/** The name of the caller parameter a handler reads (`user` of `@CurrentUser() user`, `req.user` of `@Req() req`). */
function callerRead(ts: TypeScriptApi, method: TS.MethodDeclaration): string | undefined {
  for (const parameter of method.parameters) {
    if (!ts.isIdentifier(parameter.name)) continue;
    const names = decoratorsOf(ts, parameter).map((decorator) => decoratorName(ts, decorator) ?? '');
    const name = parameter.name.text;
    const isCaller = names.some((decorator) => CALLER_DECORATORS.test(decorator));
    const isRequest = names.some((decorator) => REQUEST_DECORATORS.test(decorator));
    if (!isCaller && !isRequest) continue;
    let read: string | undefined;
    if (method.body) {
      forEachDescendant(ts, method.body, (node) => {
        if (!ts.isIdentifier(node) || node.text !== name || (ts.isPropertyAccessExpression(node.parent) && node.parent.name === node)) return;
        const declaration = lookup(ts, name, node);
        if (declaration?.kind !== 'parameter' || declaration.node !== parameter) return;
        if (isCaller) read = name;
        else if (ts.isPropertyAccessExpression(node.parent) && node.parent.expression === node && /^(user|session)$/.test(node.parent.name.text)) read = `${name}.${node.parent.name.text}`;
        return read ? 'stop' : undefined;
      });
    }
    if (read) return read;
  }
  return undefined;
}

/** Parameters that name the caller (`userId`, `currentUser`), as opposed to the resource asked for. */
const CALLER_PARAMETER = /^(user|userId|user_id|uid|currentUser|current_user|viewer|viewerId|me|accountId|account_id|memberId|sessionUser|authUser)$/;
/** A key that may already tell callers apart through something not followed here. */
const KEY_NAMES_CALLER = /user|uid|viewer|account|member|session|owner|auth|token|\bme\b|this\./i;

/**
 * The caller a value depends on (`req.user`, a `userId` parameter) when a key built from other inputs
 * (`` `basket:${page}` ``) leaves it out; undefined when the key (or what it is built from) may name it.
 */
function callerMissingFromKey(module: TsModule, call: TS.CallExpression, key: TS.Expression, value: TS.Expression): string | undefined {
  const ts = module.ts;
  const caller = valueSources(module, call, value).find((source) => /^(req|request|ctx|this\.request|this\.req|this\.ctx)(\.state)?\.user$/.test(source.text) || (source.parameter !== undefined && CALLER_PARAMETER.test(source.text)));
  if (!caller) return undefined;
  const keySources = valueSources(module, call, key);
  if (keySources.length === 0) return undefined;
  if (keySources.some((source) => caller.text.startsWith(source.text) || source.text.startsWith(caller.text))) return undefined;
  // The key's text and that of the locals it is built from.
  const texts = [key.getText()];
  const node = unwrap(ts, key);
  if (ts.isIdentifier(node)) {
    const declaration = lookup(ts, node.text, node);
    if (declaration?.kind === 'variable' && declaration.node.initializer) texts.push(declaration.node.initializer.getText());
  }
  return texts.some((text) => KEY_NAMES_CALLER.test(text)) ? undefined : caller.text;
}
