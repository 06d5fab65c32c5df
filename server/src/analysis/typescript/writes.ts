/**
 * Writes of the data a cache entry copies, for keys invalidated on some changes of that data but not on
 * others: which database model a stored value mirrors (a Prisma row `prisma.event.create(...)`, or fields of
 * an entity parameter `user.permissionGroupIds` under a key built from `user._id`), where the project
 * updates that model (`prisma.event.update`, `models.Users.updateOne`), and whether each update clears the key.
 */
import type * as TS from 'typescript';
import { invalidates } from '../keys.js';
import { invalidatedKeys, methodName } from './calls.js';
import { isTestPath, type TypeScriptApi } from './load.js';
import type { TsModule, TypeScriptProject } from './project.js';
import { enclosingFunctions, forEachDescendant, functionName, lookup, propertyNameText, unwrap, type FunctionLike } from './syntax.js';

/** The data a cached value copies: rows of a model, or (from an entity parameter) only some of its fields. */
export interface MirroredData {
  /** The model, singular and lower-case (`event` for `prisma.event`, `user` for `models.Users` or `user: IUserDocument`). */
  model: string;
  /** When set, only updates that write one of these fields change the cached value. */
  fields?: string[];
}

export interface UncoveredWrite {
  module: TsModule;
  call: TS.CallExpression;
  /** `prisma.event.update`, for messages. */
  text: string;
}

/** Calls that return a row of the model they are called on (Prisma, Mongoose, TypeORM, Sequelize). */
const ROW_READS = /^(findUnique|findUniqueOrThrow|findFirst|findFirstOrThrow|create|update|upsert|findOne|findById|findOneBy|findByPk|findOneOrFail|findOneByOrFail|save|findByIdAndUpdate|findOneAndUpdate)$/;
/** Calls that change rows of the model they are called on: `update`, `updateMany`, `updateOne`, `upsert`, `findByIdAndUpdate`, model methods `updateUser`. */
const ROW_UPDATES = /^(update|updateMany|updateOne|upsert|replaceOne|findOneAndUpdate|findByIdAndUpdate|findOneAndReplace|update[A-Z]\w*)$/;
const UPDATE_TEXT = /\.\s*(?:update\w*|upsert|replaceOne|find\w*And(?:Update|Replace))\s*\(/;
/** Receivers that name a client or a helper, not a model. */
const NOT_A_MODEL = new Set(['', 'this', 'db', 'database', 'prisma', 'client', 'tx', 'trx', 'transaction', 'model', 'models', 'repository', 'repo', 'collection', 'knex', 'redis', 'cache', 'store', 'orm', 'manager', 'entitymanager', 'query', 'querybuilder', 'connection', 'conn', 'sequelize', 'mongoose', 'em', 'ctx', 'context', 'req', 'request', 'res', 'object', 'array', 'map', 'set']);
/** Offline writers: migrations and seed scripts run before the cache holds anything. */
const OFFLINE_PATH = /(^|\/)(migrations?|seeds?|seeders?|fixtures?|scripts?)\/|(^|\/)seed\.[cm]?[jt]s$/i;
const CLEARING_TEXT = /\.(?:del|unlink|getdel|getDel|expire|pexpire|pExpire|take|mdel|DEL|UNLINK|GETDEL|EXPIRE)(?:Async)?\s*\(/;
/** Modules searched for the callers of a write's function: a common method name (`update`) is called everywhere. */
const MAX_CALLER_MODULES = 40;
const QUERY_CHAIN = new Set(['lean', 'exec', 'populate', 'select', 'orFail']);
const EMITS = new Set(['emit', 'emitAsync', 'publish']);
const ID_FIELDS = new Set(['_id', 'id', 'uuid']);
const MAX_SITES = 200;

/** `Users` -> `user`, `categories` -> `category`, `userRepository` -> `user`, `IUserDocument` -> `user`. */
export function modelName(name: string): string {
  let base = name.replace(/^I(?=[A-Z])/, '').replace(/(Repository|Repo|Model|Collection|Table|Document|Entity|Doc)$/, '');
  base = base.toLowerCase();
  if (base.endsWith('ies')) return `${base.slice(0, -3)}y`;
  if (base.endsWith('ses') || base.endsWith('xes')) return base.slice(0, -2);
  return base.endsWith('s') && !base.endsWith('ss') ? base.slice(0, -1) : base;
}

/** The model a call's receiver names: `prisma.event.update` -> `event`, `models.Users.updateOne` -> `user`. */
function receiverModel(ts: TypeScriptApi, call: TS.CallExpression): string | undefined {
  if (!ts.isPropertyAccessExpression(call.expression)) return undefined;
  const receiver = unwrap(ts, call.expression.expression);
  const segment = ts.isPropertyAccessExpression(receiver) ? receiver.name.text : ts.isIdentifier(receiver) ? receiver.text : undefined;
  if (!segment) return undefined;
  const model = modelName(segment);
  return NOT_A_MODEL.has(model) || NOT_A_MODEL.has(segment.toLowerCase()) ? undefined : model;
}

/** `JSON.stringify(x)`, `{ ...x, subscribed }`, `await x` -> x. */
function copiedExpression(ts: TypeScriptApi, expr: TS.Expression): TS.Expression {
  let node = unwrap(ts, expr);
  for (let step = 0; step < 4; step++) {
    if (ts.isCallExpression(node) && node.arguments.length >= 1 && ts.isPropertyAccessExpression(node.expression) && node.expression.getText() === 'JSON.stringify') {
      node = unwrap(ts, node.arguments[0]);
    } else if (ts.isObjectLiteralExpression(node)) {
      const spread = node.properties.find((property) => ts.isSpreadAssignment(property));
      if (!spread || !ts.isSpreadAssignment(spread)) return node;
      node = unwrap(ts, spread.expression);
    } else return node;
  }
  return node;
}

/** What a stored value copies: a model row (traced through locals in the storing function), or fields of an entity parameter the key is built from. */
export function mirroredData(module: TsModule, store: TS.CallExpression, key: TS.Expression, value: TS.Expression): MirroredData | undefined {
  const ts = module.ts;
  const functions = enclosingFunctions(ts, store);
  const outermost = functions[functions.length - 1];
  if (!outermost) return undefined;
  const copied = copiedExpression(ts, value);
  const candidates: TS.Expression[] = [copied];
  if (ts.isIdentifier(copied)) {
    const declaration = lookup(ts, copied.text, copied);
    if (declaration?.kind === 'variable' && declaration.path.length === 0 && within(outermost, declaration.node)) {
      if (declaration.node.initializer) candidates.push(declaration.node.initializer);
      for (const assigned of module.assignments.get(copied.text) ?? []) if (within(outermost, assigned)) candidates.push(assigned);
    }
  }
  for (const candidate of candidates) {
    let node = unwrap(ts, candidate);
    // Mongoose query chains: `Teams.findById(id).lean()`, `.populate('owner').exec()`.
    while (ts.isCallExpression(node) && QUERY_CHAIN.has(methodName(ts, node) ?? '') && ts.isPropertyAccessExpression(node.expression)) node = unwrap(ts, node.expression.expression);
    if (!ts.isCallExpression(node)) continue;
    const method = methodName(ts, node);
    const model = method && ROW_READS.test(method) ? receiverModel(ts, node) : undefined;
    if (model) return { model };
  }
  return entityFields(module, functions[0], key);
}

/**
 * A value computed from fields of an entity parameter whose id is in the key (`user_actions_${user._id}` and
 * `user.permissionGroupIds`): the model is the parameter's name or type, the fields those the function reads.
 */
function entityFields(module: TsModule, fn: FunctionLike, key: TS.Expression): MirroredData | undefined {
  const ts = module.ts;
  let keyExpr = unwrap(ts, key);
  if (ts.isIdentifier(keyExpr)) {
    const declaration = lookup(ts, keyExpr.text, keyExpr);
    if (declaration?.kind === 'variable' && declaration.isConst && declaration.node.initializer && within(fn, declaration.node)) keyExpr = unwrap(ts, declaration.node.initializer);
  }
  // The entity: a parameter the key reads an id of (`user._id`, `user.id`).
  let entity: TS.ParameterDeclaration | undefined;
  forEachDescendant(ts, keyExpr, (node) => {
    if (!ts.isPropertyAccessExpression(node) || !ts.isIdentifier(node.expression) || !ID_FIELDS.has(node.name.text)) return;
    const declaration = lookup(ts, node.expression.text, node.expression);
    if (declaration?.kind !== 'parameter' || declaration.path.length !== 0 || declaration.fn !== fn) return;
    entity = declaration.node;
    return 'stop';
  });
  if (!entity || !ts.isIdentifier(entity.name) || !fn.body) return undefined;
  const name = entity.name.text;
  const typeName = entity.type && ts.isTypeReferenceNode(entity.type) && ts.isIdentifier(entity.type.typeName) ? entity.type.typeName.text : undefined;
  const model = modelName(typeName ?? name);
  if (NOT_A_MODEL.has(model) || (typeName !== undefined && modelName(name) !== model)) return undefined;
  const fields = new Set<string>();
  forEachDescendant(ts, fn.body, (node) => {
    if (!ts.isPropertyAccessExpression(node) || !ts.isIdentifier(node.expression) || node.expression.text !== name || ID_FIELDS.has(node.name.text)) return;
    const isMethodCall = ts.isCallExpression(node.parent) && node.parent.expression === node;
    const declaration = lookup(ts, name, node.expression);
    if (!isMethodCall && declaration?.kind === 'parameter' && declaration.node === entity) fields.add(node.name.text);
  });
  return fields.size > 0 ? { model, fields: [...fields] } : undefined;
}

function within(ancestor: TS.Node, node: TS.Node): boolean {
  return node.pos >= ancestor.pos && node.end <= ancestor.end && node.getSourceFile() === ancestor.getSourceFile();
}

/** Property names of the object literals an update passes, two levels deep (`{ $set: { f } }`, `{ data: { f } }`). */
function writtenFields(ts: TypeScriptApi, call: TS.CallExpression): Set<string> {
  const names = new Set<string>();
  const collect = (expr: TS.Expression, depth: number): void => {
    const node = unwrap(ts, expr);
    if (!ts.isObjectLiteralExpression(node) || depth > 2) return;
    for (const property of node.properties) {
      const name = ts.isShorthandPropertyAssignment(property) ? property.name.text : ts.isPropertyAssignment(property) ? propertyNameText(ts, property.name) : undefined;
      if (name) names.add(name);
      if (ts.isPropertyAssignment(property)) collect(property.initializer, depth + 1);
    }
  };
  for (const argument of call.arguments) if (!ts.isSpreadElement(argument)) collect(argument, 0);
  return names;
}

/**
 * The updates of the mirrored data, in a module that is not a test, migration or seed, whose function
 * (or a function calling it) neither deletes nor re-sets a key of `template`.
 */
export function uncoveredWrites(project: TypeScriptProject, data: MirroredData, template: string): UncoveredWrite[] {
  return project.memo(`uncovered-writes:${data.model}:${data.fields?.join(',') ?? '*'}:${template}`, () => {
    const found: UncoveredWrite[] = [];
    // A delete in a data hook or an event listener follows writes that do not name the cache.
    if (clearingFunctions(project, template).hooked) return found;
    const word = new RegExp(data.model.replace(/[^a-z0-9_]/g, ''), 'i');
    let seen = 0;
    for (const path of project.allPaths()) {
      if (isTestPath(path) || OFFLINE_PATH.test(path)) continue;
      const text = project.textOf(path);
      if (!text || !UPDATE_TEXT.test(text) || !word.test(text) || (data.fields && !data.fields.some((field) => text.includes(field)))) continue;
      const module = project.module(path);
      if (!module) continue;
      const ts = module.ts;
      for (const call of module.calls) {
        if (!ts.isCallExpression(call)) continue;
        const method = methodName(ts, call);
        if (!method || !ROW_UPDATES.test(method) || receiverModel(ts, call) !== data.model) continue;
        if (data.fields) {
          const written = writtenFields(ts, call);
          if (!data.fields.some((field) => written.has(field))) continue;
        }
        // Too many writes to read them all: say nothing rather than guess.
        if (++seen > MAX_SITES) return [];
        if (covers(project, module, call, template, 1)) continue;
        found.push({ module, call, text: call.expression.getText().replace(/\s+/g, '') });
      }
    }
    return found;
  });
}

/** The function a write runs in, as callers reach it: the outermost function around it (a handler, a service method). */
function outermostFunction(ts: TypeScriptApi, node: TS.Node): FunctionLike | undefined {
  const functions = enclosingFunctions(ts, node);
  return functions[functions.length - 1];
}

/** Whether the function around `node` (or, `hops` levels up, a function calling it) deletes or re-sets a key of `template`. */
function covers(project: TypeScriptProject, module: TsModule, node: TS.Node, template: string, hops: number): boolean {
  const ts = module.ts;
  const fn = outermostFunction(ts, node);
  const scope: TS.Node = fn ?? module.source;
  const clearing = clearingFunctions(project, template).names;
  for (const call of module.calls) {
    if (!ts.isCallExpression(call) || !within(scope, call)) continue;
    if (invalidatedKeys(ts, call).some((key) => invalidates(project.keyTemplate(module, key), template))) return true;
    const callee = unwrap(ts, call.expression);
    const calleeName = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
    if (calleeName && clearing.has(calleeName)) return true;
    // An event the write announces may be what clears the cache (a listener elsewhere): not judged.
    if (calleeName && EMITS.has(calleeName)) return true;
    if (ts.isPropertyAccessExpression(call.expression)) {
      const operation = project.cacheCall(module, call)?.operation;
      if (operation?.kind === 'store' && operation.refresh && project.keyTemplate(module, operation.key) === template) return true;
    }
  }
  if (hops === 0 || !fn) return false;
  const name = functionName(ts, fn);
  if (!name || !/^[A-Za-z_$][\w$]*$/.test(name)) return false;
  const called = new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}\\s*\\(`);
  let searched = 0;
  for (const path of project.allPaths()) {
    const text = project.textOf(path);
    if (!text || !called.test(text) || isTestPath(path)) continue;
    if (++searched > MAX_CALLER_MODULES) return true; // cannot tell: take it as covered rather than guess
    const caller = project.module(path);
    if (!caller) continue;
    for (const call of caller.calls) {
      if (!caller.ts.isCallExpression(call) || (caller === module && within(fn, call))) continue;
      const callee = unwrap(caller.ts, call.expression);
      const calleeName = caller.ts.isIdentifier(callee) ? callee.text : caller.ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
      if (calleeName === name && covers(project, caller, call, template, hops - 1)) return true;
    }
  }
  return false;
}

/**
 * Who deletes or re-sets a key of `template`: the names of the functions whose own body does (`clearGroupActionsCache`,
 * `invalidateUser`, `cacheUser`), and whether one of those deletes runs in a data hook or event listener (a Mongoose
 * `schema.post('updateOne')`, a Prisma `$extends`, a NestJS `@OnEvent`, a TypeORM `afterUpdate`): then it
 * follows writes the caller cannot see.
 */
function clearingFunctions(project: TypeScriptProject, template: string): { names: Set<string>; hooked: boolean } {
  return project.memo(`clearing-functions:${template}`, () => {
    const names = new Set<string>();
    let hooked = false;
    for (const path of project.allPaths()) {
      const text = project.textOf(path);
      if (!text || !(CLEARING_TEXT.test(text) || (project.isCandidate(path) && /\.(?:delete|set\w*)\s*\(/i.test(text)))) continue;
      const module = project.module(path);
      if (!module) continue;
      const ts = module.ts;
      const candidate = project.isCandidate(path);
      for (const call of module.calls) {
        if (!ts.isCallExpression(call)) continue;
        const deletes = invalidatedKeys(ts, call).some((key) => invalidates(project.keyTemplate(module, key), template));
        // A function that re-sets the key (`cacheUser(user)` after an update) refreshes it as well as a delete would.
        const operation = !deletes && candidate && ts.isPropertyAccessExpression(call.expression) ? project.cacheCall(module, call)?.operation : undefined;
        const refreshes = operation?.kind === 'store' && operation.refresh && project.keyTemplate(module, operation.key) === template;
        if (!deletes && !refreshes) continue;
        if (deletes) hooked ||= inHook(ts, call);
        for (const fn of enclosingFunctions(ts, call)) {
          const name = functionName(ts, fn);
          if (name) {
            names.add(name);
            break;
          }
        }
      }
    }
    return { names, hooked };
  });
}

const HOOK_REGISTRATIONS = new Set(['post', 'pre', '$use', '$extends', 'on', 'once', 'addListener', 'subscribe']);
const HOOK_DECORATORS = /^(OnEvent|EventPattern|MessagePattern|EventsHandler|AfterUpdate|AfterInsert|AfterSave|AfterRemove|BeforeUpdate|AfterUpsert|Process|Processor|OnWorkerEvent|OnQueueEvent)$/;
const HOOK_METHODS = /^(afterUpdate|afterInsert|afterSave|afterUpsert|afterRemove|beforeUpdate|handle)$/;

/** Whether a call runs in a data hook or an event listener rather than where a write happens. */
function inHook(ts: TypeScriptApi, node: TS.Node): boolean {
  for (let current = node.parent; current; current = current.parent) {
    if (ts.isCallExpression(current) && current !== node) {
      const method = methodName(ts, current);
      if (method && HOOK_REGISTRATIONS.has(method) && current.arguments.some((argument) => within(argument, node))) return true;
    }
    if (ts.isMethodDeclaration(current)) {
      const name = current.name && propertyNameText(ts, current.name);
      if (name && HOOK_METHODS.test(name)) return true;
      const decorators = ts.canHaveDecorators(current) ? (ts.getDecorators(current) ?? []) : [];
      for (const decorator of decorators) {
        const expression = ts.isCallExpression(decorator.expression) ? decorator.expression.expression : decorator.expression;
        if (ts.isIdentifier(expression) && HOOK_DECORATORS.test(expression.text)) return true;
      }
    }
  }
  return false;
}
