/**
 * Hover docs for the `{% cache %}` template tag and its arguments. Checked against Django 3.2's
 * `templatetags/cache.py` and `core/cache/utils.py`, and /work/shared/probes/template_fragments.py.
 */
import type { ApiDoc } from './api-doc.js';

const TAG = '{% cache timeout fragment_name [vary_on ...] [using="alias"] %} ... {% endcache %}';

export const CACHE_TAG_DOC: ApiDoc = {
  title: '{% cache %}',
  signature: `{% load cache %}\n${TAG}`,
  summary:
    'Caches the rendered content between `{% cache %}` and `{% endcache %}` for `timeout` seconds; the template needs `{% load cache %}`. ' +
    'The entry goes to the `template_fragments` cache alias if one is configured, otherwise to `default` (or to the alias named with `using=`).',
  pitfall:
    'Only the fragment name and the vary-on values make up the key, not the template, the URL or the user: two templates reusing a name share one entry, ' +
    'per-user content needs a vary-on value such as `request.user.pk`, and a `{% csrf_token %}` inside is served to everyone.',
  lessonSection: 'template-fragments',
};

export const CACHE_TAG_TIMEOUT_DOC: ApiDoc = {
  title: '{% cache %} timeout',
  signature: TAG,
  summary:
    'First argument: how many seconds the fragment is kept, as a number or a template variable that resolves to one. `None` keeps it until it is evicted or deleted.',
  pitfall:
    '`0` is not "forever": the fragment expires at once and is re-rendered on every request. ' +
    'A value that does not resolve to an integer raises `TemplateSyntaxError` when the template renders.',
  lessonSection: 'template-fragments',
};

export const CACHE_TAG_NAME_DOC: ApiDoc = {
  title: '{% cache %} fragment name',
  signature: TAG,
  summary:
    'Second argument: the fragment\'s name, taken verbatim. It is never resolved as a variable and quotes stay part of it, so `"sidebar"` and `sidebar` are different names.',
  pitfall:
    'To invalidate, pass exactly this text to `make_template_fragment_key` (`make_template_fragment_key(\'"sidebar"\')` for a quoted name); ' +
    'the same name in another template shares the same entry.',
  lessonSection: 'template-fragments',
};

export const CACHE_TAG_VARY_ON_DOC: ApiDoc = {
  title: '{% cache %} vary-on value',
  signature: TAG,
  summary:
    'Third and later arguments: variables (or literals) whose values go into the key, so each combination gets its own copy, e.g. `request.user.pk` for a per-user fragment. ' +
    'Each value is converted with `str()` and the list is hashed.',
  pitfall:
    'To delete one copy, pass the same values in the same order: `cache.delete(make_template_fragment_key("sidebar", [user.pk]))`. ' +
    'Values whose `str()` is not unique share one entry.',
  lessonSection: 'template-fragments',
};

export const CACHE_TAG_USING_DOC: ApiDoc = {
  title: '{% cache %} using=',
  signature: TAG,
  summary:
    'Optional last argument: stores the fragment in the named cache alias instead of `template_fragments` or `default`.',
  pitfall:
    'An alias that is not in `CACHES` raises `TemplateSyntaxError` when the template renders, and invalidation must go to the same alias.',
  lessonSection: 'template-fragments',
};
