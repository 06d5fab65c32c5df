/**
 * Project wrappers around a cache client: a class (a NestJS `RedisCacheService`), an object or a module of
 * functions whose method forwards its key parameter (and its value and TTL parameters) to a client's
 * get/set/expire. A call of such a method elsewhere (`this.redisCacheService.set(key, value)`) is read as
 * the client operation it forwards to, with the caller's arguments in place of the parameters.
 * Deletes through wrappers are the delete helpers of project.ts.
 */
import type * as TS from 'typescript';
import { describeCall, type CacheOperation, type StoreOperation } from './calls.js';
import type { TypeScriptApi } from './load.js';
import type { Client, ProjectQueries, TsModule } from './model.js';
import { forEachDescendant, innermostFunction, lookup, unwrap, type FunctionLike } from './syntax.js';

/** What wrapper recognition asks of the project: TypeScriptProject answers it, through an interface so that project.ts and this module do not import each other. */
export interface WrapperQueries extends ProjectQueries {
  clientOf(module: TsModule, expr: TS.Expression): Client | undefined;
  cacheCall(module: TsModule, call: TS.CallExpression, depth?: number): CacheCall | undefined;
  memo<T>(key: string, compute: () => T): T;
}

export interface CacheCall {
  client: Client;
  operation: CacheOperation | undefined;
  /** Read through a project wrapper: the operation's expressions are the caller's arguments. */
  wrapped: boolean;
}

/** An inner operation of a wrapper method, with the parameters its key, value and TTLs are. */
interface Forwarded {
  client: Client;
  operation: CacheOperation;
  keyIndex: number;
  /** store: the parameter the stored value is (or is computed from alone: `JSON.stringify(value)`). */
  valueIndex?: number;
  /** store: per TTL argument, the parameter it is (`'EX', ttl`), or undefined for a constant or a default (`ttl ?? 60`). */
  ttlParameters: (TS.ParameterDeclaration | undefined)[];
}

interface Wrapper {
  kind: CacheOperation['kind'];
  module: TsModule;
  fn: FunctionLike;
  forwarded: Forwarded[];
}

const MAX_WRAPPER_DEPTH = 3;

/** The parameter of `fn` an expression names directly (not destructured, not a rest), if any. */
function parameterIndex(ts: TypeScriptApi, fn: FunctionLike, expr: TS.Expression): number | undefined {
  const node = unwrap(ts, expr);
  if (!ts.isIdentifier(node)) return undefined;
  const declaration = lookup(ts, node.text, node);
  if (declaration?.kind !== 'parameter' || declaration.fn !== fn || declaration.path.length > 0 || declaration.node.dotDotDotToken) return undefined;
  return fn.parameters.indexOf(declaration.node);
}

/** The parameters of `fn` an expression reads. */
function parametersRead(ts: TypeScriptApi, fn: FunctionLike, expr: TS.Expression): Set<number> {
  const found = new Set<number>();
  forEachDescendant(ts, expr, (node) => {
    if (!ts.isIdentifier(node)) return;
    const index = parameterIndex(ts, fn, node);
    if (index !== undefined) found.add(index);
  });
  return found;
}

/** Whether `fn` returns what `call` gives: `return client.get(key)`, or a local holding it that a `return` reads (`JSON.parse(data)`). */
function returnsResult(ts: TypeScriptApi, fn: FunctionLike, call: TS.CallExpression): boolean {
  let node: TS.Node = call;
  while (ts.isAwaitExpression(node.parent) || ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent) || ts.isNonNullExpression(node.parent)) node = node.parent;
  const parent = node.parent;
  if (ts.isReturnStatement(parent) || (ts.isArrowFunction(parent) && parent.body === node)) return true;
  if (!ts.isVariableDeclaration(parent) || parent.initializer !== node || !ts.isIdentifier(parent.name)) return false;
  const name = parent.name.text;
  const body = fn.body;
  if (!body) return false;
  const mentions = (expression: TS.Expression): boolean => {
    let named = false;
    forEachDescendant(ts, expression, (inner) => {
      if (!ts.isIdentifier(inner) || inner.text !== name) return;
      named = true;
      return 'stop';
    });
    return named;
  };
  let returned = false;
  forEachDescendant(ts, body, (child) => {
    if (child === body) return;
    if (ts.isFunctionLike(child)) return 'skip';
    if (!ts.isReturnStatement(child) || !child.expression || !mentions(child.expression)) return;
    returned = true;
    return 'stop';
  });
  return returned;
}

/** What a wrapper method forwards to, or undefined when it is not a wrapper (memoized per function). */
function wrapperOf(project: WrapperQueries, module: TsModule, fn: FunctionLike, depth: number): Wrapper | undefined {
  const key = `wrapper:${module.path}:${fn.pos}`;
  const cached = project.memo<{ value?: Wrapper; state: 'new' | 'busy' | 'done' }>(key, () => ({ state: 'new' }));
  if (cached.state !== 'new' || depth > MAX_WRAPPER_DEPTH) return cached.value; // a cycle reads as no wrapper
  cached.state = 'busy';
  const ts = module.ts;
  const forwarded: Forwarded[] = [];
  let other = false;
  if (fn.body) {
    for (const call of module.calls) {
      if (!ts.isCallExpression(call) || call.pos < fn.body.pos || call.end > fn.body.end || innermostFunction(module.ts, call) !== fn) continue;
      const inner = project.cacheCall(module, call, depth + 1);
      if (!inner?.operation) continue;
      const { operation } = inner;
      const keyIndex = parameterIndex(ts, fn, operation.key);
      if (keyIndex === undefined) {
        other = true;
        continue;
      }
      // A read wrapper hands the value back (`isExpired(key)` reads the key but answers something else).
      if (operation.kind === 'get' && !returnsResult(ts, fn, call)) {
        other = true;
        continue;
      }
      let valueIndex: number | undefined;
      const ttlParameters: (TS.ParameterDeclaration | undefined)[] = [];
      if (operation.kind === 'store') {
        const read = [...parametersRead(ts, fn, operation.value)].filter((index) => index !== keyIndex);
        if (read.length !== 1) {
          other = true;
          continue;
        }
        valueIndex = read[0];
        for (const ttl of operation.ttls) {
          const index = parameterIndex(ts, fn, ttl.expr);
          ttlParameters.push(index === undefined ? undefined : fn.parameters[index]);
        }
      }
      forwarded.push({ client: inner.client, operation, keyIndex, valueIndex, ttlParameters });
    }
  }
  const kinds = new Set(forwarded.map((entry) => entry.operation.kind));
  const value =
    !other && forwarded.length > 0 && kinds.size === 1 && forwarded.every((entry) => entry.client.id === forwarded[0].client.id && entry.keyIndex === forwarded[0].keyIndex && entry.valueIndex === forwarded[0].valueIndex)
      ? { kind: forwarded[0].operation.kind, module, fn, forwarded }
      : undefined;
  cached.state = 'done';
  cached.value = value;
  return value;
}

/** Whether the caller passes something for a parameter (an explicit `undefined` is nothing). */
function passes(ts: TypeScriptApi, args: readonly TS.Expression[], index: number): boolean {
  const argument = args[index];
  if (!argument) return false;
  const node = unwrap(ts, argument);
  return !(ts.isIdentifier(node) && node.text === 'undefined') && node.kind !== ts.SyntaxKind.NullKeyword;
}

/** The expiry a wrapped store gives under the caller's arguments. */
function wrappedExpiry(ts: TypeScriptApi, wrapper: Wrapper, args: readonly TS.Expression[]): StoreOperation['expiry'] {
  const each = wrapper.forwarded.map((entry) => {
    const operation = entry.operation as StoreOperation;
    if (operation.expiry !== 'set') return { expiry: operation.expiry, boundTtl: false };
    let boundTtl = false;
    for (const parameter of entry.ttlParameters) {
      if (!parameter) continue; // a constant, or a default the wrapper computes itself
      const index = wrapper.fn.parameters.indexOf(parameter);
      if (passes(ts, args, index)) boundTtl = true;
      else if (!parameter.initializer) return { expiry: 'none' as const, boundTtl: false };
    }
    return { expiry: 'set' as const, boundTtl };
  });
  if (each.every((entry) => entry.expiry === 'set')) return 'set';
  // `if (ttl) redis.set(key, value, 'EX', ttl); else redis.set(key, value)`: the caller's TTL picks the branch.
  if (each.some((entry) => entry.boundTtl)) return 'set';
  if (each.some((entry) => entry.expiry === 'unknown' || entry.expiry === 'set')) return 'unknown';
  return 'none';
}

/** A call of a wrapper method, read as the client operation it forwards to. */
export function wrappedCall(project: WrapperQueries, module: TsModule, call: TS.CallExpression, depth: number): CacheCall | undefined {
  const ts = module.ts;
  if (depth > MAX_WRAPPER_DEPTH || call.arguments.some((argument) => ts.isSpreadElement(argument))) return undefined;
  const target = project.valueOf(module, call.expression);
  if (target?.kind !== 'function') return undefined;
  const wrapper = wrapperOf(project, target.module, target.node, depth);
  if (!wrapper) return undefined;
  const first = wrapper.forwarded[0];
  const args = call.arguments;
  const key = args[first.keyIndex];
  if (!key) return undefined;
  const client = first.client;
  switch (first.operation.kind) {
    case 'get':
      return { client, operation: { kind: 'get', key }, wrapped: true };
    case 'expire': {
      const ttls = first.operation.ttls.flatMap((ttl) => {
        const index = parameterIndex(ts, wrapper.fn, ttl.expr);
        return index !== undefined && args[index] ? [{ ...ttl, expr: args[index], switchUnit: undefined }] : [];
      });
      return { client, operation: { kind: 'expire', key, ttls }, wrapped: true };
    }
    case 'store': {
      const value = first.valueIndex === undefined ? undefined : args[first.valueIndex];
      if (!value) return undefined;
      const operation = first.operation;
      const ttls = first.ttlParameters.flatMap((parameter, position) => {
        const index = parameter ? wrapper.fn.parameters.indexOf(parameter) : -1;
        return index >= 0 && args[index] ? [{ ...operation.ttls[position], expr: args[index], switchUnit: undefined }] : [];
      });
      return {
        client,
        operation: { kind: 'store', method: operation.method, key, value, expiry: wrappedExpiry(ts, wrapper, args), refresh: wrapper.forwarded.every((entry) => (entry.operation as StoreOperation).refresh), ttls },
        wrapped: true,
      };
    }
  }
}

/** A method call on a client, or on a wrapper of one. */
export function describeClientCall(project: WrapperQueries, module: TsModule, call: TS.CallExpression, depth: number): CacheCall | undefined {
  const ts = module.ts;
  if (ts.isPropertyAccessExpression(call.expression)) {
    const client = project.clientOf(module, call.expression.expression);
    if (client) return { client, operation: describeCall(project, module, call, client), wrapped: false };
  }
  return wrappedCall(project, module, call, depth);
}
