/**
 * What the template rules (CACHE101–CACHE106) share: the arguments of a `{% cache %}` tag as
 * Django's `do_cache` reads them, and the variables a template refers to, with the names that
 * `{% for %}`, `{% with %}` and `as` bind at each point.
 */
import type { CacheBlock, TagBit, TemplateTag } from '../analysis/template/lexer.js';
import type { TemplateModule, TemplateProject } from '../analysis/template/project.js';
import { isPythonWhitespace } from '../analysis/template/python-text.js';

// ---------------------------------------------------------------------------------------------
// {% cache timeout name [vary_on ...] [using="alias"] %}
// ---------------------------------------------------------------------------------------------

export interface CacheTagArguments {
  timeout: TagBit;
  /** Taken verbatim by Django (never resolved, quotes kept). */
  name: TagBit;
  varyOn: TagBit[];
  using?: TagBit;
}

/** The arguments as Django's `do_cache` splits them; undefined when Django would refuse the tag (< 2 arguments). */
export function cacheTagArguments(tag: TemplateTag): CacheTagArguments | undefined {
  const bits = tag.bits;
  if (bits.length < 3) return undefined;
  const using = bits.length > 3 && bits[bits.length - 1].text.startsWith('using=') ? bits[bits.length - 1] : undefined;
  return { timeout: bits[1], name: bits[2], varyOn: bits.slice(3, using ? -1 : undefined), using };
}

/** The `{% cache %}` blocks that have their `{% endcache %}` and well-formed arguments: what Django compiles. */
export function completeCacheBlocks(template: TemplateModule): { block: CacheBlock; args: CacheTagArguments }[] {
  return template.outline.cacheBlocks.flatMap((block) => {
    const args = block.close ? cacheTagArguments(block.open) : undefined;
    return args ? [{ block, args }] : [];
  });
}

export function isInsideBody(block: CacheBlock, offset: number): boolean {
  return offset >= block.bodyStart && offset < block.bodyEnd;
}

/** `"sidebar"` or `'sidebar'`: the inner text, else undefined. */
export function unquoted(text: string): string | undefined {
  const match = /^(["'])([\s\S]*)\1$/.exec(text);
  return match && text.length >= 2 ? match[2] : undefined;
}

// ---------------------------------------------------------------------------------------------
// Variable references
// ---------------------------------------------------------------------------------------------

export interface VariableReference {
  /** `user.profile.name` -> ['user', 'profile', 'name']. */
  segments: string[];
  start: number;
  end: number;
  /** Whether its first segment is bound inside the template at this point (`{% for user in … %}`, `{% with user=… %}`, `as user`). */
  shadowed: boolean;
}

/** A quote (a string to skip) or a run of `[\w.]+` (Django's `var_chars`). */
const QUOTE_OR_WORD = /["']|[\p{L}\p{N}_.]+/gu;

interface WordRun {
  text: string;
  start: number;
  end: number;
  /** The character before the run, spaces skipped ('' at the start). */
  before: string;
  /** The characters after the run, spaces skipped ('' at the end). */
  after: string;
}

/** The word runs of a filter expression or tag argument, skipping quoted strings. */
function wordRuns(text: string, offset: number): WordRun[] {
  const runs: WordRun[] = [];
  QUOTE_OR_WORD.lastIndex = 0;
  for (let match = QUOTE_OR_WORD.exec(text); match; match = QUOTE_OR_WORD.exec(text)) {
    const index = match.index;
    if (match[0] === '"' || match[0] === "'") {
      QUOTE_OR_WORD.lastIndex = skipString(text, index);
      continue;
    }
    const end = index + match[0].length;
    // Only the white space between runs is skipped, so finding the neighbours stays linear overall.
    let before = index;
    while (before > 0 && isPythonWhitespace(text.charCodeAt(before - 1))) before--;
    let after = end;
    while (after < text.length && isPythonWhitespace(text.charCodeAt(after))) after++;
    runs.push({ text: match[0], start: offset + index, end: offset + end, before: before > 0 ? text[before - 1] : '', after: text.slice(after, after + 2) });
  }
  return runs;
}

function skipString(text: string, open: number): number {
  const quote = text[open];
  let index = open + 1;
  while (index < text.length && text[index] !== quote) index += text[index] === '\\' ? 2 : 1;
  return index + 1;
}

/** The variables a piece of a tag or `{{ }}` refers to (not filter names, numbers, `_()` or keyword names). */
function referencesIn(text: string, offset: number): { segments: string[]; start: number; end: number }[] {
  return wordRuns(text, offset).flatMap((run) => {
    if (run.before === '|') return []; // a filter name
    if (/^[\p{N}.]/u.test(run.text)) return []; // a number (or nonsense Django refuses)
    if (run.after.startsWith('(')) return []; // `_("…")`
    if (run.after.startsWith('=') && !run.after.startsWith('==')) return []; // `name=` of with/include/blocktrans
    return [{ segments: run.text.split('.'), start: run.start, end: run.end }];
  });
}

/** Tags whose arguments are not variables (names, library names, filter names, literal words). */
const NOT_VARIABLES = new Set([
  'load', 'block', 'endblock', 'comment', 'endcomment', 'cache', 'endcache', 'filter', 'templatetag', 'autoescape',
  'spaceless', 'verbatim', 'csrf_token', 'lorem', 'now', 'resetcycle', 'debug', 'endif', 'endfor', 'endwith',
  'endblocktrans', 'endblocktranslate', 'endifchanged', 'endspaceless', 'endautoescape', 'endfilter', 'else', 'empty',
]);

/** Tags that open a context level and the tag that closes it. */
const SCOPES: Record<string, string> = { for: 'endfor', with: 'endwith', block: 'endblock', blocktrans: 'endblocktrans', blocktranslate: 'endblocktranslate' };

interface Frame {
  closer: string;
  names: Set<string>;
}

const referenceCache = new WeakMap<TemplateModule, VariableReference[]>();

/** Every variable reference of the template in `{{ }}` and in tag arguments, in source order, with shadowing resolved. */
export function variableReferences(template: TemplateModule): VariableReference[] {
  const cached = referenceCache.get(template);
  if (cached) return cached;
  const frames: Frame[] = [{ closer: '', names: new Set() }];
  // How many open frames bind each name (a count, so a lookup does not walk the frames).
  const bindings = new Map<string, number>();
  const bind = (frame: Frame, name: string): void => {
    if (frame.names.has(name)) return;
    frame.names.add(name);
    bindings.set(name, (bindings.get(name) ?? 0) + 1);
  };
  const unbindAll = (frame: Frame): void => {
    for (const name of frame.names) bindings.set(name, bindings.get(name)! - 1);
    frame.names.clear();
  };
  const isBound = (name: string): boolean => (bindings.get(name) ?? 0) > 0;
  // Open frames per closing tag: a stray `{% endfor %}` is dismissed without walking the stack.
  const open = new Map<string, number>();
  const push = (frame: Frame): Frame => {
    frames.push(frame);
    open.set(frame.closer, (open.get(frame.closer) ?? 0) + 1);
    return frame;
  };
  const pop = (): void => {
    const frame = frames.pop()!;
    open.set(frame.closer, open.get(frame.closer)! - 1);
    unbindAll(frame);
  };
  const references: VariableReference[] = [];
  const add = (found: { segments: string[]; start: number; end: number }[]): void => {
    for (const reference of found) references.push({ ...reference, shadowed: isBound(reference.segments[0]) });
  };
  const items: ({ kind: 'tag'; tag: TemplateTag; start: number } | { kind: 'variable'; text: string; start: number })[] = [
    ...template.outline.tags.map((tag) => ({ kind: 'tag' as const, tag, start: tag.token.start })),
    ...template.outline.variables.map((variable) => ({ kind: 'variable' as const, text: variable.expression, start: variable.start })),
  ].sort((a, b) => a.start - b.start);

  for (const item of items) {
    if (item.kind === 'variable') {
      add(referencesIn(item.text, item.start));
      continue;
    }
    const { tag } = item;
    const args = tag.bits.slice(1);
    const closer = SCOPES[tag.name];
    if ((open.get(tag.name) ?? 0) > 0) {
      // Pops what it walks past too (tags left open while typing), so each frame is walked once.
      while (frames[frames.length - 1].closer !== tag.name) pop();
      pop();
      continue;
    }
    if (tag.name === 'empty' && frames[frames.length - 1].closer === 'endfor') {
      // `{% empty %}` runs when the loop did not: its variables are not bound there.
      unbindAll(frames[frames.length - 1]);
      continue;
    }
    if (NOT_VARIABLES.has(tag.name)) {
      if (closer) push({ closer, names: new Set() });
      continue;
    }
    const bound = new Set<string>();
    const scanned: TagBit[] = [];
    let index = 0;
    if (tag.name === 'for') {
      // {% for a, b in items reversed %}
      const inAt = args.findIndex((bit) => bit.text === 'in');
      for (const bit of args.slice(0, Math.max(inAt, 0))) for (const name of bit.text.split(',')) if (name.trim()) bound.add(name.trim());
      index = inAt + 1;
    }
    for (; index < args.length; index++) {
      const bit = args[index];
      if ((bit.text === 'as' || bit.text === 'asvar') && args[index + 1]) {
        bound.add(args[++index].text);
        continue;
      }
      if (tag.name === 'regroup' && bit.text === 'by') {
        index++; // the attribute to group by is not a variable
        continue;
      }
      const assignment = /^([\p{L}\p{N}_]+)=(?!=)/u.exec(bit.text);
      if (assignment && (tag.name === 'with' || tag.name === 'blocktrans' || tag.name === 'blocktranslate')) bound.add(assignment[1]);
      scanned.push(bit);
    }
    for (const bit of scanned) add(referencesIn(bit.text, bit.start));
    let frame = frames[frames.length - 1];
    if (closer) frame = push({ closer, names: new Set() });
    for (const name of bound) bind(frame, name);
  }
  referenceCache.set(template, references);
  return references;
}

/** Whether `offset` is inside the body of any of the blocks, for many offsets: blocks merged into sorted ranges. */
export function bodyCoverage(blocks: CacheBlock[]): (offset: number) => boolean {
  const ranges = blocks.map((block) => ({ start: block.bodyStart, end: block.bodyEnd })).sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const range of ranges) {
    const last = merged[merged.length - 1];
    if (last && range.start <= last.end) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return (offset) => {
    let low = 0;
    let high = merged.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (offset < merged[mid].start) high = mid - 1;
      else if (offset >= merged[mid].end) low = mid + 1;
      else return true;
    }
    return false;
  };
}

/** Index of the first item whose `start` is at or after `offset`, in a list sorted by `start`. */
export function firstAtOrAfter(items: { start: number }[], offset: number): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (items[mid].start < offset) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The variables of one `{% cache %}` argument (a filter expression). */
export function argumentReferences(bit: TagBit): { segments: string[] }[] {
  return referencesIn(bit.text, bit.start);
}

// ---------------------------------------------------------------------------------------------
// The current user's data
// ---------------------------------------------------------------------------------------------

/** `user…`, `request.user…`, `request.session…`, `perms…`, `messages…`, or a configured name. */
export function isCurrentUserData(segments: string[], extra: string[][]): boolean {
  const [root, second] = segments;
  if (root === 'user' || root === 'perms' || root === 'messages') return true;
  if (root === 'request' && (second === 'user' || second === 'session')) return true;
  return extra.some((names) => names.every((name, index) => segments[index] === name));
}

/** A vary-on value that separates users: user data itself, a session or cookie value, or any name containing "user". */
export function namesTheUser(segments: string[], extra: string[][]): boolean {
  if (isCurrentUserData(segments, extra)) return true;
  if (segments[0] === 'request' && segments[1] === 'COOKIES') return true;
  return /user/i.test(segments[0]);
}

/** Bodies of the `{% cache %}` blocks whose key varies on nothing that names the user. */
export function sharedFragmentBodies(template: TemplateModule, extra: string[][] = []): (offset: number) => boolean {
  const shared = completeCacheBlocks(template).filter(({ args }) => !args.varyOn.some((bit) => argumentReferences(bit).some((reference) => namesTheUser(reference.segments, extra))));
  return bodyCoverage(shared.map(({ block }) => block));
}

// ---------------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------------

/** A fragment name for a message: `"sidebar"` for sidebar, a quoted name as written. */
export function fragmentLabel(name: string): string {
  return unquoted(name) === undefined ? `"${name}"` : name;
}

/** A Python string literal for a message, quoted the way Python's repr() would. */
export function pythonString(text: string): string {
  return text.includes("'") && !text.includes('"') ? `"${text}"` : `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** 1-based line of an offset, for messages. */
export function lineOf(template: TemplateModule, offset: number): number {
  return template.lines.positionAt(offset).line + 1;
}

// ---------------------------------------------------------------------------------------------
// {% include %} inside a block
// ---------------------------------------------------------------------------------------------

export interface IncludedTemplate {
  /** The `{% include %}` tag in the checked template that brings it in. */
  tag: TemplateTag;
  template: TemplateModule;
}

const MAX_INCLUDED = 40;

/**
 * Templates a block's body brings in through `{% include "literal" %}`, nested includes followed, in
 * order. An include that passes `only`, or binds one of `rebinds` with `with`, is not followed: the
 * included template then sees other variables under those names.
 */
export function includedInBlock(template: TemplateModule, block: CacheBlock, templates: TemplateProject, rebinds: readonly string[] = []): IncludedTemplate[] {
  const found: IncludedTemplate[] = [];
  const seen = new Set<string>([template.path]);
  const follow = (tags: TemplateTag[], origin: TemplateTag | undefined): void => {
    for (const tag of tags) {
      if (found.length >= MAX_INCLUDED) return;
      const name = unquoted(tag.bits[1]?.text ?? '');
      if (name === undefined || passesOtherNames(tag, rebinds)) continue;
      const included = templates.byName(name)[0];
      if (!included || seen.has(included.path)) continue;
      seen.add(included.path);
      found.push({ tag: origin ?? tag, template: included });
      follow(included.outline.includes, origin ?? tag);
    }
  };
  follow(template.outline.includes.filter((tag) => isInsideBody(block, tag.token.start)), undefined);
  return found;
}

function passesOtherNames(tag: TemplateTag, rebinds: readonly string[]): boolean {
  const args = tag.bits.slice(2).map((bit) => bit.text);
  if (args.includes('only')) return true;
  return args.some((arg) => rebinds.some((name) => arg.startsWith(`${name}=`)));
}
