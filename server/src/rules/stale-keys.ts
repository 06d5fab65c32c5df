/** Which keys of a store call go stale for good: never deleted, never re-set elsewhere, not naming their content. Shared by CACHE001 and CACHE007. */
import { invalidates, isContentAddressed, isOpaque } from '../analysis/keys.js';
import { childrenOf, dottedName, namesRead, type Expr } from '../analysis/python/expr.js';
import { cacheAliasOf, type CacheCall, type FunctionFacts, type LocalAssignment } from '../analysis/python/facts.js';
import { callsByName, COMMAND_PATH, keyExpressions, REFRESH_METHODS, type PyModule, type PythonProject } from '../analysis/python/project.js';
import { Q } from '../analysis/python/qualified-names.js';
import { sourceText, storedValue } from './python-helpers.js';
import { cacheCallsIn, functionNamed } from '../analysis/python/function-lookup.js';

/** The key expressions of a store call that nothing in the project deletes or re-sets, with their templates. */
export function neverInvalidatedKeys(project: PythonProject, module: PyModule, call: CacheCall, extraQuiet?: (text: string) => boolean): { key: Expr; template: string }[] {
  return keyExpressions(call.method, call.args, call.keywords).flatMap((key) => {
    const template = project.keyTemplateAt(module, call.functionIndex, key);
    if (isOpaque(template) || isContentAddressed(template)) return [];
    const texts = keyTexts(module, call, key);
    if (texts.some((text) => isContentAddressed(text) || (extraQuiet?.(text) ?? false))) return [];
    // Asked for only now: the project's facts may parse every module that calls a delete helper.
    const { invalidated, refreshSites } = project.facts();
    if (invalidated.some((deleted) => invalidates(deleted, template))) return [];
    const ownRefresh = REFRESH_METHODS.has(call.method) ? 1 : 0;
    return (refreshSites.get(template) ?? 0) <= ownRefresh ? [{ key, template }] : [];
  });
}

/**
 * The key's source text and that of the local assignments it is built from (`checksum = md5(...).hexdigest();
 * key = "render:" + checksum`), a few steps deep, only those before the call.
 */
function keyTexts(module: PyModule, call: CacheCall, key: Expr): string[] {
  const texts = [sourceText(module, key)];
  const fn = call.functionIndex >= 0 ? module.facts.functions[call.functionIndex] : undefined;
  if (!fn) return texts;
  const seen = new Set<string>();
  let frontier = [...namesRead(key)];
  for (let depth = 0; depth < 4 && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const name of frontier) {
      if (seen.has(name)) continue;
      seen.add(name);
      for (const assignment of fn.assignments) {
        if (!assignment.targets.includes(name) || assignment.value.start >= call.span.start) continue;
        texts.push(`${name} = ${sourceText(module, assignment.value)}`);
        next.push(...namesRead(assignment.value));
      }
    }
    frontier = next;
  }
  return texts;
}

/** The value is the moment of writing (`time.time()`, `timezone.now()`, or a local holding it): a record of when something happened, never a stale copy of other data. */
export function storesWriteTime(module: PyModule, call: CacheCall): boolean {
  const value = storedValue(call);
  if (!value) return false;
  const text = sourceText(module, value).replace(/\s+/g, '');
  if (WRITE_TIME.test(text)) return true;
  const fn = call.functionIndex >= 0 ? module.facts.functions[call.functionIndex] : undefined;
  if (value.kind !== 'name' || !fn) return false;
  const assigned = fn.assignments.filter((assignment) => assignment.targets.length === 1 && assignment.targets[0] === value.id && assignment.value.start < call.span.start);
  const last = assigned[assigned.length - 1];
  return last !== undefined && WRITE_TIME.test(sourceText(module, last.value).replace(/\s+/g, ''));
}

const WRITE_TIME = /^(int|float|round)?\(?(time\.(time|monotonic)|timezone\.now|(datetime\.)?datetime\.(now|utcnow)|datetime\.(now|utcnow)|now)\([^()]*\)\)?(\.isoformat\(\)|\.timestamp\(\))?$/;

/**
 * The write runs in a job that re-runs on a schedule or by hand (a management command, a Celery task, a signal
 * receiver), or in a function such a job calls by name: every run overwrites the key, so the job is its refresh.
 * Only direct calls are followed (`refresh()` in a task's body, not a method reached through an object).
 */
export function writtenByJob(project: PythonProject, module: PyModule, call: CacheCall): boolean {
  if (isJob(module, call.functionIndex)) return true;
  const fn = call.functionIndex >= 0 ? module.facts.functions[call.functionIndex] : undefined;
  if (!fn || fn.className !== null) return false;
  let answers = calledFromJob.get(project);
  if (!answers || answers.generation !== project.jobsGeneration) calledFromJob.set(project, (answers = { generation: project.jobsGeneration, byFunction: new WeakMap() }));
  let called = answers.byFunction.get(fn);
  if (called === undefined) {
    const callsIt = new RegExp(`\\b${fn.name}[ \\t]*\\(`);
    called = project.jobFiles().some((path) => {
      if (!callsIt.test(project.textOf(path) ?? '')) return false;
      const caller = project.module(path);
      return (caller ? callsByName(caller, [fn.name]) : []).some((outer) => {
        if (!isJob(caller!, outer.functionIndex)) return false;
        const target = project.resolveFunction(outer.callee, caller!.path);
        return target?.module.path === module.path && target.fn.qualname === fn.qualname;
      });
    });
    answers.byFunction.set(fn, called);
  }
  return called;
}

/**
 * Whether a function is called from a job, per function, while no file that defines or may define a job changes
 * (an edit elsewhere keeps the answer: the function's facts are the same object while its text is).
 */
const calledFromJob = new WeakMap<PythonProject, { generation: number; byFunction: WeakMap<FunctionFacts, boolean> }>();

function isJob(module: PyModule, functionIndex: number): boolean {
  if (COMMAND_PATH.test(module.path)) return true;
  const fn = functionIndex >= 0 ? module.facts.functions[functionIndex] : undefined;
  return isSignalReceiver(fn) || (fn?.decorators.some((decorator) => JOB_DECORATOR.test(sourceText(module, decorator.span))) ?? false);
}

/** `@receiver(post_save, ...)`: the function runs where the data changes. */
export function isSignalReceiver(fn: FunctionFacts | undefined): boolean {
  return fn?.decorators.some((decorator) => decorator.qualified === Q.receiver || decorator.qualified === 'django.dispatch.dispatcher.receiver') ?? false;
}

// Projects wrap Celery's decorator in their own (`@acks_late_2xlarge_task`, `@app.task`): a name ending in `_task` is one too.
const JOB_DECORATOR = /^@?\s*([\w.]+\.)?(\w+_)?(shared_task|task|periodic_task|db_periodic_task|db_task)\b/;

/**
 * A memo of an outside lookup keyed by everything it depends on: the key is built from every parameter of the
 * function, and the stored value is computed only from those parameters, through a call into this module's own
 * code (or an HTTP client) that asks a service outside the project (a geocoder, a currency-code table) and reads
 * none of the project's data (no ORM, no other cache). Nothing the project changes can make such an entry
 * stale, so there is nothing to invalidate. Anything it cannot follow (an imported helper, a module global, an
 * attribute of a parameter: an object's state) keeps the finding.
 */
export function memoOfExternalLookup(module: PyModule, call: CacheCall): boolean {
  if (call.method !== 'set' && call.method !== 'add') return false;
  const fn = call.functionIndex >= 0 ? module.facts.functions[call.functionIndex] : undefined;
  const key = keyExpressions(call.method, call.args, call.keywords)[0];
  const value = storedValue(call);
  if (!fn || !key || !value) return false;
  const receiver = fn.className !== null && (fn.params[0] === 'self' || fn.params[0] === 'cls') ? fn.params[0] : undefined;
  const params = fn.params.filter((param) => param !== receiver);
  const before = (name: string) => fn.assignments.filter((assignment) => assignment.targets.includes(name) && assignment.value.start < call.span.start);
  // A write-through (the function never reads the cache) asks the service on every call and overwrites the
  // key: a copy of the service's last answer. A read-through memo must be keyed by all it depends on.
  const readsCache = cacheCallsIn(module.facts, call.functionIndex).some((other) => /^a?(get|get_many|get_or_set|has_key)$/.test(other.method));
  if (readsCache && !keyHoldsEvery(params, key, before)) return false;

  let external = false;
  const followed = new Set<string>();
  const isCacheRead = (expr: Expr): boolean =>
    expr.kind === 'call' && expr.callee.kind === 'attribute' && cacheAliasOf(expr.callee.object, module.facts.bindings) !== undefined;
  const lookupBody = (callee: Expr): string | undefined => {
    const name = callee.kind === 'name' ? callee.id : callee.kind === 'attribute' && callee.object.kind === 'name' && callee.object.id === receiver ? `${fn.className}.${callee.attribute}` : undefined;
    const target = name ? functionNamed(module.facts, name) : undefined;
    if (!target) return undefined;
    const body = sourceText(module, target.span);
    // The helpers it calls on the same object, one step: the request often sits in one of them.
    const helpers = [...body.matchAll(/\bself\.(\w+)\s*\(/g)].flatMap((match) => {
      const helper = functionNamed(module.facts, `${fn.className}.${match[1]}`);
      return helper && helper !== target ? [sourceText(module, helper.span)] : [];
    });
    return [body, ...helpers].join('\n');
  };
  const pure = (expr: Expr): boolean => {
    switch (expr.kind) {
      case 'string':
      case 'number':
      case 'none':
      case 'bool':
        return true;
      case 'name': {
        if (params.includes(expr.id) || SAFE_BUILTINS.has(expr.id)) return true;
        if (followed.has(expr.id)) return true;
        const assigned = before(expr.id);
        if (assigned.length === 0) return false;
        followed.add(expr.id);
        // The read of the cache that this store fills is not where the value comes from.
        return assigned.every((assignment) => isCacheRead(assignment.value) || pure(assignment.value));
      }
      case 'attribute':
        // An attribute of a parameter or of self is an object's state, which changes; of a lookup's result, data.
        return expr.object.kind !== 'name' || (!params.includes(expr.object.id) && expr.object.id !== receiver) ? pure(expr.object) : false;
      case 'call': {
        const args = [...expr.args, ...Object.values(expr.keywords)];
        if (!args.every(pure)) return false;
        const callee = expr.callee;
        if (callee.kind === 'name' && (SAFE_BUILTINS.has(callee.id) || TRANSLATION.test(module.facts.bindings[callee.id] ?? ''))) return true;
        const qualified = dottedName(callee);
        const root = qualified?.split('.')[0];
        if (qualified && root && HTTP_CLIENT.test(module.facts.bindings[root] ?? '')) return (external = true);
        const body = lookupBody(callee);
        if (body !== undefined) {
          if (PROJECT_DATA.test(body)) return false;
          if (HTTP_REQUEST.test(body)) external = true;
          return true;
        }
        // A method of a lookup's result (`response.json()`, `record.get(...)`), never of a parameter or self.
        return callee.kind === 'attribute' && pure(callee);
      }
      case 'fstring':
      case 'binary':
      case 'unary':
      case 'subscript':
      case 'sequence':
      case 'dict':
      case 'conditional':
      case 'other': // `a or b`, comparisons; a comprehension's own names are unknown here and fail
        return childrenOf(expr).every(pure);
      default:
        return false;
    }
  };
  return pure(value) && external;
}

/** Every parameter reaches the key, directly or through locals built from it. */
function keyHoldsEvery(params: string[], key: Expr, before: (name: string) => LocalAssignment[]): boolean {
  if (params.length === 0) return false;
  const keyNames = new Set<string>();
  const pending = [...namesRead(key)];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (keyNames.has(name)) continue;
    keyNames.add(name);
    for (const assignment of before(name)) pending.push(...namesRead(assignment.value));
  }
  return params.every((param) => keyNames.has(param));
}

/** `_("No data")`: a translated message is text, not data. */
const TRANSLATION = /^django\.utils\.translation\.\w*gettext\w*$/;
const SAFE_BUILTINS = new Set(['str', 'int', 'float', 'bool', 'len', 'dict', 'list', 'tuple', 'min', 'max', 'round', 'sorted', 'abs', 'None', 'True', 'False']);
/** Reads of the project's own data: the ORM, raw SQL, the cache. */
const PROJECT_DATA = /\.objects\b|\bget_object_or_404\b|\.(filter|exclude|annotate|aggregate|select_related|prefetch_related|values_list|refresh_from_db|get_queryset)\(|\bcursor\(|\bcaches?\b/;
const HTTP_REQUEST = /\b(requests|httpx|session|client)\.(get|post|request|head)\(|\burlopen\(|\bhttpx\.\w+\(/;
const HTTP_CLIENT = /^(requests|httpx|urllib|urllib3|aiohttp)(\.|$)/;
