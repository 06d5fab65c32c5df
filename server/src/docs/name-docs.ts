/**
 * Hover docs for qualified Django names: the cache objects, the view decorators, the Vary helper,
 * the fragment-key helper and the cache middleware. Facts checked against Django 3.2's
 * `django/core/cache/__init__.py`, `views/decorators/{cache,vary}.py`, `utils/cache.py`,
 * `core/cache/utils.py` and `middleware/cache.py`, and the probes in /work/shared/probes.
 */
import type { ApiDoc } from './api-doc.js';

export const QUALIFIED_NAME_DOCS: Readonly<Record<string, ApiDoc>> = {
  'django.core.cache.cache': {
    title: 'django.core.cache.cache',
    signature: 'from django.core.cache import cache  # same as caches["default"]',
    summary:
      'The cache configured as `CACHES["default"]`. It is a light proxy that forwards every attribute access to `caches["default"]`, ' +
      'so importing it at module level is fine.',
    pitfall:
      'Without a `CACHES` setting the default is a `LocMemCache`, private to each process: what one worker stores, the others never see, and invalidation never reaches them.',
    lessonSection: 'low-level-api',
  },
  'django.core.cache.caches': {
    title: 'django.core.cache.caches',
    signature: 'from django.core.cache import caches\ncaches[alias]',
    summary:
      'Dict-like access to every alias configured in `CACHES`: `caches["sessions"]` returns that backend, created on first use and kept one instance per thread. ' +
      '`caches.all()` lists them all.',
    pitfall:
      'An alias missing from `CACHES` raises `InvalidCacheBackendError` only when the lookup runs, not at startup, so a typo surfaces on whichever code path first uses it.',
    lessonSection: 'backends',
  },
  'django.views.decorators.cache.cache_page': {
    title: 'django.views.decorators.cache.cache_page',
    signature: 'cache_page(timeout, *, cache=None, key_prefix=None)',
    summary:
      'Caches a view\'s whole response (GET and HEAD, status 200) for `timeout` seconds, keyed by the full URL, host and query string included, ' +
      'plus the request headers the response names in `Vary`. `cache=` picks the cache alias and `key_prefix=` namespaces the keys.',
    pitfall:
      'Who is asking is not part of the key: a view that reads `request.user` or the session serves the first visitor\'s page to everyone unless `@vary_on_cookie` sits below `@cache_page`. ' +
      '`cache_page(None)` is not "forever": it falls back to `CACHE_MIDDLEWARE_SECONDS` (600 s by default).',
    lessonSection: 'per-view-cache',
  },
  'django.views.decorators.cache.never_cache': {
    title: 'django.views.decorators.cache.never_cache',
    signature: 'never_cache(view_func)',
    summary:
      'Marks the view\'s responses as not cacheable: adds `Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private` and an `Expires` header set to the current time. ' +
      'Browsers, proxies and Django\'s page cache then leave the response alone.',
    pitfall:
      'It only sets headers: `cache.get()` calls and `{% cache %}` fragments inside the view still serve stored data, and placed above `@cache_page` it comes too late to stop the page being stored.',
    lessonSection: 'per-view-cache',
  },
  'django.views.decorators.cache.cache_control': {
    title: 'django.views.decorators.cache.cache_control',
    signature: 'cache_control(**kwargs)',
    summary:
      'Adds directives to the response\'s `Cache-Control` header: underscores become hyphens and `True` writes the bare directive, so `cache_control(max_age=60, private=True)` gives `max-age=60, private`. ' +
      'It tells browsers and proxies what they may keep.',
    pitfall:
      'It stores nothing on the server by itself. `public=True` or a `max_age` on a per-user page lets shared proxies and CDNs hand it to other users; mark such pages `private=True` (which Django\'s page cache also respects when it sits below `@cache_page`).',
    lessonSection: 'per-view-cache',
  },
  'django.views.decorators.vary.vary_on_cookie': {
    title: 'django.views.decorators.vary.vary_on_cookie',
    signature: 'vary_on_cookie(func)',
    summary:
      'Adds `Cookie` to the response\'s `Vary` header, so `cache_page`, the site-wide cache and HTTP caches keep a separate copy per Cookie header, in practice per session and so per user.',
    pitfall:
      'Order matters: it must sit below `@cache_page` (closer to the `def`); above it the page is stored before `Vary: Cookie` exists and still leaks between users. ' +
      'The whole Cookie header is in the key, so changing cookies (analytics, CSRF) also multiply the entries.',
    lessonSection: 'per-view-cache',
  },
  'django.views.decorators.vary.vary_on_headers': {
    title: 'django.views.decorators.vary.vary_on_headers',
    signature: 'vary_on_headers(*headers)',
    summary:
      'Adds the named request headers to the response\'s `Vary` header (names are case-insensitive), so caches keep one copy of the page per combination of their values.',
    pitfall:
      'It must sit below `@cache_page`, or the page is stored before the header exists. ' +
      'Headers with many distinct values, such as `User-Agent`, give one entry per value and a hit rate near zero.',
    lessonSection: 'per-view-cache',
  },
  'django.utils.cache.patch_vary_headers': {
    title: 'django.utils.cache.patch_vary_headers',
    signature: 'patch_vary_headers(response, newheaders)',
    summary:
      'Adds header names to a response\'s `Vary` header, keeping the ones already there and skipping duplicates case-insensitively; if `*` is among them the header becomes just `*`. ' +
      'The vary decorators call it; use it directly in views or middleware.',
    pitfall:
      'It only affects Django\'s page cache if it runs before the response is stored: in the view, or in middleware listed after `UpdateCacheMiddleware`.',
    lessonSection: 'per-view-cache',
  },
  'django.core.cache.utils.make_template_fragment_key': {
    title: 'django.core.cache.utils.make_template_fragment_key',
    signature: 'make_template_fragment_key(fragment_name, vary_on=None)',
    summary:
      'Returns the key under which `{% cache %}` stores a fragment: `template.cache.<fragment_name>.<md5 of the vary-on values>`. ' +
      'Delete that key to invalidate the fragment when its data changes.',
    pitfall:
      '`fragment_name` must be written exactly as in the tag, quotes included (`{% cache 500 "nav" %}` needs `\'"nav"\'`), and `vary_on` must list the same values in the same order. ' +
      'Delete from the cache the tag uses: `caches["template_fragments"]` if that alias exists, otherwise the default.',
    lessonSection: 'template-fragments',
  },
  'django.middleware.cache.UpdateCacheMiddleware': {
    title: 'django.middleware.cache.UpdateCacheMiddleware',
    signature: 'UpdateCacheMiddleware(get_response)',
    summary:
      'Response half of the site-wide cache: stores 200 responses to GET and HEAD requests in the `CACHE_MIDDLEWARE_ALIAS` cache for `CACHE_MIDDLEWARE_SECONDS` (600 s by default, or the response\'s `max-age`). ' +
      'It skips responses marked `Cache-Control: private` and those that set a cookie while varying on `Cookie`.',
    pitfall:
      'It must be the first entry in `MIDDLEWARE`: listed after `SessionMiddleware`, it stores the page before `Vary: Cookie` is added, and one user\'s page is served to the next.',
    lessonSection: 'site-cache',
  },
  'django.middleware.cache.FetchFromCacheMiddleware': {
    title: 'django.middleware.cache.FetchFromCacheMiddleware',
    signature: 'FetchFromCacheMiddleware(get_response)',
    summary:
      'Request half of the site-wide cache: for GET and HEAD requests it looks the page up (by URL, `CACHE_MIDDLEWARE_KEY_PREFIX` and the remembered `Vary` headers) and on a hit returns it without running the view.',
    pitfall:
      'It must be the last entry in `MIDDLEWARE`: middleware listed after it does not run on a hit, and middleware that affects the key, such as `LocaleMiddleware`, must come before it.',
    lessonSection: 'site-cache',
  },
  'django.middleware.cache.CacheMiddleware': {
    title: 'django.middleware.cache.CacheMiddleware',
    signature: 'CacheMiddleware(get_response, cache_timeout=None, page_timeout=None, **kwargs)',
    summary:
      'Both halves of the page cache in one class; `cache_page` wraps it around a single view. As a `MIDDLEWARE` entry it only suits simple sites.',
    pitfall:
      'One entry cannot be both first and last in `MIDDLEWARE`, so with session, auth or locale middleware use the two-part `UpdateCacheMiddleware` (first) and `FetchFromCacheMiddleware` (last) instead.',
    lessonSection: 'site-cache',
  },
};
