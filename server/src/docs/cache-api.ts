/**
 * Hover documentation for the Django cache API: cache methods, qualified names, `CACHES` keys,
 * backends and the `{% cache %}` tag. Pure data and string building; no I/O.
 *
 * The texts are Cache Coach's own; the facts are Django's (Django 3.2 unless `since` says otherwise).
 */
import type { ApiDoc } from './api-doc.js';
import { ASYNC_METHOD_DOCS, SYNC_METHOD_DOCS } from './method-docs.js';
import { BACKEND_DOCS } from './backend-docs.js';
import { lessonSectionTitle } from './lesson-sections.js';
import { QUALIFIED_NAME_DOCS } from './name-docs.js';
import { SETTINGS_KEY_DOCS } from './settings-docs.js';
import {
  CACHE_TAG_DOC,
  CACHE_TAG_NAME_DOC,
  CACHE_TAG_TIMEOUT_DOC,
  CACHE_TAG_USING_DOC,
  CACHE_TAG_VARY_ON_DOC,
} from './template-tag-docs.js';

export { LESSON_SECTIONS, LESSON_SECTION_TITLES, lessonSectionTitle } from './lesson-sections.js';

export type { ApiDoc } from './api-doc.js';

const METHOD_DOCS: Readonly<Record<string, ApiDoc>> = { ...SYNC_METHOD_DOCS, ...ASYNC_METHOD_DOCS };

/** Own-property lookup, so names like "constructor" or "__proto__" never match. */
function lookup(table: Readonly<Record<string, ApiDoc>>, name: string): ApiDoc | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/** Docs for a method called on a Django cache object ('get', 'aset', ...). */
export function cacheMethodDoc(method: string): ApiDoc | undefined {
  return lookup(METHOD_DOCS, method);
}

/** Docs for a qualified Django name ('django.views.decorators.cache.cache_page', ...). */
export function qualifiedNameDoc(qualified: string): ApiDoc | undefined {
  return lookup(QUALIFIED_NAME_DOCS, qualified);
}

/** Docs for a key of a CACHES alias dict ('TIMEOUT', ...) or for 'CACHES' itself. */
export function settingsKeyDoc(key: string): ApiDoc | undefined {
  return lookup(SETTINGS_KEY_DOCS, key);
}

/** Docs for a cache backend's dotted path ('django.core.cache.backends.redis.RedisCache', ...). */
export function backendDoc(dottedPath: string): ApiDoc | undefined {
  return lookup(BACKEND_DOCS, dottedPath);
}

/**
 * Docs for the `{% cache %}` tag (null) or one of its arguments by position: 0 = timeout,
 * 1 = fragment name, 2 and later = vary-on values. Anything else gives the tag's own doc.
 */
export function cacheTagDoc(argumentIndex: number | null): ApiDoc {
  if (argumentIndex === null || !Number.isInteger(argumentIndex) || argumentIndex < 0) return CACHE_TAG_DOC;
  if (argumentIndex === 0) return CACHE_TAG_TIMEOUT_DOC;
  if (argumentIndex === 1) return CACHE_TAG_NAME_DOC;
  return CACHE_TAG_VARY_ON_DOC;
}

/** Docs for the optional trailing `using="alias"` argument of `{% cache %}` (position alone can't tell it apart). */
export function cacheTagUsingDoc(): ApiDoc {
  return CACHE_TAG_USING_DOC;
}

/**
 * Hover Markdown: the title (with "Django X+" when `since` is set), the signature in a python
 * block, the summary, the pitfall and a link to the lesson section built by `lessonLink`.
 */
export function renderHover(doc: ApiDoc, lessonLink: (section: string) => string): string {
  const heading = doc.since ? `**\`${doc.title}\`** · Django ${doc.since}+` : `**\`${doc.title}\`**`;
  const parts = [heading, '```python\n' + doc.signature + '\n```', doc.summary];
  if (doc.pitfall) parts.push(`**Pitfall:** ${doc.pitfall}`);
  parts.push(`[Lesson: ${lessonSectionTitle(doc.lessonSection)}](${lessonLink(doc.lessonSection)})`);
  return parts.join('\n\n');
}

/** Every documented name, grouped as the lookup functions take them. */
export function documentedNames(): { methods: string[]; qualifiedNames: string[]; settingsKeys: string[]; backends: string[] } {
  return {
    methods: Object.keys(METHOD_DOCS),
    qualifiedNames: Object.keys(QUALIFIED_NAME_DOCS),
    settingsKeys: Object.keys(SETTINGS_KEY_DOCS),
    backends: Object.keys(BACKEND_DOCS),
  };
}
