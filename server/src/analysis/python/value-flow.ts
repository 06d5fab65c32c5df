/**
 * Where a value stored in the cache comes from: the requesting user, the request, a function parameter
 * or a per-object attribute, followed through local assignments (only those that reach the use), nested
 * functions and `get_or_set` callables, the view's own methods (`self.get_queryset()`) and single-return
 * helpers. A branch test (`None if force else ...`) and a read of the cache itself are not data flow.
 */
import { cacheAliasOf, qualify, type ClassFacts, type FunctionFacts, type LocalAssignment } from './facts.js';
import { childrenOf, dottedName, walkExpr as walk, type Expr } from './expr.js';
import type { PyModule, PythonProject } from './project.js';
import { functionNamed } from './function-lookup.js';

export type SourceKind = 'user' | 'request' | 'param' | 'instance';

export interface ValueSource {
  kind: SourceKind;
  /** What the value reads, as written: `request.user`, `self.request.user`, `invoice.customer.currency`, `self.config`. */
  text: string;
  /** The parameter (or `self`) it is read from. */
  root: string;
  /** Offset (in `module`) of the read. */
  offset: number;
  /** Reached through an attribute, a method or a call on it: the value is computed from it, not the argument itself. */
  computed: boolean;
  /** Interpolated into a string (a URL, a path, a lookup name): it names what the value is. */
  named?: boolean;
}

/** Calls that copy their argument rather than compute from it (a setter's `str(value)` still stores the argument). */
const CONVERSIONS = new Set(['str', 'int', 'float', 'bool', 'list', 'tuple', 'dict', 'set', 'frozenset', 'repr']);
/** Thread-local "current user" helpers (django-crum and look-alikes). */
const CURRENT_USER = /^(get_current_user|get_current_request|current_user)$/;
/** Generic-view methods that go through `get_queryset()`. */
const QUERYSET_METHODS = new Set(['get_object', 'filter_queryset', 'get_queryset', 'get_context_data', 'list']);
/** Calls whose result names their input (a digest): a key built from one names its content. */
export const DIGEST = /(^|\.)(md5|sha1|sha224|sha256|sha384|sha512|blake2b|blake2s|hexdigest|digest|hash|make_hash|hash_key|crc32|adler32)$/;

const MAX_STEPS = 5000;
const USER_ATTRIBUTE = /^(user|owner|account|customer|member|viewer)$/;
const REQUEST_PARAMETERS = new Set(['GET', 'POST', 'data', 'query_params', 'headers', 'META', 'FILES']);

export interface FlowScope {
  project: PythonProject;
  module: PyModule;
  fn: FunctionFacts;
  functionIndex: number;
}

/** The sources `value`, used at `position`, flows from, most specific first (user, request, parameter, instance). */
export function valueSources(scope: FlowScope, value: Expr, position: number): ValueSource[] {
  const sources: ValueSource[] = [];
  const seen = new Set<string>();
  const params = new Set(scope.fn.params.filter((param, index) => !(index === 0 && (param === 'self' || param === 'cls'))));
  const modelSelf = scope.fn.className !== null && isModelClass(scope.project, scope.module, scope.fn.className);
  let steps = 0;
  const followed = new Set<string>();
  let naming = 0;
  const add = (source: ValueSource): void => {
    const id = `${source.kind}:${source.text}:${source.offset}`;
    if (!seen.has(id)) {
      seen.add(id);
      if (naming > 0) source.named = true;
      sources.push(source);
    }
  };
  const visitNaming = (expr: Expr, at: number, bound: ReadonlySet<string>, computed: boolean): void => {
    naming++;
    visit(expr, at, bound, computed);
    naming--;
  };

  const visit = (expr: Expr, at: number, bound: ReadonlySet<string>, computed: boolean): void => {
    if (++steps > MAX_STEPS) return;
    switch (expr.kind) {
      case 'fstring':
        for (const part of expr.parts) if (typeof part !== 'string') visitNaming(part, at, bound, true);
        return;
      case 'binary':
        if (expr.operator === '%' && (expr.left.kind === 'string' || expr.left.kind === 'fstring')) {
          visitNaming(expr.right, at, bound, true);
          return;
        }
        visit(expr.left, at, bound, computed);
        visit(expr.right, at, bound, computed);
        return;
      case 'conditional':
        visit(expr.body, at, bound, computed);
        visit(expr.orelse, at, bound, computed);
        return;
      case 'lambda': {
        const inner = new Set([...bound, ...expr.params]);
        visit(expr.body, at, inner, computed);
        return;
      }
      case 'subscript': {
        const named = requestParameter(expr.object, expr.index);
        if (named) {
          add({ kind: 'request', text: named, root: 'request', offset: expr.start, computed: true });
          return;
        }
        visit(expr.object, at, bound, computed);
        visit(expr.index, at, bound, true);
        return;
      }
      case 'name':
      case 'attribute': {
        const chain = chainOf(expr);
        if (!chain) {
          if (expr.kind === 'attribute') visit(expr.object, at, bound, true);
          return;
        }
        visitChain(chain, expr, at, bound, computed);
        return;
      }
      case 'call': {
        if (isCacheRead(expr, scope.module)) return;
        const callee = expr.callee;
        const calleeChain = chainOf(callee);
        if (calleeChain && CURRENT_USER.test(calleeChain.parts[calleeChain.parts.length - 1])) {
          add({ kind: 'user', text: `${calleeChain.text}()`, root: calleeChain.parts[0], offset: expr.start, computed: true });
          return;
        }
        if (callee.kind === 'attribute' && callee.attribute === 'get' && expr.args[0]) {
          const named = requestParameter(callee.object, expr.args[0]);
          if (named) {
            add({ kind: 'request', text: named, root: 'request', offset: expr.start, computed: true });
            return;
          }
        }
        if (calleeChain?.parts[0] === 'self' && calleeChain.parts.length === 2 && scope.fn.className) {
          selfMethod(calleeChain.parts[1], expr.start);
        }
        const conversion = callee.kind === 'name' && CONVERSIONS.has(callee.id);
        const helper = conversion ? undefined : helperReturn(scope, callee);
        if (callee.kind !== 'name') visit(callee, at, bound, true);
        const argumentComputed = computed || !conversion;
        if (callee.kind === 'attribute' && callee.attribute === 'format' && callee.object.kind === 'string') {
          for (const argument of [...expr.args, ...Object.values(expr.keywords)]) visitNaming(argument, at, bound, true);
          return;
        }
        expr.args.forEach((argument, index) => {
          if (helper && !helper.reaches(index, undefined)) return;
          visit(argument, at, bound, argumentComputed);
        });
        for (const [keyword, argument] of Object.entries(expr.keywords)) {
          if (helper && !helper.reaches(-1, keyword)) continue;
          visit(argument, at, bound, argumentComputed);
        }
        return;
      }
      default:
        for (const child of childrenOf(expr)) visit(child, at, bound, computed);
    }
  };

  const visitChain = (chain: Chain, expr: Expr, at: number, bound: ReadonlySet<string>, computed: boolean): void => {
    const [root, first, second] = chain.parts;
    const isComputed = computed || chain.parts.length > 1;
    if (bound.has(root)) return;
    if (root === 'self' && scope.fn.className) {
      if (first === 'request') {
        const userState = second === 'user' || second === 'session' || second === 'COOKIES';
        add({ kind: userState ? 'user' : 'request', text: chain.parts.slice(0, userState ? 3 : 2).join('.'), root: 'self', offset: expr.start, computed: true });
      } else if (first === 'kwargs' || first === 'args') {
        add({ kind: 'request', text: chain.parts.slice(0, 2).join('.'), root: 'self', offset: expr.start, computed: true });
      } else if (first && USER_ATTRIBUTE.test(first)) {
        // A service built for one user (`PremiumService(user)` keeps `self.user`): per instance whatever the class.
        add({ kind: 'user', text: `self.${first}`, root: 'self', offset: expr.start, computed: true });
      } else if (first && chain.parts.length === 2 && classMethod(scope.module, scope.fn.className, first)) {
        // `self.method` (called, or handed to get_or_set): what that method reads.
        selfMethod(first, expr.start);
      } else if (first && modelSelf) {
        add({ kind: 'instance', text: chain.parts.slice(0, 2).join('.'), root: 'self', offset: expr.start, computed: true });
      }
      return;
    }
    if (params.has(root)) {
      if (root === 'request' && (first === 'user' || first === 'session' || first === 'COOKIES')) {
        add({ kind: 'user', text: `request.${first}`, root, offset: expr.start, computed: true });
      } else if (root === 'request') {
        add({ kind: 'request', text: chain.parts.slice(0, 2).join('.'), root, offset: expr.start, computed: true });
      } else {
        add({ kind: 'param', text: chain.text, root, offset: expr.start, computed: isComputed });
      }
      return;
    }
    for (const assignment of reachingAssignments(scope.fn, root, at)) {
      const id = `${root}@${assignment.start}:${isComputed}`;
      if (followed.has(id)) continue;
      followed.add(id);
      visit(assignment.value, assignment.start, bound, isComputed);
    }
  };

  /** `self.get_queryset()` and friends: the user, when the class's own method reads it. */
  const selfMethod = (name: string, offset: number): void => {
    const className = scope.fn.className!;
    const candidates = [name];
    if (QUERYSET_METHODS.has(name)) candidates.push('get_queryset');
    for (const candidate of candidates) {
      const method = classMethod(scope.module, className, candidate);
      if (!method || method === scope.fn) continue;
      const read = method.userStateReads[0];
      if (read) {
        add({ kind: 'user', text: `self.${candidate}() (reads ${scope.module.text.slice(read.span.start, read.span.end)})`, root: 'self', offset, computed: true });
        return;
      }
    }
  };

  /** `request.GET["q"]`, `request.GET.get("q")`, `self.kwargs["pk"]`: the request parameter by name. */
  const requestParameter = (container: Expr, index: Expr): string | undefined => {
    if (index.kind !== 'string') return undefined;
    const chain = chainOf(container);
    if (!chain) return undefined;
    const [root, first] = chain.parts;
    const fromRequest = (root === 'request' && params.has('request')) || (root === 'self' && first === 'request' && scope.fn.className !== null);
    const attribute = chain.parts[root === 'self' && first === 'request' ? 2 : 1];
    if (fromRequest && chain.parts.length === (root === 'self' ? 3 : 2) && REQUEST_PARAMETERS.has(attribute)) return `${chain.text}[${JSON.stringify(index.value)}]`;
    if (root === 'self' && (first === 'kwargs' || first === 'args') && chain.parts.length === 2 && scope.fn.className) return `${chain.text}[${JSON.stringify(index.value)}]`;
    if (root === 'kwargs' && chain.parts.length === 1 && params.has('kwargs') && params.has('request')) return `kwargs[${JSON.stringify(index.value)}]`;
    return undefined;
  };

  visit(value, position, new Set(), false);
  const rank: Record<SourceKind, number> = { user: 0, request: 1, param: 2, instance: 3 };
  return sources.sort((a, b) => rank[a.kind] - rank[b.kind] || a.offset - b.offset);
}

/** The bindings of `name` that may hold at `position`: the last plain assignment in a block around it, and what follows. */
export function reachingAssignments(fn: FunctionFacts, name: string, position: number): LocalAssignment[] {
  const all = fn.assignments.filter((assignment) => assignment.targets.includes(name));
  const before = all.filter((assignment) => assignment.start < position || (assignment.loop !== null && assignment.loop.start <= position && position < assignment.loop.end));
  let dominating: LocalAssignment | undefined;
  for (const assignment of before) {
    if (assignment.replaces && assignment.start < position && assignment.block.start <= position && position < assignment.block.end) {
      if (!dominating || assignment.start > dominating.start) dominating = assignment;
    }
  }
  if (!dominating) return before;
  return before.filter((assignment) => assignment.start >= dominating!.start || (assignment.loop !== null && assignment.loop.start <= position && position < assignment.loop.end && assignment.start > position));
}

/** Whether a local name read by `expr` has more than one binding reaching `position` (a branch-dependent key). */
export function readsBranchDependentLocal(fn: FunctionFacts, expr: Expr, position: number, seen = new Set<LocalAssignment>()): boolean {
  for (const node of walk(expr)) {
    if (node.kind !== 'name' || fn.params.includes(node.id)) continue;
    const reaching = reachingAssignments(fn, node.id, position);
    if (reaching.length > 1) return true;
    const [only] = reaching;
    if (only && !seen.has(only)) {
      seen.add(only);
      if (readsBranchDependentLocal(fn, only.value, only.start, seen)) return true;
    }
  }
  return false;
}

/** Whether the key expression (through locals) is built with a digest call (it names its content). */
export function usesDigest(fn: FunctionFacts, expr: Expr, position: number, seen = new Set<LocalAssignment>()): boolean {
  for (const node of walk(expr)) {
    if (node.kind === 'call') {
      const chain = chainOf(node.callee);
      if (chain && DIGEST.test(chain.text)) return true;
    }
    if (node.kind === 'name' && !fn.params.includes(node.id)) {
      for (const assignment of reachingAssignments(fn, node.id, position)) {
        if (seen.has(assignment)) continue;
        seen.add(assignment);
        if (usesDigest(fn, assignment.value, assignment.start, seen)) return true;
      }
    }
  }
  return false;
}

interface Chain {
  parts: string[];
  text: string;
}

/** `a.b.c` -> ["a", "b", "c"]; null when not rooted at a name. */
function chainOf(expr: Expr): Chain | null {
  const parts: string[] = [];
  let current: Expr = expr;
  for (;;) {
    if (current.kind !== 'attribute') break;
    parts.unshift(current.attribute);
    current = current.object;
  }
  if (current.kind !== 'name') return null;
  parts.unshift(current.id);
  return { parts, text: parts.join('.') };
}

function isCacheRead(call: Expr & { kind: 'call' }, module: PyModule): boolean {
  if (call.callee.kind !== 'attribute') return false;
  if (!/^a?(get|get_many|has_key)$/.test(call.callee.attribute)) return false;
  return cacheAliasOf(call.callee.object, module.facts.bindings) !== undefined;
}

function classMethod(module: PyModule, className: string, name: string, depth = 0): FunctionFacts | undefined {
  if (depth > 4) return undefined;
  const own = functionNamed(module.facts, `${className}.${name}`);
  if (own) return own;
  const cls = module.facts.classes.find((candidate) => candidate.name === className);
  for (const base of cls ? baseNamesOf(cls) : []) {
    if (module.facts.classes.some((candidate) => candidate.name === base)) {
      const inherited = classMethod(module, base, name, depth + 1);
      if (inherited) return inherited;
    }
  }
  return undefined;
}

const MODEL_BASES = new Set(['django.db.models.Model', 'django.db.models.base.Model']);

/** Whether `className` (in `module`) is a Django model: its methods' `self.x` differ per row. */
export function isModelClass(project: PythonProject, module: PyModule, className: string, depth = 0): boolean {
  if (depth > 5) return false;
  const cls = module.facts.classes.find((candidate) => candidate.name === className);
  if (!cls) return false;
  for (const base of baseNamesOf(cls)) {
    const qualified = qualifyText(base, module);
    if (qualified && MODEL_BASES.has(qualified)) return true;
    if (module.facts.classes.some((candidate) => candidate.name === base) && base !== className) {
      if (isModelClass(project, module, base, depth + 1)) return true;
      continue;
    }
    if (qualified && !qualified.startsWith('django.')) {
      const target = project.resolveQualified(qualified, module.path);
      if (target && target.rest.length === 1 && isModelClass(project, target.module, target.rest[0], depth + 1)) return true;
    }
  }
  return false;
}

function qualifyText(dotted: string, module: PyModule): string | null {
  const parts = dotted.split('.');
  let expr: Expr = { kind: 'name', id: parts[0], start: 0, end: 0 };
  for (const part of parts.slice(1)) expr = { kind: 'attribute', object: expr, attribute: part, start: 0, end: 0 };
  return qualify(expr, module.facts.bindings);
}

/** A single-return helper's parameters: which of them reach what it returns. */
function helperReturn(scope: FlowScope, callee: Expr): { reaches(position: number, keyword: string | undefined): boolean } | undefined {
  let target: { params: string[]; body: Expr } | undefined;
  if (callee.kind === 'name') {
    const bound = scope.module.facts.bindings[callee.id];
    const resolved = bound ? scope.project.resolveFunction(bound, scope.module.path) : undefined;
    if (resolved?.fn.returnExpr && !resolved.fn.className) target = { params: resolved.fn.params, body: resolved.fn.returnExpr };
  }
  if (!target) return undefined;
  const { params, body } = target;
  const read = new Set<string>();
  for (const node of walk(body)) if (node.kind === 'name') read.add(node.id);
  return {
    reaches: (position, keyword) => {
      const name = keyword ?? params[position];
      // *args/**kwargs and unknown keywords: assume they reach.
      return name === undefined || !params.includes(name) || read.has(name);
    },
  };
}

/** A class's bases as dotted names (`models.Model`, `LoginRequiredMixin`); calls and subscripts are left out. */
function baseNamesOf(cls: ClassFacts): string[] {
  return cls.bases.flatMap((base) => {
    const name = dottedName(base);
    return name === null ? [] : [name];
  });
}
