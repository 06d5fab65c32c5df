import { dialectOf, type TemplateSettings } from '../analysis/template/settings.js';
import type { TagBit } from '../analysis/template/lexer.js';
import type { TemplateModule, TemplateProject } from '../analysis/template/project.js';
import { isPythonWhitespace } from '../analysis/template/python-text.js';
import type { Rule } from './rule.js';
import { completeCacheBlocks, fragmentLabel, lineOf, unquoted } from './template-helpers.js';

export const cache102: Rule = {
  code: 'CACHE102',
  name: 'fragment-name-collision',
  severity: 'warning',
  span: 'the fragment name',
  fix: 'unsafe',
  crossFile: true,
  lessonSection: 'template-fragments',
  docs: {
    summary: 'Two templates (or two blocks of one template) cache different content under the same fragment name with the same number of vary-on values, so they share one cache entry.',
    why:
      'Django builds a fragment\'s key from its name and the values it varies on only; the template it sits in is not part of it. Whichever template renders first fills the entry and the other one shows that content (the wrong sidebar, another page\'s list) until it expires.',
    example: '{# catalog/category_list.html #}\n{% cache 900 sidebar %}{% for c in categories %}{{ c.name }}{% endfor %}{% endcache %}\n\n{# catalog/publisher_list.html #}\n{% cache 900 sidebar %}{% for p in publishers %}{{ p.name }}{% endfor %}{% endcache %}',
    useInstead: '{# catalog/category_list.html #}\n{% cache 900 category_sidebar %}…{% endcache %}\n\n{# catalog/publisher_list.html #}\n{% cache 900 publisher_sidebar %}…{% endcache %}',
    cannotSee:
      'Fragments compare equal when their text matches with white space collapsed; two bodies that differ in text but always render the same are still reported. Fragments stored in different aliases (different `using=` text) are taken as separate, even when `using="default"` and no `using` end up in the same cache. A project template that overrides an app template at the same name is not a collision (only one of them is ever loaded); which app template wins among several apps is not worked out. Jinja2 templates are not read.',
  },
  checkTemplate({ template, templates, settings, report }) {
    const mine = fragmentsOf(template);
    if (mine.length === 0) return;
    const index = projectIndex(templates, settings);
    for (const fragment of mine) {
      const group = index.groups.get(groupKey(fragment));
      if (!group || group.byBody.size < 2) continue;
      // Up to MAX_LISTED places that cache other content under this key; templates at this template's
      // relative name are skipped: one overrides the other, they are never both loaded.
      const clashes: string[] = [];
      let others = false;
      search: for (const [body, entries] of group.byBody) {
        if (body === fragment.body) continue;
        for (const { module, fragment: other } of entries) {
          if (module.path !== template.path && module.name === template.name) continue;
          if (clashes.length === MAX_LISTED) {
            others = true;
            break search;
          }
          clashes.push(module.path === template.path ? `line ${lineOf(template, other.nameBit.start)} of this template` : `${module.name} (line ${lineOf(module, other.nameBit.start)})`);
        }
      }
      if (clashes.length === 0) continue;
      const sameTemplate = (group.bodiesByPath.get(template.path)?.size ?? 0) > 1;
      const renamed = newName(template, fragment, sameTemplate, index.bareNames);
      report({
        span: { start: fragment.nameBit.start, end: fragment.nameBit.end },
        message: `The fragment name ${fragmentLabel(fragment.nameBit.text)} is also used for different content in ${clashes.join(', ')}${others ? ' and elsewhere' : ''}: the key is only the name and the vary-on values, so one template serves the other's content.`,
        fixes: renamed ? [{ title: `Rename the fragment to ${renamed}`, safety: 'unsafe', edits: [{ span: fragment.nameBit, newText: renamed }] }] : [],
      });
    }
  },
};

const MAX_LISTED = 3;

interface Entry {
  module: TemplateModule;
  fragment: Fragment;
}

/** Fragments that share one key space: same name text, same number of vary-on values, same alias. */
interface Group {
  byBody: Map<string, Entry[]>;
  bodiesByPath: Map<string, Set<string>>;
}

interface ProjectIndex {
  groups: Map<string, Group>;
  /** Every fragment name without quotes, for picking a new name that is not taken. */
  bareNames: Set<string>;
}

function groupKey(fragment: Fragment): string {
  return `${fragment.nameBit.text}\0${fragment.varyCount}\0${fragment.using}`;
}

/** The index of each template project, while neither its templates nor the settings change. */
const indexes = new WeakMap<TemplateProject, { revision: number; settings: TemplateSettings; index: ProjectIndex }>();

/** Every Django template's fragments, grouped: built once per check, not once per template checked. */
function projectIndex(templates: TemplateProject, settings: TemplateSettings): ProjectIndex {
  const cached = indexes.get(templates);
  if (cached && cached.revision === templates.revision && cached.settings === settings) return cached.index;
  const index = buildIndex(templates, settings);
  indexes.set(templates, { revision: templates.revision, settings, index });
  return index;
}

function buildIndex(templates: TemplateProject, settings: TemplateSettings): ProjectIndex {
  const index: ProjectIndex = { groups: new Map(), bareNames: new Set() };
  // Only a candidate can hold a {% cache %} block.
  for (const module of templates.candidateModules()) {
    if (dialectOf(module, settings) !== 'django') continue;
    for (const fragment of fragmentsOf(module)) {
      index.bareNames.add(bareName(fragment.nameBit.text));
      const key = groupKey(fragment);
      let group = index.groups.get(key);
      if (!group) index.groups.set(key, (group = { byBody: new Map(), bodiesByPath: new Map() }));
      const entries = group.byBody.get(fragment.body);
      if (entries) entries.push({ module, fragment });
      else group.byBody.set(fragment.body, [{ module, fragment }]);
      const bodies = group.bodiesByPath.get(module.path);
      if (bodies) bodies.add(fragment.body);
      else group.bodiesByPath.set(module.path, new Set([fragment.body]));
    }
  }
  return index;
}

interface Fragment {
  nameBit: TagBit;
  varyCount: number;
  using: string;
  /** Identifies the body with white space runs collapsed and the ends trimmed (a hash: see bodyKeys). */
  body: string;
}

const fragmentCache = new WeakMap<TemplateModule, Fragment[]>();

function fragmentsOf(module: TemplateModule): Fragment[] {
  let fragments = fragmentCache.get(module);
  if (!fragments) {
    const blocks = completeCacheBlocks(module);
    const bodies = bodyKeys(module.text, blocks.map(({ block }) => ({ start: block.bodyStart, end: block.bodyEnd })));
    fragments = blocks.map(({ args }, index) => ({ nameBit: args.name, varyCount: args.varyOn.length, using: args.using?.text ?? '', body: bodies[index] }));
    fragmentCache.set(module, fragments);
  }
  return fragments;
}

const PRIME = 2147483647;
const BASE = 131;
const IMUL_BASE = 257;

/** `a * b % PRIME` without leaving the range where doubles are exact. */
function mulmod(a: number, b: number): number {
  return (((a * Math.floor(b / 65536)) % PRIME) * 65536 + a * (b % 65536)) % PRIME;
}

function powmod(base: number, exponent: number): number {
  let result = 1;
  for (let factor = base; exponent > 0; exponent = Math.floor(exponent / 2), factor = mulmod(factor, factor)) {
    if (exponent % 2 === 1) result = mulmod(result, factor);
  }
  return result;
}

/** base ** exponent modulo 2^32 (as an int32). */
function powimul(base: number, exponent: number): number {
  let result = 1;
  for (let factor = base; exponent > 0; exponent = Math.floor(exponent / 2), factor = Math.imul(factor, factor)) {
    if (exponent % 2 === 1) result = Math.imul(result, factor);
  }
  return result;
}

/**
 * A key per range: equal when the ranges' texts are equal once white space runs are collapsed to one space and
 * the ends trimmed. Two polynomial hashes (mod 2^31-1 and mod 2^32) over one pass of the text, so nested blocks
 * cost no more than flat ones (copying every body would be quadratic). A hash collision could only hide a
 * collision, never invent one.
 */
function bodyKeys(text: string, ranges: { start: number; end: number }[]): string[] {
  if (ranges.length === 0) return [];
  const isSpace = (index: number): boolean => isPythonWhitespace(text.charCodeAt(index));
  // Trim: each range's ends move over the white space next to its own tags only, so this stays linear.
  const trimmed = ranges.map(({ start, end }) => {
    while (start < end && isSpace(start)) start++;
    while (end > start && isSpace(end - 1)) end--;
    return { start, end };
  });
  const wanted = [...new Set(trimmed.flatMap((range) => [range.start, range.end]))].sort((a, b) => a - b);
  const state = new Map<number, { length: number; mersenne: number; wrapped: number }>();
  let length = 0;
  let mersenne = 0;
  let wrapped = 0;
  let next = 0;
  // Hashes are relative, so the pass can start at the first place asked for.
  for (let index = wanted[0]; next < wanted.length; index++) {
    while (next < wanted.length && wanted[next] === index) state.set(wanted[next++], { length, mersenne, wrapped });
    if (index >= text.length) break;
    let code = text.charCodeAt(index);
    if (isPythonWhitespace(code)) {
      // A run of white space counts once, as one space at its first character.
      if (index > 0 && isSpace(index - 1)) continue;
      code = 32;
    }
    length++;
    mersenne = (mulmod(mersenne, BASE) + code + 1) % PRIME;
    wrapped = (Math.imul(wrapped, IMUL_BASE) + code + 1) | 0;
  }
  return trimmed.map(({ start, end }) => {
    const from = state.get(start)!;
    const to = state.get(end)!;
    const span = to.length - from.length;
    const first = (to.mersenne - mulmod(from.mersenne, powmod(BASE, span)) + PRIME) % PRIME;
    const second = (to.wrapped - Math.imul(from.wrapped, powimul(IMUL_BASE, span))) >>> 0;
    return `${span}:${first}:${second}`;
  });
}

/**
 * The name prefixed with the template's name without its extension (`shop/list.html` -> `shop_list_`), quotes
 * kept: distinct for every template that can collide (those share no relative name). A clash inside one template
 * adds the line too. A number is appended while the result is already a fragment name somewhere.
 */
function newName(template: TemplateModule, fragment: Fragment, sameTemplate: boolean, taken: ReadonlySet<string>): string | undefined {
  const name = fragment.nameBit.text;
  const inner = bareName(name);
  const quote = inner === name ? '' : name[0];
  const stem = template.name.replace(/\.[^./]*$/, '').replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (!stem) return undefined;
  const base = `${stem}_${inner}${sameTemplate ? `_${lineOf(template, fragment.nameBit.start)}` : ''}`;
  let candidate = base;
  for (let counter = 2; taken.has(candidate); counter++) candidate = `${base}_${counter}`;
  return `${quote}${candidate}${quote}`;
}

function bareName(name: string): string {
  return unquoted(name) ?? name;
}
