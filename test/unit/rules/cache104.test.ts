import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, flagged, spans } from '../../helpers/engine.js';
import { pythonSyntaxError } from '../../helpers/python.js';
import { allFindings } from './support.js';
import { assertTemplateFixIsClean, of } from './template-support.js';

const CODE = 'CACHE104';
const PAGE = 'shop/templates/shop/page.html';

function app(body: string, python: Record<string, string> = {}): Record<string, string> {
  return { 'shop/__init__.py': '', [PAGE]: body, ...python };
}

const FOREVER = '{% load cache %}\n<footer>{% cache None footer_links %}{% for l in links %}{{ l }}{% endfor %}{% endcache %}</footer>\n';

const SIGNALS = (body: string): Record<string, string> => ({
  'shop/signals.py': [
    'from django.core.cache import cache, caches',
    'from django.core.cache.utils import make_template_fragment_key',
    '',
    'FOOTER = "footer_links"',
    '',
    '',
    body,
    '',
  ].join('\n'),
});

// ---- flagged ----

test('{% cache None name %} that nothing deletes is flagged; the span is the timeout', async () => {
  const files = app(FOREVER);
  assert.deepEqual(await flagged(CODE, files), [`${PAGE}:2`]);
  assert.deepEqual(await spans(CODE, files), ['None']);
  const [finding] = (await findingsOf(files)).filter((f) => f.code === CODE);
  assert.match(finding.message, /make_template_fragment_key\('footer_links'\)/);
});

test('a key built but never deleted, or a delete of another fragment, does not count', async () => {
  const built = app(FOREVER, SIGNALS('def peek():\n    return cache.get(make_template_fragment_key("footer_links"))\n'));
  assert.deepEqual(await flagged(CODE, built), [`${PAGE}:2`]);
  const other = app(FOREVER, SIGNALS('def forget():\n    cache.delete(make_template_fragment_key("header_links"))\n'));
  assert.deepEqual(await flagged(CODE, other), [`${PAGE}:2`]);
});

// ---- quiet ----

test('a delete of make_template_fragment_key("name", …) anywhere in the Python code makes it quiet', async () => {
  const bodies = [
    'def forget():\n    cache.delete(make_template_fragment_key("footer_links"))',
    'def forget(pk):\n    caches["default"].delete(make_template_fragment_key("footer_links", [pk]))',
    'def forget():\n    key = make_template_fragment_key(FOOTER)\n    cache.delete_many([key])',
  ];
  for (const body of bodies) {
    const files = app(FOREVER, SIGNALS(body));
    assert.equal(pythonSyntaxError(files['shop/signals.py']), null);
    assert.deepEqual(await flagged(CODE, files), [], body);
  }
});

test('finite timeouts, timeouts held in variables and unfinished tags are quiet', async () => {
  const files = app('{% load cache %}{% cache 600 a %}x{% endcache %}{% cache timeout b %}y{% endcache %}{% cache None %}{% endcache %}');
  assert.deepEqual(await flagged(CODE, files), []);
});

test('a quoted name deleted without its quotes is CACHE105\'s finding; deleted with its quotes, both are quiet', async () => {
  const quoted = '{% load cache %}{% cache None "footer_links" %}x{% endcache %}';
  const unquotedDelete = app(quoted, SIGNALS('def forget():\n    cache.delete(make_template_fragment_key("footer_links"))'));
  assert.deepEqual(await allFindings(unquotedDelete), [`${PAGE}:1 CACHE105`]);
  const quotedDelete = app(quoted, SIGNALS('def forget():\n    cache.delete(make_template_fragment_key(\'"footer_links"\'))'));
  assert.deepEqual(await allFindings(quotedDelete), []);
  assert.deepEqual(await allFindings(app(quoted)), [`${PAGE}:1 CACHE104`, `${PAGE}:1 CACHE105`]);
});

test('{# noqa: CACHE104 #} on the tag line suppresses it', async () => {
  assert.deepEqual(await allFindings(app('{% load cache %}{% cache None a %}{# noqa: CACHE104 #}x{% endcache %}')), []);
});

// ---- the fix ----

test('the fix writes the default timeout; it compiles and is quiet', async () => {
  const files = app(FOREVER);
  const [finding] = (await findingsOf(files)).filter((f) => f.code === CODE);
  assert.deepEqual(finding.fixes.map((fix) => [fix.title, fix.safety]), [['Expire after 300 seconds', 'unsafe']]);
  const text = await assertTemplateFixIsClean(CODE, files, PAGE);
  assert.equal(text, FOREVER.replace('None', '300'));
});

test('the fix uses the configured default-timeout', async () => {
  const files = app(FOREVER);
  const text = await assertTemplateFixIsClean(CODE, files, PAGE, { config: { defaultTimeout: 900 } });
  assert.equal(text, FOREVER.replace('None', '900'));
  assert.deepEqual(of(CODE, await findingsOf({ ...files, [PAGE]: text })), []);
});

// ---- invalidation through helpers, delete_many and overwrites ----

test('a helper deleting make_template_fragment_key(name, args) built from its parameters counts where it is called with the name', async () => {
  const helpers = {
    'shop/fragments.py': 'from django.core.cache import cache\nfrom django.core.cache.utils import make_template_fragment_key\n\n\ndef forget_fragment(name, *vary_on):\n    cache.delete(make_template_fragment_key(name, vary_on))\n',
  };
  const caller = (name: string): Record<string, string> => ({
    'shop/signals.py': `from django.db.models.signals import post_save\nfrom django.dispatch import receiver\n\nfrom .fragments import forget_fragment\n\n\n@receiver(post_save)\ndef links_changed(sender, **kwargs):\n    forget_fragment("${name}")\n`,
  });
  assert.deepEqual(await flagged(CODE, app(FOREVER, { ...helpers, ...caller('footer_links') })), []);
  assert.deepEqual(await flagged(CODE, app(FOREVER, { ...helpers, ...caller('header_links') })), [`${PAGE}:2`]);
  assert.deepEqual(await flagged(CODE, app(FOREVER, helpers)), [`${PAGE}:2`], 'a helper nobody calls invalidates nothing');
});

test('a helper returning the key counts only where the caller deletes it', async () => {
  const helpers = {
    'shop/fragments.py': 'from django.core.cache.utils import make_template_fragment_key\n\n\ndef fragment_key(name, *vary_on):\n    return make_template_fragment_key(name, vary_on)\n',
  };
  const deleting = { 'shop/signals.py': 'from django.core.cache import cache\n\nfrom .fragments import fragment_key\n\n\ndef links_changed():\n    cache.delete(fragment_key("footer_links"))\n' };
  const reading = { 'shop/views.py': 'from django.core.cache import cache\n\nfrom .fragments import fragment_key\n\n\ndef has_footer():\n    return cache.get(fragment_key("footer_links")) is not None\n' };
  assert.deepEqual(await flagged(CODE, app(FOREVER, { ...helpers, ...deleting })), []);
  assert.deepEqual(await flagged(CODE, app(FOREVER, { ...helpers, ...reading })), [`${PAGE}:2`]);
});

test('delete_many of fragment keys, and an overwrite with set(), count', async () => {
  const deleteMany = SIGNALS('def forget():\n    cache.delete_many([make_template_fragment_key("header"), make_template_fragment_key(FOOTER)])');
  assert.deepEqual(await flagged(CODE, app(FOREVER, deleteMany)), []);
  const overwrite = SIGNALS('def rebuild(html):\n    cache.set(make_template_fragment_key(FOOTER), html, None)');
  assert.deepEqual(await flagged(CODE, app(FOREVER, overwrite)), []);
});

test('a helper that returns one fragment\'s key (the name fixed inside it) counts where a caller deletes or overwrites with it, not where one only reads', async () => {
  const page = '{% load cache %}\n{% cache None product_card product.pk LANGUAGE_CODE using="fragments" %}{{ product.name }}{% endcache %}\n';
  const keys = {
    'shop/keys.py': 'from django.core.cache.utils import make_template_fragment_key\n\n\ndef product_card_key(product_id, language):\n    return make_template_fragment_key("product_card", [product_id, language])\n',
  };
  const deleting = {
    'shop/signals.py': 'from django.core.cache import caches\n\nfrom .keys import product_card_key\n\n\ndef product_saved(sender, instance, **kwargs):\n    for language in ("en", "de"):\n        caches["fragments"].delete(product_card_key(instance.pk, language))\n',
  };
  const reading = {
    'shop/views.py': 'from django.core.cache import caches\n\nfrom .keys import product_card_key\n\n\ndef card_is_cached(product):\n    return caches["fragments"].get(product_card_key(product.pk, "en")) is not None\n',
  };
  for (const files of [keys, deleting, reading]) for (const [path, text] of Object.entries(files)) assert.equal(pythonSyntaxError(text), null, path);
  assert.deepEqual(await flagged(CODE, app(page, { ...keys, ...deleting })), []);
  assert.deepEqual(await flagged(CODE, app(page, { ...keys, ...reading })), [`${PAGE}:2`]);
  assert.deepEqual(await flagged(CODE, app(page, keys)), [`${PAGE}:2`], 'a key builder nobody deletes with invalidates nothing');
});
