/**
 * What a call on a cache client does, library by library: stores (with the key, the value, whether it
 * sets an expiry, the TTL arguments and the unit each is measured in), reads, expiries, and which keys a
 * call invalidates whatever its receiver.
 */
import type * as TS from 'typescript';
import type { Span } from '../types.js';
import { isRedis, type LibraryId } from './libraries.js';
import type { TypeScriptApi } from './load.js';
import type { Client, ProjectQueries, TsModule } from './model.js';
import { forEachDescendant, objectProperty, propertyNameText, propertyValue, spanOf, unwrap } from './syntax.js';

export type Unit = 'ms' | 's';

export interface Edit {
  span: Span;
  newText: string;
}

export interface TtlArgument {
  expr: TS.Expression;
  /** What the library measures it in; undefined when that is unknown (cache-manager without a known version). */
  unit: Unit | undefined;
  /** What takes it, for messages: `EX`, `ttl`, `stdTTL`, `setex()`. */
  label: string;
  /** An edit that makes the call take the other unit instead (`EX` -> `PX`, `setex` -> `psetex`). */
  switchUnit?: Edit & { label: string };
}

export interface StoreOperation {
  kind: 'store';
  method: string;
  key: TS.Expression;
  value: TS.Expression;
  /** Whether this call gives the entry an expiry ('unknown': options the front end cannot read). */
  expiry: 'set' | 'none' | 'unknown';
  /** A (re-)set of the key: `set`, `setex` (not `wrap`, which only fills a miss). */
  refresh: boolean;
  ttls: TtlArgument[];
  /** Edits that give this call an expiry of `seconds`, in the library's own form; undefined when the form is unknown. */
  addExpiry?: (seconds: number) => { title: string; edits: Edit[] } | undefined;
}

export interface ReadOperation {
  kind: 'get';
  key: TS.Expression;
}

export interface ExpireOperation {
  kind: 'expire';
  key: TS.Expression;
  ttls: TtlArgument[];
}

export type CacheOperation = StoreOperation | ReadOperation | ExpireOperation;

const REDIS_EXPIRY_TOKENS = new Set(['EX', 'PX', 'EXAT', 'PXAT', 'KEEPTTL']);

/** The method a call names (`redis.set(...)` -> `set`), or undefined when it is not a method call. */
export function methodName(ts: TypeScriptApi, call: TS.CallExpression): string | undefined {
  return ts.isPropertyAccessExpression(call.expression) ? call.expression.name.text : undefined;
}

/** What a method call on a traced client does, or undefined when it is nothing the rules read. */
export function describeCall(project: ProjectQueries, module: TsModule, call: TS.CallExpression, client: Client): CacheOperation | undefined {
  const ts = module.ts;
  const method = methodName(ts, call);
  if (!method || call.arguments.some((argument) => ts.isSpreadElement(argument))) return undefined;
  const args = call.arguments;
  if (isRedis(client.library)) return redisCall(ts, module, client.library, method, args);
  const lower = method.toLowerCase();
  if (lower === 'get' && args[0]) return { kind: 'get', key: args[0] };
  switch (client.library) {
    case 'cache-manager': {
      if ((method !== 'set' && method !== 'wrap') || args.length < 2) return undefined;
      const unit = cacheManagerUnit(project, module, client);
      const ttl = optionalTtl(ts, args[2], unit, 'ttl', ['ttl']);
      return {
        kind: 'store',
        method,
        key: args[0],
        value: args[1],
        expiry: ttl.expiry,
        refresh: method === 'set',
        ttls: ttl.ttls,
        addExpiry: args.length === 2 && unit ? (seconds) => appendAfter(args[1], unit === 'ms' ? `${seconds} * 1000` : `{ ttl: ${seconds} }`, seconds) : undefined,
      };
    }
    case 'keyv': {
      if (method !== 'set' || args.length < 2) return undefined;
      const ttl = optionalTtl(ts, args[2], 'ms', 'ttl', []);
      return { kind: 'store', method, key: args[0], value: args[1], expiry: ttl.expiry, refresh: true, ttls: ttl.ttls, addExpiry: args.length === 2 ? (seconds) => appendAfter(args[1], `${seconds} * 1000`, seconds) : undefined };
    }
    case 'lru-cache': {
      if (method !== 'set' || args.length < 2) return undefined;
      const options = args[2] === undefined ? undefined : unwrap(ts, args[2]);
      if (options && !ts.isObjectLiteralExpression(options)) return { kind: 'store', method, key: args[0], value: args[1], expiry: 'unknown', refresh: true, ttls: [] };
      const ttl = optionalTtl(ts, options, 'ms', 'ttl', ['ttl']);
      return { kind: 'store', method, key: args[0], value: args[1], expiry: ttl.expiry, refresh: true, ttls: ttl.ttls };
    }
    case 'node-cache': {
      if (method === 'ttl' && args.length >= 2) return { kind: 'expire', key: args[0], ttls: [{ expr: args[1], unit: 's', label: 'ttl()' }] };
      if (method !== 'set' || args.length < 2) return undefined;
      const ttl = optionalTtl(ts, args[2], 's', 'ttl', []);
      const zero = args[2] !== undefined && project.numberValue(module, args[2]) === 0;
      return {
        kind: 'store',
        method,
        key: args[0],
        value: args[1],
        // node-cache: a per-key ttl of 0 means "unlimited", like stdTTL 0.
        expiry: zero ? 'none' : ttl.expiry,
        refresh: true,
        ttls: zero ? [] : ttl.ttls,
        addExpiry:
          args.length === 2
            ? (seconds) => appendAfter(args[1], String(seconds), seconds)
            : zero
              ? (seconds) => ({ title: `Expire after ${seconds} seconds`, edits: [{ span: spanOf(args[2]), newText: String(seconds) }] })
              : undefined,
      };
    }
    default:
      return undefined;
  }
}

function appendAfter(node: TS.Node, text: string, seconds: number): { title: string; edits: Edit[] } {
  return { title: `Expire after ${seconds} seconds`, edits: [{ span: { start: node.end, end: node.end }, newText: `, ${text}` }] };
}

/** A trailing TTL argument: absent or `undefined` -> no expiry; an options object -> its TTL property; anything else is the TTL. */
function optionalTtl(ts: TypeScriptApi, argument: TS.Expression | undefined, unit: Unit | undefined, label: string, optionNames: string[]): { expiry: StoreOperation['expiry']; ttls: TtlArgument[] } {
  if (argument === undefined) return { expiry: 'none', ttls: [] };
  const node = unwrap(ts, argument);
  if (ts.isIdentifier(node) && node.text === 'undefined') return { expiry: 'none', ttls: [] };
  if (ts.isObjectLiteralExpression(node)) {
    if (optionNames.length === 0) return { expiry: 'unknown', ttls: [] };
    const ttls: TtlArgument[] = [];
    let unknown = false;
    for (const name of optionNames) {
      const property = objectProperty(ts, node, name);
      unknown ||= property.unknown;
      const value = property.found && propertyValue(ts, property.found);
      if (value) ttls.push({ expr: value, unit, label: name });
    }
    return { expiry: ttls.length > 0 ? 'set' : unknown ? 'unknown' : 'none', ttls };
  }
  return { expiry: 'set', ttls: [{ expr: argument, unit, label }] };
}

/** cache-manager measures TTLs in milliseconds from v5 on, in seconds before; `createCache` exists only from v6. */
export function cacheManagerUnit(project: ProjectQueries, module: TsModule, client: Client): Unit | undefined {
  const major = project.cacheManagerMajor(module.path);
  if (major !== undefined) return major >= 5 ? 'ms' : 's';
  return client.factory === 'createCache' ? 'ms' : undefined;
}

/** `EX` -> `PX` with the original's letter case; `setex` -> `psetex`, `setEx` -> `pSetEx`, `expire` -> `pexpire`/`pExpire`. */
function toggledMethod(method: string, library: LibraryId): string {
  if (/^p/i.test(method)) {
    const rest = method.slice(1);
    return method === method.toUpperCase() ? rest : rest[0].toLowerCase() + rest.slice(1);
  }
  if (method === method.toUpperCase()) return `P${method}`;
  return library === 'node-redis' ? `p${method[0].toUpperCase()}${method.slice(1)}` : `p${method}`;
}

function stringContentSpan(node: TS.StringLiteralLike): Span {
  return { start: node.getStart() + 1, end: node.end - 1 };
}

function redisCall(ts: TypeScriptApi, module: TsModule, library: LibraryId, method: string, args: readonly TS.Expression[]): CacheOperation | undefined {
  // node-redis 3 promisified with bluebird's promisifyAll: `setexAsync`, `getAsync`.
  const lower = method.toLowerCase().replace(/async$/, '');
  switch (lower) {
    case 'get':
    case 'getbuffer':
      return args[0] ? { kind: 'get', key: args[0] } : undefined;
    case 'setex':
    case 'psetex': {
      if (args.length < 3) return undefined;
      const unit: Unit = lower === 'setex' ? 's' : 'ms';
      const name = (args[0].parent as TS.CallExpression).expression as TS.PropertyAccessExpression;
      const toggled = toggledMethod(method, library);
      return {
        kind: 'store',
        method,
        key: args[0],
        value: args[2],
        expiry: 'set',
        refresh: true,
        ttls: [{ expr: args[1], unit, label: `${method}()`, switchUnit: { span: spanOf(name.name), newText: toggled, label: `${toggled}()` } }],
      };
    }
    case 'expire':
    case 'pexpire': {
      if (args.length < 2) return undefined;
      const name = (args[0].parent as TS.CallExpression).expression as TS.PropertyAccessExpression;
      const toggled = toggledMethod(method, library);
      return { kind: 'expire', key: args[0], ttls: [{ expr: args[1], unit: lower === 'expire' ? 's' : 'ms', label: `${method}()`, switchUnit: { span: spanOf(name.name), newText: toggled, label: `${toggled}()` } }] };
    }
    case 'set':
      return redisSet(ts, module, library, method, args);
    default:
      return undefined;
  }
}

function redisSet(ts: TypeScriptApi, module: TsModule, library: LibraryId, method: string, args: readonly TS.Expression[]): StoreOperation | undefined {
  if (args.length < 2) return undefined;
  const rest = args.slice(2).filter((argument) => !ts.isArrowFunction(argument) && !ts.isFunctionExpression(argument));
  let expiry: StoreOperation['expiry'] = 'none';
  const unknown = (): void => {
    if (expiry !== 'set') expiry = 'unknown';
  };
  const ttls: TtlArgument[] = [];
  let options: TS.ObjectLiteralExpression | undefined;
  for (let index = 0; index < rest.length; index++) {
    const argument = unwrap(ts, rest[index]);
    if (ts.isStringLiteralLike(argument)) {
      const token = argument.text.toUpperCase();
      if (!REDIS_EXPIRY_TOKENS.has(token)) continue; // NX, XX, GET
      expiry = 'set';
      const value = rest[index + 1];
      if ((token === 'EX' || token === 'PX') && value) {
        const other = token === 'EX' ? 'PX' : 'EX';
        const newText = argument.text === argument.text.toLowerCase() ? other.toLowerCase() : other;
        ttls.push({ expr: value, unit: token === 'EX' ? 's' : 'ms', label: token, switchUnit: { span: stringContentSpan(argument), newText, label: other } });
      }
      if (token !== 'KEEPTTL') index++;
    } else if (ts.isObjectLiteralExpression(argument)) {
      options = argument;
      for (const property of argument.properties) {
        if (ts.isSpreadAssignment(property)) {
          unknown();
          continue;
        }
        const name = propertyNameText(ts, property.name)?.toUpperCase();
        if (!name || (!REDIS_EXPIRY_TOKENS.has(name) && name !== 'EXPIRATION')) continue;
        expiry = 'set';
        const value = propertyValue(ts, property);
        if ((name === 'EX' || name === 'PX') && value && ts.isPropertyAssignment(property)) {
          const other = name === 'EX' ? 'PX' : 'EX';
          ttls.push({ expr: value, unit: name === 'EX' ? 's' : 'ms', label: name, switchUnit: { span: spanOf(property.name), newText: other, label: other } });
        } else if (name === 'EXPIRATION' && value) {
          // node-redis v5: { expiration: { type: 'EX', value: 60 } }
          const inner = unwrap(ts, value);
          if (!ts.isObjectLiteralExpression(inner)) continue;
          const type = objectProperty(ts, inner, 'type').found;
          const typeValue = type && propertyValue(ts, type);
          const amount = objectProperty(ts, inner, 'value').found;
          const amountValue = amount && propertyValue(ts, amount);
          if (typeValue && ts.isStringLiteral(typeValue) && amountValue && (typeValue.text === 'EX' || typeValue.text === 'PX')) {
            const other = typeValue.text === 'EX' ? 'PX' : 'EX';
            ttls.push({ expr: amountValue, unit: typeValue.text === 'EX' ? 's' : 'ms', label: typeValue.text, switchUnit: { span: stringContentSpan(typeValue), newText: other, label: other } });
          }
        }
      }
    } else {
      unknown();
    }
  }
  const value = args[1];
  const addExpiry = (seconds: number): { title: string; edits: Edit[] } => {
    const title = `Expire after ${seconds} seconds`;
    if (library === 'node-redis' || options) {
      if (options) {
        const open = options.getStart() + 1;
        return { title, edits: [{ span: { start: open, end: open }, newText: ` EX: ${seconds},` }] };
      }
      return { title, edits: [{ span: { start: value.end, end: value.end }, newText: `, { EX: ${seconds} }` }] };
    }
    const quote = quoteStyle(ts, module, args[0].parent);
    return { title, edits: [{ span: { start: value.end, end: value.end }, newText: `, ${quote}EX${quote}, ${seconds}` }] };
  };
  return { kind: 'store', method, key: args[0], value, expiry, refresh: true, ttls, addExpiry: expiry === 'none' ? addExpiry : undefined };
}

/** The quote character the code around a call uses: its own first string literal's, else the file's imports'. */
function quoteStyle(ts: TypeScriptApi, module: TsModule, call: TS.Node): string {
  let found: TS.StringLiteral | undefined;
  const visit = (root: TS.Node): void =>
    forEachDescendant(ts, root, (node) => {
      if (!ts.isStringLiteral(node)) return;
      found = node;
      return 'stop';
    });
  visit(call);
  if (!found) for (const statement of module.source.statements) if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) found ??= statement.moduleSpecifier;
  if (!found) visit(module.source);
  return found && module.text[found.getStart()] === "'" ? "'" : '"';
}

const DELETE_ALL_ARGUMENTS = new Set(['del', 'unlink', 'mdel']);
const DELETE_FIRST_ARGUMENT = new Set(['delete', 'getdel', 'take', 'expire', 'pexpire', 'expireat', 'pexpireat']);

/** The keys a call deletes or expires, whatever its receiver: `del(a, b)`, `unlink([a, b])`, `delete(k)`, `expire(k, 60)`. */
export function invalidatedKeys(ts: TypeScriptApi, call: TS.CallExpression): TS.Expression[] {
  const method = methodName(ts, call)?.toLowerCase().replace(/async$/, '');
  if (!method) return [];
  const args = DELETE_ALL_ARGUMENTS.has(method) ? call.arguments : DELETE_FIRST_ARGUMENT.has(method) ? call.arguments.slice(0, 1) : [];
  return args.flatMap((argument) => {
    const node = unwrap(ts, argument);
    if (ts.isSpreadElement(node)) return [];
    if (ts.isArrayLiteralExpression(node)) return node.elements.filter((element) => !ts.isSpreadElement(element) && !ts.isOmittedExpression(element));
    return [argument];
  });
}

/** The key pattern a call lists (`keys('product:*')`, `scanStream({ match })`, `scan(0, 'MATCH', p)`): listed keys are usually deleted next. */
export function listedPattern(ts: TypeScriptApi, call: TS.CallExpression): TS.Expression | undefined {
  const method = methodName(ts, call)?.toLowerCase();
  const args = call.arguments;
  if (method === 'keys') return args[0];
  if (method !== 'scan' && method !== 'scanstream' && method !== 'scaniterator' && method !== 'sscan') return undefined;
  for (let index = 0; index < args.length; index++) {
    const argument = unwrap(ts, args[index]);
    if (ts.isStringLiteralLike(argument) && argument.text.toUpperCase() === 'MATCH') return args[index + 1];
    if (ts.isObjectLiteralExpression(argument)) {
      const property = objectProperty(ts, argument, 'match').found ?? objectProperty(ts, argument, 'MATCH').found;
      const value = property && propertyValue(ts, property);
      if (value) return value;
    }
  }
  return undefined;
}

/** Whether a client gives entries stored without a TTL a default expiry (from its constructor or factory options). */
export function defaultExpiry(project: ProjectQueries, client: Client): 'set' | 'none' | 'unknown' {
  const creation = client.creation;
  if (!creation) return 'unknown';
  if (isRedis(client.library)) return 'none';
  if (client.library === 'cache-manager' && client.factory === 'multiCaching') return 'unknown';
  const names = client.library === 'node-cache' ? ['stdTTL'] : client.library === 'lru-cache' ? ['ttl', 'maxAge'] : ['ttl'];
  let result: 'set' | 'none' | 'unknown' = 'none';
  for (const argument of creation.arguments ?? []) {
    const found = scanOptions(project, client.module, argument, names, client.library === 'node-cache', 'store', 0);
    if (found === 'set') return 'set';
    if (found === 'unknown') result = 'unknown';
  }
  return result;
}

type Scan = 'set' | 'none' | 'unknown';

function combine(a: Scan, b: Scan): Scan {
  return a === 'set' || b === 'set' ? 'set' : a === 'unknown' || b === 'unknown' ? 'unknown' : 'none';
}

const STORE_KEYS = new Set(['store', 'stores', 'options', 'opts', 'cache', 'caches', 'primary', 'secondary', 'config']);

/**
 * Looks through constructor/factory options for a TTL option. `context` says whether an unreadable value
 * there could hold one: a whole options argument or a `store` could, a `max: config.max` could not.
 */
function scanOptions(project: ProjectQueries, module: TsModule, expr: TS.Expression, names: string[], zeroIsNone: boolean, context: 'store' | 'plain', depth: number): Scan {
  const ts = module.ts;
  if (depth > 8) return 'unknown';
  const node = unwrap(ts, expr);
  const opaque: Scan = context === 'plain' ? 'none' : 'unknown';
  if (ts.isStringLiteralLike(node) || ts.isNumericLiteral(node) || ts.isTemplateExpression(node) || node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword || node.kind === ts.SyntaxKind.NullKeyword) return 'none';
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) return 'none';
  if (ts.isObjectLiteralExpression(node)) {
    let result: Scan = 'none';
    for (const property of node.properties) {
      if (ts.isSpreadAssignment(property)) {
        result = combine(result, scanOptions(project, module, property.expression, names, zeroIsNone, 'store', depth + 1));
        continue;
      }
      const name = propertyNameText(ts, property.name);
      const value = propertyValue(ts, property);
      if (name && names.includes(name)) {
        if (zeroIsNone && value && project.numberValue(module, value) === 0) continue;
        return 'set';
      }
      if (value) result = combine(result, scanOptions(project, module, value, names, zeroIsNone, name && STORE_KEYS.has(name) ? 'store' : 'plain', depth + 1));
    }
    return result;
  }
  if (ts.isArrayLiteralExpression(node)) {
    return node.elements.reduce<Scan>((result, element) => combine(result, ts.isSpreadElement(element) ? 'unknown' : scanOptions(project, module, element, names, zeroIsNone, context, depth + 1)), 'none');
  }
  if (ts.isNewExpression(node) || ts.isCallExpression(node)) {
    const client = project.creationAt(module, node);
    if (client) return defaultExpiry(project, client);
    const fromArguments = (node.arguments ?? []).reduce<Scan>((result, argument) => combine(result, scanOptions(project, module, argument, names, zeroIsNone, context, depth + 1)), 'none');
    // What an unknown function returns may carry a TTL (`loadCacheOptions()`); a store built in place shows its options.
    return ts.isCallExpression(node) && fromArguments === 'none' ? opaque : fromArguments;
  }
  if (ts.isBinaryExpression(node)) {
    return combine(scanOptions(project, module, node.left, names, zeroIsNone, context, depth + 1), scanOptions(project, module, node.right, names, zeroIsNone, context, depth + 1));
  }
  if (ts.isConditionalExpression(node)) {
    return combine(scanOptions(project, module, node.whenTrue, names, zeroIsNone, context, depth + 1), scanOptions(project, module, node.whenFalse, names, zeroIsNone, context, depth + 1));
  }
  if (ts.isPropertyAccessExpression(node) && ts.isPropertyAccessExpression(node.expression) && ts.isIdentifier(node.expression.expression) && node.expression.expression.text === 'process' && node.expression.name.text === 'env') return 'none';
  if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node)) {
    const value = project.valueOf(module, node);
    if (value?.kind === 'library') return 'none';
    if (value?.kind === 'client') return value.client.creation ? defaultExpiry(project, value.client) : 'unknown';
    if (value?.kind === 'expr' && value.expr !== node) return scanOptions(project, value.module, value.expr, names, zeroIsNone, context, depth + 1);
    return opaque;
  }
  return opaque;
}

/** The TTL options a client's constructor or factory names (`new LRUCache({ ttl })`, `new NodeCache({ stdTTL })`, `caching('memory', { ttl })`). */
export function creationTtls(project: ProjectQueries, client: Client): TtlArgument[] {
  const creation = client.creation;
  if (!creation) return [];
  const module = client.module;
  const ts = module.ts;
  let names: string[];
  let unit: Unit | undefined;
  switch (client.library) {
    case 'keyv':
      names = ['ttl'];
      unit = 'ms';
      break;
    case 'lru-cache':
      names = ['ttl', 'maxAge'];
      unit = 'ms';
      break;
    case 'node-cache':
      names = ['stdTTL'];
      unit = 's';
      break;
    case 'cache-manager':
      names = ['ttl'];
      unit = cacheManagerUnit(project, module, client);
      break;
    default:
      return [];
  }
  const ttls: TtlArgument[] = [];
  for (const argument of creation.arguments ?? []) {
    let object = unwrap(ts, argument);
    if (ts.isIdentifier(object)) {
      const constant = project.constantOf(module, object);
      if (constant?.module === module) object = unwrap(ts, constant.expr);
    }
    if (!ts.isObjectLiteralExpression(object)) continue;
    for (const name of names) {
      const property = objectProperty(ts, object, name).found;
      const value = property && propertyValue(ts, property);
      if (value) ttls.push({ expr: value, unit, label: name });
    }
  }
  return ttls;
}
