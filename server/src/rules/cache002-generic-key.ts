import { HOLE, isConstantTemplate, isOpaque } from '../analysis/keys.js';
import { dottedName, type Expr } from '../analysis/python/expr.js';
import { isMemoizeCallee, type CacheCall } from '../analysis/python/facts.js';
import { cacheCallsIn } from '../analysis/python/function-lookup.js';
import { callsByName, keyExpressions, STORE_METHODS, syncMethodName, type PyModule, type PythonProject } from '../analysis/python/project.js';
import { isPythonTestPath } from '../analysis/python/modules.js';
import { reachingAssignments, readsBranchDependentLocal, usesDigest, valueSources, type FlowScope, type ValueSource } from '../analysis/python/value-flow.js';
import { storedValue } from './python-helpers.js';
import type { FixSpec, Rule, SpanEdit } from './rule.js';

const READ_METHODS = new Set(['get', 'get_many', 'get_or_set', 'has_key']);

export const cache002: Rule = {
  code: 'CACHE002',
  name: 'generic-key',
  severity: 'warning',
  span: 'the key expression',
  fix: 'unsafe',
  crossFile: true,
  lessonSection: 'key-design',
  docs: {
    summary:
      'A cache key that does not name what the stored value depends on: a constant key for a value computed from a function parameter, a per-object attribute or the requesting user, or a per-object key for a value filtered by the requesting user.',
    why:
      'Every caller shares one entry. The first caller\'s value (one user\'s recommendations, one customer\'s basket, an object only its owner may see) is served to everyone who comes after, which is both a bug and a data leak.',
    example: 'def recommendations_for(user):\n    recs = cache.get("recommendations")\n    if recs is None:\n        recs = compute_recommendations(user)\n        cache.set("recommendations", recs, 600)\n    return recs',
    useInstead: 'def recommendations_for(user):\n    recs = cache.get(f"recommendations:{user.pk}")\n    if recs is None:\n        recs = compute_recommendations(user)\n        cache.set(f"recommendations:{user.pk}", recs, 600)\n    return recs',
    cannotSee:
      'It follows data flow inside one function: local assignments that reach the store, nested functions and `get_or_set` callables, the view\'s own `get_queryset()`, and single-return helpers. It does not follow instance state of classes that are not models (a service configured once per process), globals read inside other functions, or what callers pass. A parameter that only decides whether to refresh (`if force:`) is not a dependency, a setter that only stores its argument under a global key is fine, and so is a model method that publishes one of its own fields as the site-wide current value (`def activate(self): cache.set("config", self.data)`) when no method of the class reads that key. A constant key that nothing in the project reads is a dead write and is not reported: every quoted spelling of it in the project\'s Python code (tests and comments included) must be the key of a `set`, `add`, `set_many`, `touch` or `delete`, and no read may build a key with holes that could spell it (a key passed to a helper, held in a constant or listed for `get_many` counts as read; a key built only from run-time parts and separators, such as `f"{root}_{name}"` or a variable, is not taken as reading it). A per-object key that names some parameters but not all is reported only for rendered HTML (elsewhere the missing one is often a timeout or a fixed argument), and class-level key constants (`self.CACHE_KEY`) are not read.',
  },
  checkPython({ module, project, report }) {
    for (const call of [...module.facts.cacheCalls, ...memoizeCalls(module)]) {
      if (!STORE_METHODS.has(call.method) || call.functionIndex < 0) continue;
      const memoized = call.alias === MEMOIZE;
      const fn = module.facts.functions[call.functionIndex];
      const value = storedValue(call);
      if (!value) continue;
      const scope: FlowScope = { project, module, fn, functionIndex: call.functionIndex };
      for (const key of keyExpressions(call.method, call.args, call.keywords)) {
        const template = project.keyTemplateAt(module, call.functionIndex, key);
        if (isOpaque(template)) continue;
        const sources = valueSources(scope, value, call.span.start);
        if (sources.length === 0) continue;
        if (isConstantTemplate(template) && !readsBranchDependentLocal(fn, key, key.start)) {
          if (isSetter(sources, call, template, scope) || (isIdentityValue(value, scope, call.span.start) && !readsBack(call, template, scope))) continue;
          if (publishesOwnState(value, sources, call, template, scope)) continue;
          if (neverRead(call, key, template, scope)) continue;
          const source = sources[0];
          if (source.kind === 'param' && calledOnlyWithFixedArguments(project, module, call.functionIndex)) continue;
          report({
            span: key,
            message: `The key "${template}" is the same for every call: the stored value depends on ${describe(source, module)} but the key has ${source.kind === 'user' ? 'no user part' : `no part for \`${source.root}\``}, so ${source.kind === 'user' ? "one user's value is served to the others" : "one caller's value is served to the others"}.`,
            fixes: memoized ? [] : keyFix(scope, template, source),
          });
          continue;
        }
        if (usesDigest(fn, key, key.start) || isIdentityValue(value, scope, call.span.start)) continue;
        const keySources = valueSources(scope, key, key.start);
        if (keySources.length === 0) continue;
        const named = `names ${keySources.map((source) => `\`${source.text}\``).join(', ')}`;
        const user = sources.find((source) => source.kind === 'user');
        if (user && !keySources.some(isUserPart)) {
          // Only a lookup that returns before the user-dependent code runs serves another user's value.
          const read = firstRead(call, template, scope);
          if (read !== undefined && read < user.offset) {
            report({
              span: key,
              message: `The key "${template}" ${named}; the stored value depends on ${describe(user, module)} but the key has no user part: a cache hit returns before that code runs, serving one user's value to another.`,
            });
            continue;
          }
        }
        const keyTexts = keySources.map((source) => source.text);
        const missing = sources.find((source) => source.kind === 'request' && source.text.endsWith(']') && !keyTexts.some((text) => text === source.text || text === source.text.slice(0, source.text.lastIndexOf('['))));
        if (missing && keySources.some((source) => source.kind === 'request' || source.kind === 'param')) {
          report({
            span: key,
            message: `The key "${template}" ${named}; the stored value also depends on ${describe(missing, module)} but the key has no part for it: requests that differ only in it share one entry.`,
          });
          continue;
        }
        const keyRoots = new Set(keySources.map((source) => source.root));
        const lookedUpBy = sources.find((source) => source.kind === 'param' && source.named && !keyRoots.has(source.root));
        if (lookedUpBy && keySources.some((source) => source.kind === 'param')) {
          report({
            span: key,
            message: `The key "${template}" ${named}; the stored value is looked up by a name built from ${describe(lookedUpBy, module)} but the key has no part for \`${lookedUpBy.root}\`: lookups that differ only in it share one entry.`,
          });
          continue;
        }
        const unlisted = sources.find((source) => source.kind === 'param' && !keyRoots.has(source.root));
        if (unlisted && keySources.some((source) => source.kind === 'param') && isRenderedHtml(value, scope, call.span.start)) {
          report({
            span: key,
            message: `The key "${template}" ${named}; the rendered HTML also depends on ${describe(unlisted, module)} but the key has no part for \`${unlisted.root}\`: renders that differ only in it share one entry.`,
          });
        }
      }
    }
  },
};

const MEMOIZE = '<cache_memoize>';

/** `cache_memoize(key, lookup_callable)` calls, as the `get_or_set` they amount to. */
function memoizeCalls(module: PyModule): CacheCall[] {
  return callsByName(module, ['cache_memoize'])
    .filter((call) => isMemoizeCallee(call.callee) && call.args.length >= 2 && ['lambda', 'name', 'attribute'].includes(call.args[1].kind))
    .map((call) => ({ method: 'get_or_set', alias: MEMOIZE, args: call.args, keywords: {}, hasStarArgs: false, span: call.span, methodSpan: call.span, functionIndex: call.functionIndex }));
}

const MAX_CALLER_FILES = 40;

/**
 * Whether every call of the function in the project comes from code with no parameters of its own
 * (module level, or a function taking nothing): then its parameters are the same on every call.
 */
function calledOnlyWithFixedArguments(project: PythonProject, module: PyModule, functionIndex: number): boolean {
  const fn = module.facts.functions[functionIndex];
  if (fn.className) return false;
  const pattern = new RegExp(`\\b${fn.name}\\b`, 'g');
  let calls = 0;
  let files = 0;
  for (const path of project.allPaths()) {
    // Tests call with whatever they like; they are not the project's callers.
    if (isPythonTestPath(path)) continue;
    const text = project.textOf(path);
    if (text === undefined || !text.includes(fn.name)) continue;
    // A name this common cannot be followed to every call in reasonable time: assume callers vary.
    if (++files > MAX_CALLER_FILES) return false;
    const mentions = (text.match(pattern) ?? []).length - (path === module.path ? 1 : 0);
    if (mentions === 0) continue;
    const caller = project.module(path);
    if (!caller) return false;
    let found = 0;
    for (const call of callsByName(caller, [fn.name])) {
      const target = project.resolveFunction(call.callee, path);
      if (target?.module !== module || target.index !== functionIndex) continue;
      found++;
      const callerFn = call.functionIndex >= 0 ? caller.facts.functions[call.functionIndex] : undefined;
      if (callerFn && callerFn.params.some((param, index) => !(index === 0 && (param === 'self' || param === 'cls')))) return false;
    }
    // Imports name the function too; any other mention (a callback, a call we could not resolve) may pass anything.
    const imports = (text.match(new RegExp(`import[^\\n]*\\b${fn.name}\\b`, 'g')) ?? []).length;
    if (found === 0 && mentions > imports) return false;
    if (mentions - imports > found) return false;
    calls += found;
  }
  return calls > 0;
}

function describe(source: ValueSource, module: PyModule): string {
  return `${source.text} (line ${module.lines.positionAt(source.offset).line + 1})`;
}

function isUserPart(source: ValueSource): boolean {
  return source.kind === 'user' || /(^|_)(user|owner|member|account|author|profile)(_id|_pk)?$/i.test(source.root);
}

/** A setter: it stores its own argument (not something computed from it) and never reads the key back. */
function isSetter(sources: ValueSource[], call: CacheCall, template: string, scope: FlowScope): boolean {
  if (sources.some((source) => source.kind !== 'param' || source.computed)) return false;
  return !readsBack(call, template, scope);
}

/**
 * A model method that publishes one of its own fields as the site-wide current value
 * (`def activate(self): cache.set("config", self.data, None)`): the global key is the point, and no
 * method of the class reads it back, so no instance is served another's value in its place. A value
 * computed from the fields, or a key the class reads, is still a read-through and is reported.
 */
function publishesOwnState(value: Expr, sources: ValueSource[], call: CacheCall, template: string, scope: FlowScope): boolean {
  const className = scope.fn.className;
  if (!className || !sources.every((source) => source.kind === 'instance') || !isOwnField(value, scope, call.span.start)) return false;
  for (const other of scope.module.facts.cacheCalls) {
    const owner = other.functionIndex >= 0 ? scope.module.facts.functions[other.functionIndex] : undefined;
    if (owner?.className !== className || !READ_METHODS.has(syncMethodName(other.method))) continue;
    const keys = keyExpressions(other.method, other.args, other.keywords);
    if (keys.some((key) => scope.project.keyTemplateAt(scope.module, other.functionIndex, key) === template)) return false;
  }
  return true;
}

/** Cache methods that only write or drop an entry: a key named only by these is never served to anyone. */
const WRITE_ONLY_METHODS = new Set(['set', 'add', 'set_many', 'touch', 'delete', 'delete_many']);

/**
 * Whether no code in the project can read the constant key: every string in any Python module that spells it
 * (`"key"` or `'key'`, tests and comments included) is the key of a write-only cache call, and no
 * read builds a key with holes that could spell it. A key passed to a helper, held in a constant, listed for `get_many`, or mentioned
 * anywhere else counts as read, so a dead write is the only thing this exempts.
 */
function neverRead(call: CacheCall, key: Expr, template: string, scope: FlowScope): boolean {
  if (READ_METHODS.has(syncMethodName(call.method)) || call.alias === MEMOIZE || template.length < 3) return false;
  const { project, module } = scope;
  // The key must be spelled out in this call; a literal with escapes or a key from a constant is not followed.
  const keyText = module.text.slice(key.start, key.end);
  if (!keyText.includes(`"${template}"`) && !keyText.includes(`'${template}'`)) return false;
  for (const path of project.allPaths()) {
    const text = path === module.path ? module.text : project.textOf(path);
    if (text === undefined || !text.includes(template)) continue;
    const other = path === module.path ? module : project.module(path);
    if (!other) return false;
    const writeKeys = other.facts.cacheCalls
      .filter((write) => WRITE_ONLY_METHODS.has(syncMethodName(write.method)))
      .flatMap((write) => keyExpressions(write.method, write.args, write.keywords));
    for (const quote of ['"', "'"]) {
      const needle = `${quote}${template}${quote}`;
      for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
        if (!writeKeys.some((writeKey) => writeKey.start <= at && at + needle.length <= writeKey.end)) return false;
      }
    }
  }
  for (const other of project.candidateModules()) {
    for (const read of [...other.facts.cacheCalls, ...memoizeCalls(other)]) {
      if (!READ_METHODS.has(syncMethodName(read.method))) continue;
      for (const readKey of keyExpressions(read.method, read.args, read.keywords)) {
        const readTemplate = project.keyTemplateAt(other, read.functionIndex, readKey);
        if (!isConstantTemplate(readTemplate) && namesSomething(readTemplate) && spells(readTemplate, template)) return false;
      }
    }
  }
  return true;
}

/**
 * Whether a key template has fixed text of its own (`f"prev_{name}"`): one made only of run-time parts and
 * separators (`f"{root}_{name}"`) is a key the project computes, which says nothing about which keys it reads.
 */
function namesSomething(template: string): boolean {
  return /[A-Za-z0-9]/.test(template.split(HOLE).join(''));
}

/** Whether a key template with holes (each matching any text) can spell the constant key. */
function spells(pattern: string, key: string): boolean {
  const pieces = pattern.split(HOLE);
  if (!key.startsWith(pieces[0]) || !key.endsWith(pieces[pieces.length - 1])) return false;
  let at = pieces[0].length;
  const end = key.length - pieces[pieces.length - 1].length;
  if (at > end) return false;
  for (const piece of pieces.slice(1, -1)) {
    const found = key.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

/** The stored value is a field of `self` as it is (`self.data`, or a local holding it), not something computed from it. */
function isOwnField(value: Expr, scope: FlowScope, position: number, depth = 0): boolean {
  if (depth > 4) return false;
  if (value.kind === 'name' && !scope.fn.params.includes(value.id)) {
    const reaching = reachingAssignments(scope.fn, value.id, position);
    return reaching.length > 0 && reaching.every((assignment) => isOwnField(assignment.value, scope, assignment.start, depth + 1));
  }
  return /^self\.[A-Za-z_][A-Za-z0-9_]*$/.test(dottedName(value) ?? '');
}

/** Whether the function reads the key it stores (a read-through: later calls get the first caller's value). */
function readsBack(call: CacheCall, template: string, scope: FlowScope): boolean {
  return firstRead(call, template, scope) !== undefined;
}

/** Offset of the first read of `template` in the function (`get_or_set` reads too), or undefined. */
function firstRead(call: CacheCall, template: string, scope: FlowScope): number | undefined {
  let first = READ_METHODS.has(syncMethodName(call.method)) ? call.span.start : undefined;
  for (const other of cacheCallsIn(scope.module.facts, call.functionIndex)) {
    if (!READ_METHODS.has(syncMethodName(other.method))) continue;
    const keys = keyExpressions(other.method, other.args, other.keywords);
    if (!keys.some((key) => scope.project.keyTemplateAt(scope.module, other.functionIndex, key) === template)) continue;
    if (first === undefined || other.span.start < first) first = other.span.start;
  }
  return first;
}

const RENDERERS = /(^|\.)(render_to_string|render|format_html|format_html_join|mark_safe|as_html|render_cell|render_widget)$/;

/** The stored value is HTML rendered by a template or `format_html` (directly or through a local). */
function isRenderedHtml(value: Expr, scope: FlowScope, position: number, depth = 0): boolean {
  if (depth > 4) return false;
  if (value.kind === 'call') {
    const callee = dottedName(value.callee) ?? (value.callee.kind === 'attribute' ? value.callee.attribute : '');
    return RENDERERS.test(callee);
  }
  if (value.kind === 'name' && !scope.fn.params.includes(value.id)) {
    const reaching = reachingAssignments(scope.fn, value.id, position);
    return reaching.some((assignment) => isRenderedHtml(assignment.value, scope, assignment.start, depth + 1));
  }
  return false;
}

const IDENTITY = /^(self\.request\.|request\.)?(user|session)(\.(pk|id|username|email|session_key|uuid))?$|^[a-z_]+\.(pk|id|uuid|session_key)$/;

/** The stored value is an identity (`request.user.pk`, `self.pk`, `request.session.session_key`): a marker of who or which, not data computed for them. */
function isIdentityValue(value: Expr, scope: FlowScope, position: number, depth = 0): boolean {
  if (depth > 4) return false;
  if (value.kind === 'name' && !scope.fn.params.includes(value.id)) {
    const reaching = reachingAssignments(scope.fn, value.id, position);
    return reaching.length > 0 && reaching.every((assignment) => isIdentityValue(assignment.value, scope, assignment.start, depth + 1) || assignment.value.kind === 'none');
  }
  const text = dottedName(value);
  return text !== null && text.includes('.') && IDENTITY.test(text);
}

/** The identifying expression of a source, in scope everywhere in the function, or undefined when there is none we can be sure of. */
function identifier(source: ValueSource): string | undefined {
  if (source.kind === 'user') {
    if (source.root === 'request' && source.text === 'request.user') return 'request.user.pk';
    if (source.root === 'self' && (source.text === 'self.request.user' || source.text.startsWith('self.get_'))) return 'self.request.user.pk';
    if (source.root === 'self' && /^self\.[a-z]+$/.test(source.text) && source.text !== 'self.request') return `${source.text}.pk`;
    return undefined;
  }
  if (source.kind === 'instance') return 'self.pk';
  if (source.kind === 'param') {
    const [, attribute] = source.text.split('.');
    if (attribute === 'pk' || attribute === 'id') return `${source.root}.${attribute}`;
    if (/(^|_)user$/.test(source.root)) return `${source.root}.pk`;
  }
  return undefined;
}

/**
 * Puts the identifying value into every read and write of the key in the function, or offers nothing:
 * a fix that leaves one `cache.get("...")` on the old key makes the cache miss forever. It gives up when
 * the key is a shared constant, built elsewhere, or named by code outside the function.
 */
function keyFix(scope: FlowScope, template: string, source: ValueSource): FixSpec[] {
  const placeholder = identifier(source);
  if (!placeholder) return [];
  const { module, project, fn, functionIndex } = scope;
  const literals = new Map<number, Expr & { kind: 'string' }>();
  for (const other of cacheCallsIn(module.facts, functionIndex)) {
    for (const key of keyExpressions(other.method, other.args, other.keywords)) {
      if (project.keyTemplateAt(module, functionIndex, key) !== template) continue;
      const literal = literalOf(key, scope);
      if (!literal) return [];
      literals.set(literal.start, literal);
    }
    // A *_many call whose keys are not a literal list or dict may hold the key: it cannot be rewritten.
    if (/^a?(get_many|set_many|delete_many)$/.test(other.method) && keyExpressions(other.method, other.args, other.keywords).length === 0) return [];
  }
  if (literals.size === 0 || [...literals.values()].some((literal) => literal.bytes)) return [];
  if (keyNamedElsewhere(project, module, template, fn.span, [...literals.values()])) return [];
  const newKey = `f${JSON.stringify(`${template.replace(/[{}]/g, (brace) => brace + brace)}:`).slice(0, -1)}{${placeholder}}"`;
  const edits: SpanEdit[] = [...literals.values()].map((literal) => ({ span: { start: literal.start, end: literal.end }, newText: newKey }));
  return [{ title: `Put \`${placeholder}\` into the key (every read and write of it in \`${fn.name}\`)`, safety: 'unsafe', edits }];
}

/** The string literal a key is: itself, or the one literal assignment of the local that holds it. */
function literalOf(key: Expr, scope: FlowScope): (Expr & { kind: 'string' }) | undefined {
  if (key.kind === 'string') return key;
  if (key.kind !== 'name' || scope.fn.params.includes(key.id)) return undefined;
  const all = scope.fn.assignments.filter((assignment) => assignment.targets.includes(key.id));
  const reaching = reachingAssignments(scope.fn, key.id, key.start);
  if (all.length !== 1 || reaching.length !== 1 || reaching[0].targets.length !== 1) return undefined;
  const value = reaching[0].value;
  return value.kind === 'string' ? value : undefined;
}

/** Whether the key's text appears in the project outside the literals the fix rewrites (another function, a helper call, a test). */
function keyNamedElsewhere(project: PythonProject, module: PyModule, template: string, fnSpan: { start: number; end: number }, literals: Expr[]): boolean {
  for (const other of project.candidateModules()) {
    for (const call of other.facts.cacheCalls) {
      if (other === module && call.span.start >= fnSpan.start && call.span.end <= fnSpan.end) continue;
      for (const key of keyExpressions(call.method, call.args, call.keywords)) {
        if (project.keyTemplateAt(other, call.functionIndex, key) === template) return true;
      }
    }
  }
  for (const path of project.allPaths()) {
    const text = project.textOf(path);
    if (text === undefined || !text.includes(template)) continue;
    for (const quote of ['"', "'"]) {
      const needle = `${quote}${template}${quote}`;
      for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
        const inside = path === module.path && literals.some((literal) => literal.start <= at && at < literal.end);
        if (!inside) return true;
      }
    }
  }
  return false;
}
