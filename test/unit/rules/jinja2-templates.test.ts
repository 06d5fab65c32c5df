// Jinja2 templates follow Jinja2's rules: the Django-template rules never fire on them. Which files are
// Jinja2 is decided from the project's TEMPLATES (django-jinja's match_extension / match_regex /
// app_dirname, Django's Jinja2 backend) and from syntax only Jinja2 has; when unsure, the rules stay quiet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, py, workspaceOf } from '../../helpers/engine.js';
import { labels } from './support.js';

/** A django-jinja {% cache %} block: a quoted name and no {% load %}, correct in Jinja2, two findings in Django. */
const JINJA_FRAGMENT = '<aside>\n{% cache 600 "sidebar" %}{{ categories|length }}{% endcache %}\n</aside>\n';

function settingsWith(backends: string): string {
  return py`
    TEMPLATES = [
    ${backends}
    ]
  `;
}

const DJANGO_BACKEND = `    {"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True, "OPTIONS": {}},`;

async function templateCodes(files: Record<string, string>): Promise<string[]> {
  return labels(await findingsOf(files)).filter((label) => /CACHE1\d\d$/.test(label));
}

test('django-jinja matching .html in app templates/ folders: its templates are Jinja2, no CACHE103/CACHE105', async () => {
  const files = {
    'config/settings.py': settingsWith(`    {"BACKEND": "django_jinja.backend.Jinja2", "APP_DIRS": True, "OPTIONS": {"match_extension": ".html"}},\n${DJANGO_BACKEND}`),
    'shop/__init__.py': '',
    'shop/templates/shop/list.html': JINJA_FRAGMENT,
  };
  assert.deepEqual(await templateCodes(files), []);
});

test("django-jinja with its default match_extension (.jinja): an .html file is still Django's, and is checked", async () => {
  const files = {
    'config/settings.py': settingsWith(`    {"BACKEND": "django_jinja.backend.Jinja2", "APP_DIRS": True, "OPTIONS": {}},\n${DJANGO_BACKEND}`),
    'shop/__init__.py': '',
    'shop/templates/shop/list.html': JINJA_FRAGMENT,
    'shop/templates/shop/menu.jinja': JINJA_FRAGMENT,
  };
  assert.deepEqual(await templateCodes(files), ['shop/templates/shop/list.html:2 CACHE103', 'shop/templates/shop/list.html:2 CACHE105']);
});

test('a match_regex we cannot evaluate makes a template unsure: quiet', async () => {
  const files = {
    'config/settings.py': py`
      import re

      TEMPLATES = [
          {
              "BACKEND": "django_jinja.backend.Jinja2",
              "APP_DIRS": True,
              "OPTIONS": {"match_extension": "", "match_regex": re.compile(r"^(?!admin/).*\\.html$")},
          },
          {"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True},
      ]
    `,
    'shop/__init__.py': '',
    'shop/templates/shop/list.html': JINJA_FRAGMENT,
  };
  assert.deepEqual(await templateCodes(files), []);
});

test('syntax only Jinja2 has ({%- -%}, {% set %}, calls in {{ }}) marks a template as Jinja2 without any settings', async () => {
  const files = {
    'shop/__init__.py': '',
    'shop/templates/shop/a.html': '{%- set title = "Books" -%}\n' + JINJA_FRAGMENT,
    'shop/templates/shop/b.html': '<a href="{{ url(\'home\') }}">Home</a>\n' + JINJA_FRAGMENT,
  };
  assert.deepEqual(await templateCodes(files), []);
});

test('a Django template with {% load %} stays Django even where a Jinja2 backend could load it', async () => {
  const files = {
    'config/settings.py': settingsWith(`    {"BACKEND": "django_jinja.backend.Jinja2", "APP_DIRS": True, "OPTIONS": {"match_extension": ".html"}},\n${DJANGO_BACKEND}`),
    'shop/__init__.py': '',
    'shop/templates/shop/list.html': '{% load static %}\n{% cache 600 "sidebar" %}x{% endcache %}\n',
  };
  assert.deepEqual(await templateCodes(files), ['shop/templates/shop/list.html:2 CACHE103', 'shop/templates/shop/list.html:2 CACHE105']);
});

test("templates under jinja2/ (Django's Jinja2 backend) are never read as Django templates", async () => {
  const files = {
    'shop/__init__.py': '',
    'shop/jinja2/shop/list.html': JINJA_FRAGMENT,
  };
  assert.deepEqual(await templateCodes(files), []);
});

test("CACHE012: a cached view whose Jinja2 template renders {{ csrf_input }} is flagged", async () => {
  const files = {
    'shop/__init__.py': '',
    'shop/views.py': py`
      from django.shortcuts import render
      from django.views.decorators.cache import cache_page

      @cache_page(60)
      def contact(request):
          return render(request, "shop/contact.html")
    `,
    'shop/jinja2/shop/contact.html': '<form method="post">{{ csrf_input }}<button>Send</button></form>\n',
  };
  assert.deepEqual(labels(await findingsOf(files)).filter((label) => label.endsWith('CACHE012')), ['shop/views.py:4 CACHE012']);
});

test('CACHE012 is quiet when vary_on_cookie is below cache_page: each visitor gets the token of their own cookie', async () => {
  const files = {
    'shop/__init__.py': '',
    'shop/views.py': py`
      from django.shortcuts import render
      from django.views.decorators.cache import cache_page
      from django.views.decorators.vary import vary_on_cookie

      @cache_page(60)
      @vary_on_cookie
      def contact(request):
          return render(request, "shop/contact.html")
    `,
    'shop/templates/shop/contact.html': '<form method="post">{% csrf_token %}<button>Send</button></form>\n',
  };
  assert.deepEqual(labels(await findingsOf(files)), []);
});

test('a change to TEMPLATES is seen at once; a change elsewhere keeps the settings read before', async () => {
  const files: Record<string, string> = {
    'config/settings.py': settingsWith(DJANGO_BACKEND),
    'shop/__init__.py': '',
    'shop/views.py': 'from django.core.cache import cache\n',
    'shop/templates/shop/list.html': JINJA_FRAGMENT,
  };
  const workspace = await workspaceOf(files);
  const templateCodesNow = () => labels(workspace.check()).filter((label) => /CACHE1\d\d$/.test(label));
  assert.equal(templateCodesNow().length, 2, 'Django reads the template: CACHE103 and CACHE105');
  workspace.update('shop/views.py', 'from django.core.cache import cache\nTIMEOUT = 5\n');
  assert.equal(templateCodesNow().length, 2);
  workspace.update('config/settings.py', settingsWith(`    {"BACKEND": "django_jinja.backend.Jinja2", "APP_DIRS": True, "OPTIONS": {"match_extension": ".html"}},\n${DJANGO_BACKEND}`));
  assert.deepEqual(templateCodesNow(), []);
});
