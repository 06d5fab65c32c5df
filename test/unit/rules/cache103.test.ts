import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, flagged, py, spans } from '../../helpers/engine.js';
import { djangoTemplateError } from '../../helpers/django-template.js';
import { allFindings } from './support.js';
import { assertTemplateFixIsClean, tpl } from './template-support.js';

const CODE = 'CACHE103';
const PAGE = 'shop/templates/shop/page.html';
const BASE = { 'base.html': '{% block content %}{% endblock %}' };

function app(body: string, extra: Record<string, string> = {}): Record<string, string> {
  return { 'shop/__init__.py': '', [PAGE]: body, ...extra };
}

// ---- flagged ----

test('{% cache %} without {% load cache %} is an error on the first cache tag only', async () => {
  const files = app(tpl`
    <aside>
    {% cache 600 sidebar %}A{% endcache %}
    {% cache 600 footer %}B{% endcache %}
    </aside>
  `);
  assert.deepEqual(await flagged(CODE, files), [`${PAGE}:2`]);
  assert.deepEqual(await spans(CODE, files), ['{% cache 600 sidebar %}']);
  const [finding] = (await findingsOf(files)).filter((f) => f.code === CODE);
  assert.equal(finding.severity, 'error');
  assert.notEqual(djangoTemplateError(files[PAGE]), null, 'Django refuses it too');
});

test('loads are not inherited from {% extends %}: a child template needs its own load', async () => {
  const files = app('{% extends "base.html" %}\n{% block content %}{% cache 600 grid %}G{% endcache %}{% endblock %}\n', {
    'templates/base.html': '{% load cache %}{% block content %}{% endblock %}',
  });
  assert.deepEqual(await flagged(CODE, files), [`${PAGE}:2`]);
});

test('a load of other libraries, a load after the tag, or a load inside a comment or verbatim does not count', async () => {
  const bodies = [
    '{% load static i18n %}\n{% cache 600 a %}x{% endcache %}',
    '{% cache 600 a %}x{% endcache %}\n{% load cache %}',
    '{% comment %}{% load cache %}{% endcomment %}\n{% cache 600 a %}x{% endcache %}',
    '{# {% load cache %} #}\n{% cache 600 a %}x{% endcache %}',
    '{% verbatim %}{% load cache %}{% endverbatim %}\n{% cache 600 a %}x{% endcache %}',
    '{% load static from cache_helpers %}\n{% cache 600 a %}x{% endcache %}',
  ];
  for (const body of bodies) {
    assert.equal((await flagged(CODE, app(body))).length, 1, body);
    assert.notEqual(djangoTemplateError(body.replace(/\{% load static from cache_helpers %\}/, '')), null, `Django refuses ${body}`);
  }
});

// ---- quiet ----

test('{% load cache %}, {% load static cache %} and {% load cache from cache %} count', async () => {
  const bodies = [
    '{% load cache %}{% cache 600 a %}x{% endcache %}',
    '{% load static cache %}{% cache 600 a %}x{% endcache %}',
    '{% load cache from cache %}{% cache 600 a %}x{% endcache %}',
    '{% extends "base.html" %}{% load i18n %}\n{% load cache %}{% block content %}{% cache 600 a %}x{% endcache %}{% endblock %}',
  ];
  for (const body of bodies) {
    assert.deepEqual(await flagged(CODE, app(body)), [], body);
    assert.equal(djangoTemplateError(body), null, body);
  }
});

test('django.templatetags.cache in the settings\' builtins makes the load unnecessary', async () => {
  const settings = py`
    TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {"builtins": ["django.templatetags.cache"]},
        },
    ]
  `;
  const body = '{% cache 600 a %}x{% endcache %}';
  assert.deepEqual(await flagged(CODE, app(body, { 'config/settings.py': settings })), []);
  assert.equal(djangoTemplateError(body, { builtins: ['django.templatetags.cache'] }), null);
  const otherBackend = settings.replace('django.template.backends.django.DjangoTemplates', 'django.template.backends.jinja2.Jinja2');
  assert.deepEqual(await flagged(CODE, app(body, { 'config/settings.py': otherBackend })), [`${PAGE}:1`]);
});

test('no cache tag (only text, a comment, or an endcache) and Jinja2 templates are quiet', async () => {
  const files = app('<p>{ % cache % }</p>{# {% cache 1 a %} #}{% comment %}{% cache 1 b %}{% endcomment %}{% endcache %}', {
    'shop/jinja2/shop/page.html': '{% cache 600 a %}x{% endcache %}',
  });
  assert.deepEqual(await flagged(CODE, files), []);
});

test('{# noqa: CACHE103 #} on the tag line suppresses it', async () => {
  assert.deepEqual(await allFindings(app('{% cache 600 a %}{# noqa: CACHE103 #}x{% endcache %}')), []);
});

// ---- the fix ----

test('after {% extends %}: the fix adds {% load cache %} on the next line; the result compiles and renders', async () => {
  const files = app(tpl`
    {% extends "base.html" %}

    {% block content %}
    {% cache 600 grid %}G{% endcache %}
    {% endblock %}
  `);
  const [finding] = (await findingsOf(files)).filter((f) => f.code === CODE);
  assert.deepEqual(finding.fixes.map((fix) => [fix.title, fix.safety]), [['Load the cache tag library', 'safe']]);
  const text = await assertTemplateFixIsClean(CODE, files, PAGE, { django: { templates: BASE } });
  assert.equal(text, files[PAGE].replace('{% extends "base.html" %}\n', '{% extends "base.html" %}\n{% load cache %}\n'));
});

test('an existing {% load … %} before the tag gets cache added to it', async () => {
  const files = app('{% extends "base.html" %}\n{% load static %}\n{% block content %}{% cache 600 grid %}<img src="{% static \'a.png\' %}">{% endcache %}{% endblock %}\n');
  const text = await assertTemplateFixIsClean(CODE, files, PAGE, { django: { templates: BASE } });
  assert.equal(text, files[PAGE].replace('{% load static %}', '{% load static cache %}'));
});

test('no {% extends %}: the fix puts {% load cache %} at the very top without a new line, so the output is unchanged', async () => {
  const files = app('<!DOCTYPE html>\n{% cache 600 grid %}G{% endcache %}\n');
  const text = await assertTemplateFixIsClean(CODE, files, PAGE);
  assert.equal(text, '{% load cache %}<!DOCTYPE html>\n{% cache 600 grid %}G{% endcache %}\n');
});

test('a {% load %} after the tag is left alone; CRLF files get CRLF; a byte order mark stays first', async () => {
  const late = app('{% cache 600 a %}x{% endcache %}{% load static %}');
  assert.equal(await assertTemplateFixIsClean(CODE, late, PAGE), '{% load cache %}{% cache 600 a %}x{% endcache %}{% load static %}');
  const crlf = app('{% extends "base.html" %}\r\n{% block content %}{% cache 600 a %}x{% endcache %}{% endblock %}\r\n');
  assert.equal(await assertTemplateFixIsClean(CODE, crlf, PAGE, { django: { templates: BASE } }), '{% extends "base.html" %}\r\n{% load cache %}\r\n{% block content %}{% cache 600 a %}x{% endcache %}{% endblock %}\r\n');
  const bom = app('\uFEFF{% cache 600 a %}x{% endcache %}');
  assert.equal(await assertTemplateFixIsClean(CODE, bom, PAGE), '\uFEFF{% load cache %}{% cache 600 a %}x{% endcache %}');
});
