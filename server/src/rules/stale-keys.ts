/** Which keys of a store call go stale for good: never deleted, never re-set elsewhere, not naming their content. Shared by CACHE001 and CACHE007. */
import { invalidates, isContentAddressed, isOpaque } from '../analysis/keys.js';
import type { Expr } from '../analysis/python/expr.js';
import type { CacheCall } from '../analysis/python/facts.js';
import { keyExpressions, REFRESH_METHODS, type PyModule, type PythonProject } from '../analysis/python/project.js';
import { sourceText, storedValue } from './python-helpers.js';

/** The key expressions of a store call that nothing in the project deletes or re-sets, with their templates. */
export function neverInvalidatedKeys(project: PythonProject, module: PyModule, call: CacheCall, extraQuiet?: (text: string) => boolean): { key: Expr; template: string }[] {
  const { invalidated, refreshSites } = project.facts();
  return keyExpressions(call.method, call.args, call.keywords).flatMap((key) => {
    const template = project.keyTemplateAt(module, call.functionIndex, key);
    if (isOpaque(template) || isContentAddressed(template)) return [];
    const texts = keyTexts(module, call, key);
    if (texts.some((text) => isContentAddressed(text) || (extraQuiet?.(text) ?? false))) return [];
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
  let frontier = namesIn(key);
  for (let depth = 0; depth < 4 && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const name of frontier) {
      if (seen.has(name)) continue;
      seen.add(name);
      for (const assignment of fn.assignments) {
        if (!assignment.targets.includes(name) || assignment.value.start >= call.span.start) continue;
        texts.push(`${name} = ${sourceText(module, assignment.value)}`);
        next.push(...namesIn(assignment.value));
      }
    }
    frontier = next;
  }
  return texts;
}

function namesIn(expr: Expr): string[] {
  const names: string[] = [];
  const visit = (node: Expr | string): void => {
    if (typeof node === 'string') return;
    switch (node.kind) {
      case 'name':
        names.push(node.id);
        break;
      case 'fstring':
        node.parts.forEach(visit);
        break;
      case 'attribute':
        visit(node.object);
        break;
      case 'call':
        visit(node.callee);
        node.args.forEach(visit);
        Object.values(node.keywords).forEach(visit);
        break;
      case 'binary':
        visit(node.left);
        visit(node.right);
        break;
      case 'unary':
        visit(node.operand);
        break;
      case 'subscript':
        visit(node.object);
        visit(node.index);
        break;
      case 'sequence':
        node.items.forEach(visit);
        break;
      case 'other':
        names.push(...node.names);
        node.parts.forEach(visit);
        break;
    }
  };
  visit(expr);
  return names;
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
 * The write runs in a job that re-runs on a schedule or by hand (a management command, a Celery task): every run
 * overwrites the key, so the job is its refresh.
 */
export function writtenByJob(module: PyModule, call: CacheCall): boolean {
  if (/(^|\/)management\/commands\/[^/]+\.py$/.test(module.path)) return true;
  const fn = call.functionIndex >= 0 ? module.facts.functions[call.functionIndex] : undefined;
  return fn?.decorators.some((decorator) => JOB_DECORATOR.test(sourceText(module, decorator.span))) ?? false;
}

// Projects wrap Celery's decorator in their own (`@acks_late_2xlarge_task`, `@app.task`): a name ending in `_task` is one too.
const JOB_DECORATOR = /^@?\s*([\w.]+\.)?(\w+_)?(shared_task|task|periodic_task|db_periodic_task|db_task)\b/;
