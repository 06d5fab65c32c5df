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
  named: boolean;
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
  return new SourceWalker(scope).sources(value, position);
}

/**
 * One run of valueSources. A class, not closures: it runs for every store on every keystroke, and one object
 * with methods allocates less than a closure per step of the walk.
 */
class SourceWalker {
  private readonly found: ValueSource[] = [];
  private readonly modelSelf: boolean;
  private steps = 0;
  /** The assignments followed so far, as read plainly and as read through an attribute or a call (made on first use). */
  private readonly followed: [Set<LocalAssignment> | undefined, Set<LocalAssignment> | undefined] = [undefined, undefined];
  /** Above 0 while inside a string's interpolation: what is found there names the value. */
  private naming = 0;

  constructor(private readonly scope: FlowScope) {
    this.modelSelf = scope.fn.className !== null && isModelClass(scope.project, scope.module, scope.fn.className);
  }

  sources(value: Expr, position: number): ValueSource[] {
    this.visit(value, position, NO_NAMES, false);
    return this.found.sort((a, b) => SOURCE_RANK[a.kind] - SOURCE_RANK[b.kind] || a.offset - b.offset);
  }

  /** A parameter of the function, `self` and `cls` aside. */
  private isParam(name: string): boolean {
    const params = this.scope.fn.params;
    return params.includes(name) && !(name === params[0] && (name === 'self' || name === 'cls'));
  }

  private add(kind: SourceKind, text: string, root: string, offset: number, computed: boolean): void {
    // A handful of sources at most: a scan costs less than a key string per source.
    for (const other of this.found) if (other.kind === kind && other.offset === offset && other.text === text) return;
    // Every field at once: adding `named` later would give the object a second shape and a property store.
    this.found.push({ kind, text, root, offset, computed, named: this.naming > 0 });
  }

  private visitNaming(expr: Expr, at: number, bound: ReadonlySet<string>, computed: boolean): void {
    this.naming++;
    this.visit(expr, at, bound, computed);
    this.naming--;
  }

  private visit(expr: Expr, at: number, bound: ReadonlySet<string>, computed: boolean): void {
    if (++this.steps > MAX_STEPS) return;
    const scope = this.scope;
    switch (expr.kind) {
      case 'fstring':
        for (const part of expr.parts) if (typeof part !== 'string') this.visitNaming(part, at, bound, true);
        return;
      case 'binary':
        if (expr.operator === '%' && (expr.left.kind === 'string' || expr.left.kind === 'fstring')) {
          this.visitNaming(expr.right, at, bound, true);
          return;
        }
        this.visit(expr.left, at, bound, computed);
        this.visit(expr.right, at, bound, computed);
        return;
      case 'conditional':
        this.visit(expr.body, at, bound, computed);
        this.visit(expr.orelse, at, bound, computed);
        return;
      case 'lambda': {
        const inner = new Set([...bound, ...expr.params]);
        this.visit(expr.body, at, inner, computed);
        return;
      }
      case 'subscript': {
        const named = this.requestParameter(expr.object, expr.index);
        if (named) {
          this.add('request', named, 'request', expr.start, true);
          return;
        }
        this.visit(expr.object, at, bound, computed);
        this.visit(expr.index, at, bound, true);
        return;
      }
      case 'name':
      case 'attribute': {
        const chain = chainOf(expr);
        if (!chain) {
          if (expr.kind === 'attribute') this.visit(expr.object, at, bound, true);
          return;
        }
        this.visitChain(chain, expr, at, bound, computed);
        return;
      }
      case 'call': {
        if (isCacheRead(expr, scope.module)) return;
        const callee = expr.callee;
        const calleeChain = chainOf(callee);
        if (calleeChain && CURRENT_USER.test(calleeChain.parts[calleeChain.parts.length - 1])) {
          this.add('user', `${calleeChain.text}()`, calleeChain.parts[0], expr.start, true);
          return;
        }
        if (callee.kind === 'attribute' && callee.attribute === 'get' && expr.args[0]) {
          const named = this.requestParameter(callee.object, expr.args[0]);
          if (named) {
            this.add('request', named, 'request', expr.start, true);
            return;
          }
        }
        if (calleeChain?.parts[0] === 'self' && calleeChain.parts.length === 2 && scope.fn.className) {
          this.selfMethod(calleeChain.parts[1], expr.start);
        }
        const conversion = callee.kind === 'name' && CONVERSIONS.has(callee.id);
        const helper = conversion ? undefined : helperReturn(scope, callee);
        if (callee.kind !== 'name') this.visit(callee, at, bound, true);
        const argumentComputed = computed || !conversion;
        if (callee.kind === 'attribute' && callee.attribute === 'format' && callee.object.kind === 'string') {
          for (const argument of expr.args) this.visitNaming(argument, at, bound, true);
          for (const keyword of Object.keys(expr.keywords)) this.visitNaming(expr.keywords[keyword], at, bound, true);
          return;
        }
        for (let index = 0; index < expr.args.length; index++) {
          if (helper && !helper.reaches(index, undefined)) continue;
          this.visit(expr.args[index], at, bound, argumentComputed);
        }
        for (const keyword of Object.keys(expr.keywords)) {
          if (helper && !helper.reaches(-1, keyword)) continue;
          this.visit(expr.keywords[keyword], at, bound, argumentComputed);
        }
        return;
      }
      default:
        for (const child of childrenOf(expr)) this.visit(child, at, bound, computed);
    }
  }

  private visitChain(chain: Chain, expr: Expr, at: number, bound: ReadonlySet<string>, computed: boolean): void {
    const scope = this.scope;
    // Indexed, not destructured: destructuring goes through an iterator.
    const root = chain.parts[0];
    const first = chain.parts[1];
    const second = chain.parts[2];
    const isComputed = computed || chain.parts.length > 1;
    if (bound.has(root)) return;
    if (root === 'self' && scope.fn.className) {
      if (first === 'request') {
        const userState = second === 'user' || second === 'session' || second === 'COOKIES';
        this.add(userState ? 'user' : 'request', chain.parts.slice(0, userState ? 3 : 2).join('.'), 'self', expr.start, true);
      } else if (first === 'kwargs' || first === 'args') {
        this.add('request', chain.parts.slice(0, 2).join('.'), 'self', expr.start, true);
      } else if (first && USER_ATTRIBUTE.test(first)) {
        // A service built for one user (`PremiumService(user)` keeps `self.user`): per instance whatever the class.
        this.add('user', `self.${first}`, 'self', expr.start, true);
      } else if (first && chain.parts.length === 2 && classMethod(scope.module, scope.fn.className, first)) {
        // `self.method` (called, or handed to get_or_set): what that method reads.
        this.selfMethod(first, expr.start);
      } else if (first && this.modelSelf) {
        this.add('instance', chain.parts.slice(0, 2).join('.'), 'self', expr.start, true);
      }
      return;
    }
    if (this.isParam(root)) {
      if (root === 'request' && (first === 'user' || first === 'session' || first === 'COOKIES')) {
        this.add('user', `request.${first}`, root, expr.start, true);
      } else if (root === 'request') {
        this.add('request', chain.parts.slice(0, 2).join('.'), root, expr.start, true);
      } else {
        this.add('param', chain.text, root, expr.start, isComputed);
      }
      return;
    }
    const reaching = reachingAssignments(scope.fn, root, at);
    if (reaching.length === 0) return;
    const followedAs = (this.followed[isComputed ? 1 : 0] ??= new Set());
    for (const assignment of reaching) {
      // What an assignment's value reads does not depend on which of its targets led here (`a, b = f(x)`).
      if (followedAs.has(assignment)) continue;
      followedAs.add(assignment);
      this.visit(assignment.value, assignment.start, bound, isComputed);
    }
  }

  /** `self.get_queryset()` and friends: the user, when the class's own method reads it. */
  private selfMethod(name: string, offset: number): void {
    const scope = this.scope;
    const className = scope.fn.className!;
    const candidates = [name];
    if (QUERYSET_METHODS.has(name)) candidates.push('get_queryset');
    for (const candidate of candidates) {
      const method = classMethod(scope.module, className, candidate);
      if (!method || method === scope.fn) continue;
      const read = method.userStateReads[0];
      if (read) {
        this.add('user', `self.${candidate}() (reads ${scope.module.text.slice(read.span.start, read.span.end)})`, 'self', offset, true);
        return;
      }
    }
  }

  /** `request.GET["q"]`, `request.GET.get("q")`, `self.kwargs["pk"]`: the request parameter by name. */
  private requestParameter(container: Expr, index: Expr): string | undefined {
    if (index.kind !== 'string') return undefined;
    const chain = chainOf(container);
    if (!chain) return undefined;
    const className = this.scope.fn.className;
    const root = chain.parts[0];
    const first = chain.parts[1];
    const fromRequest = (root === 'request' && this.isParam('request')) || (root === 'self' && first === 'request' && className !== null);
    const attribute = chain.parts[root === 'self' && first === 'request' ? 2 : 1];
    if (fromRequest && chain.parts.length === (root === 'self' ? 3 : 2) && REQUEST_PARAMETERS.has(attribute)) return `${chain.text}[${JSON.stringify(index.value)}]`;
    if (root === 'self' && (first === 'kwargs' || first === 'args') && chain.parts.length === 2 && className) return `${chain.text}[${JSON.stringify(index.value)}]`;
    if (root === 'kwargs' && chain.parts.length === 1 && this.isParam('kwargs') && this.isParam('request')) return `kwargs[${JSON.stringify(index.value)}]`;
    return undefined;
  }
}

const NO_NAMES: ReadonlySet<string> = new Set();
const SOURCE_RANK: Record<SourceKind, number> = { user: 0, request: 1, param: 2, instance: 3 };

/** The bindings of `name` that may hold at `position`: the last plain assignment in a block around it, and what follows. */
export function reachingAssignments(fn: FunctionFacts, name: string, position: number): LocalAssignment[] {
  const before: LocalAssignment[] = [];
  let dominating: LocalAssignment | undefined;
  for (const assignment of fn.assignments) {
    if (!assignment.targets.includes(name)) continue;
    if (!(assignment.start < position || (assignment.loop !== null && assignment.loop.start <= position && position < assignment.loop.end))) continue;
    before.push(assignment);
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
  let root: Expr = expr;
  while (root.kind === 'attribute') root = root.object;
  if (root.kind !== 'name') return null;
  const parts: string[] = [];
  for (let current: Expr = expr; current.kind === 'attribute'; current = current.object) parts.push(current.attribute);
  parts.push(root.id);
  parts.reverse();
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
