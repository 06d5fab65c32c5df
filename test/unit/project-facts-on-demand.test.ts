// A scan parses the modules that can hold a cache API use, and others only when a rule needs what they say:
// the callers of a delete helper (to know which keys are invalidated), the settings modules that import a
// CACHES module (to know whether it reaches production), the modules that assign TEMPLATES (to read a
// cached page's templates). Asking for those up front made some projects parse several times the modules
// that hold findings; these tests pin that they are read when, and only when, a finding depends on them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { workspaceOf, type Files } from '../helpers/engine.js';

/** A shop whose invalidation goes through a helper, called from modules that never name the cache. */
const shop: Files = {
  'shop/__init__.py': '',
  'shop/cache_utils.py': 'from django.core.cache import cache\n\n\ndef forget(key):\n    cache.delete(key)\n',
  'shop/signals.py': 'from .cache_utils import forget\n\n\ndef product_saved(sender, instance, **kwargs):\n    forget(f"product:{instance.pk}")\n',
  'shop/admin_actions.py': 'from .cache_utils import forget\n\n\ndef refresh(modeladmin, request, queryset):\n    for product in queryset:\n        forget(f"product:{product.pk}")\n',
  'config/__init__.py': '',
  'config/settings/__init__.py': '',
  'config/settings/base.py': 'CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://cache:6379"}}\n',
  'config/settings/production.py': 'from .base import *  # noqa\n\nDEBUG = False\nTEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": ["templates"]}]\n',
};

type Checked = Awaited<ReturnType<typeof workspaceOf>>;

/** `path:line` of each finding of `code` a whole-project check reports. */
function flaggedBy(workspace: Checked, code: string): string[] {
  return workspace
    .check()
    .filter((finding) => finding.code === code)
    .map((finding) => `${finding.path}:${finding.range.start.line + 1}`);
}

function parsedPaths(workspace: Checked): string[] {
  return workspace.python
    .parsedModules()
    .map((module) => module.path)
    .sort();
}

test('stores with a timeout, a fragment with one, no page cache: the delete helper\'s callers are not parsed', async () => {
  const workspace = await workspaceOf({
    ...shop,
    'shop/views.py': 'from django.core.cache import cache\n\n\ndef product(request, pk):\n    data = cache.get(f"product:{pk}")\n    if data is None:\n        data = {"pk": pk}\n        cache.set(f"product:{pk}", data, 300)\n    return data\n',
    'shop/templates/shop/sidebar.html': '{% load cache %}{% cache 500 sidebar %}<ul>{% for p in products %}<li>{{ p }}</li>{% endfor %}</ul>{% endcache %}\n',
  });
  assert.deepEqual(workspace.check(), []);
  // production.py assigns TEMPLATES, which the template's dialect is read from; the helper's callers are not read.
  assert.deepEqual(parsedPaths(workspace), ['config/settings/base.py', 'config/settings/production.py', 'shop/cache_utils.py', 'shop/views.py']);
});

test('a store with no timeout reads the helper callers, and a key they delete is not reported', async () => {
  const files: Files = {
    ...shop,
    'shop/views.py': 'from django.core.cache import cache\n\n\ndef product(request, pk):\n    data = cache.get(f"product:{pk}")\n    if data is None:\n        data = {"pk": pk}\n        cache.set(f"product:{pk}", data, None)\n    return data\n',
  };
  const workspace = await workspaceOf(files);
  assert.deepEqual(flaggedBy(workspace, 'CACHE001'), []);
  const parsed = parsedPaths(workspace);
  assert.ok(parsed.includes('shop/signals.py') && parsed.includes('shop/admin_actions.py'), parsed.join(', '));
  // The same store, with no helper call left: it is reported.
  const { 'shop/signals.py': _signals, 'shop/admin_actions.py': _actions, ...withoutCallers } = files;
  assert.deepEqual(flaggedBy(await workspaceOf(withoutCallers), 'CACHE001'), ['shop/views.py:8']);
});

test('TIMEOUT 0 in base settings reads the settings that import them, and is reported for production', async () => {
  const files: Files = {
    ...shop,
    'config/settings/base.py': 'CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://cache:6379", "TIMEOUT": 0}}\n',
  };
  const workspace = await workspaceOf(files);
  assert.deepEqual(flaggedBy(workspace, 'CACHE006'), ['config/settings/base.py:1']);
  assert.ok(parsedPaths(workspace).includes('config/settings/production.py'));
});

test('a cached page reads TEMPLATES: whether {{ user }} is the visitor depends on its context processors', async () => {
  const withProcessors = (processors: string): Files => ({
    ...shop,
    'config/settings/production.py': `from .base import *  # noqa\n\nTEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True, "OPTIONS": {"context_processors": [${processors}]}}]\n`,
    'shop/views.py': 'from django.shortcuts import render\nfrom django.views.decorators.cache import cache_page\n\n\n@cache_page(600)\ndef catalogue(request):\n    return render(request, "shop/catalogue.html")\n',
    'shop/templates/shop/catalogue.html': '<nav>{{ user.username }}</nav>\n',
  });
  const auth = await workspaceOf(withProcessors('"django.contrib.auth.context_processors.auth"'));
  assert.deepEqual(flaggedBy(auth, 'CACHE004'), ['shop/views.py:5']);
  assert.ok(parsedPaths(auth).includes('config/settings/production.py'));
  const debugOnly = await workspaceOf(withProcessors('"django.template.context_processors.debug"'));
  assert.deepEqual(flaggedBy(debugOnly, 'CACHE004'), []);
});
