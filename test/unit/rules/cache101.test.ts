import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, flagged, py, spans } from '../../helpers/engine.js';
import { allFindings } from './support.js';
import { assertTemplateFixIsClean, tpl } from './template-support.js';

const CODE = 'CACHE101';
const PAGE = 'shop/templates/shop/page.html';

/** An app template (shop is a package) with the given body. */
function app(body: string, extra: Record<string, string> = {}): Record<string, string> {
  return { 'shop/__init__.py': '', [PAGE]: body, ...extra };
}

function settingsWith(processors: string[]): string {
  return py`
    TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "APP_DIRS": True,
            "OPTIONS": {"context_processors": ${JSON.stringify(processors)}},
        },
    ]
  `;
}

// ---- flagged ----

test('{{ user.… }} in a fragment without a user vary-on is flagged; the span is the {% cache %} tag', async () => {
  const files = app(tpl`
    {% load cache %}
    <header>
      {% cache 600 account_menu %}
        Signed in as {{ user.get_username }}
      {% endcache %}
    </header>
  `);
  assert.deepEqual(await flagged(CODE, files), [`${PAGE}:3`]);
  assert.deepEqual(await spans(CODE, files), ['{% cache 600 account_menu %}']);
  const [finding] = (await findingsOf(files)).filter((f) => f.code === CODE);
  assert.match(finding.message, /user\.get_username on line 4/);
  assert.equal(finding.severity, 'warning');
});

test('user data in tag arguments is flagged: if, for … in, url, filter arguments, bare {{ user }}', async () => {
  const bodies = [
    '{% if user.is_staff %}<a href="/admin/">Admin</a>{% endif %}',
    '{% for order in user.orders.all %}{{ order.number }}{% endfor %}',
    '<a href="{% url \'profile\' user.pk %}">Profile</a>',
    '{{ greeting|default:user.first_name }}',
    'Hello {{ user }}',
    '{% with name=user.get_full_name %}{{ name }}{% endwith %}',
  ];
  for (const body of bodies) {
    assert.deepEqual(await flagged(CODE, app(`{% load cache %}\n{% cache 600 menu %}${body}{% endcache %}\n`)), [`${PAGE}:2`], body);
  }
});

test('request.user, request.session, perms and messages are the current user\'s data', async () => {
  const bodies = [
    '{{ request.user.email }}',
    '{{ request.session.basket_count }}',
    '{% if perms.shop.change_product %}Edit{% endif %}',
    '{% for message in messages %}<p>{{ message }}</p>{% endfor %}',
  ];
  for (const body of bodies) {
    assert.deepEqual(await flagged(CODE, app(`{% load cache %}\n{% cache 600 menu %}${body}{% endcache %}\n`)), [`${PAGE}:2`], body);
  }
});

test('the {% empty %} branch of {% for user in … %} sees the current user again', async () => {
  const files = app('{% load cache %}{% cache 600 team %}{% for user in team %}{{ user.name }}{% empty %}Just you, {{ user.name }}{% endfor %}{% endcache %}\n');
  assert.deepEqual(await flagged(CODE, files), [`${PAGE}:1`]);
});

test('nested fragments: an outer block without the user stores the inner per-user output too', async () => {
  const files = app(tpl`
    {% load cache %}
    {% cache 600 sidebar %}
      {% cache 600 greeting user.pk %}Hi {{ user.first_name }}{% endcache %}
    {% endcache %}
    {% cache 600 panel user.pk %}
      {% cache 600 panel_inner %}{{ user.email }}{% endcache %}
    {% endcache %}
  `);
  assert.deepEqual(await flagged(CODE, files), [`${PAGE}:2`, `${PAGE}:6`]);
});

test('names listed in user-variables are the current user\'s data', async () => {
  const files = app('{% load cache %}\n{% cache 600 basket %}{{ basket.total }} · {{ customer.name }}{% endcache %}\n');
  assert.deepEqual(await flagged(CODE, files), []);
  assert.deepEqual(await flagged(CODE, files, { userVariables: ['customer'] }), [`${PAGE}:2`]);
  assert.deepEqual(await flagged(CODE, files, { userVariables: ['basket.total'] }), [`${PAGE}:2`]);
});

test('a project-folder template is checked too', async () => {
  const files = { 'templates/base.html': '{% load static cache %}<!DOCTYPE html>\n{% cache 600 header %}{{ user.username }}{% endcache %}\n' };
  assert.deepEqual(await flagged(CODE, files), ['templates/base.html:2']);
});

// ---- quiet ----

test('another user is not the current user: post.user, review.author.user, users, username', async () => {
  const files = app(tpl`
    {% load cache %}
    {% cache 600 thread %}
      {{ post.user.name }} · {{ review.author.user }} · {{ users|length }} · {{ username }}
      <p>Every user welcome</p> {% trans "user" %} {{ "user"|upper }}
    {% endcache %}
  `);
  assert.deepEqual(await flagged(CODE, files), []);
});

test('user shadowed inside the block by {% for %}, {% with user=… %} or {% with … as user %} is quiet', async () => {
  const files = app(tpl`
    {% load cache %}
    {% cache 600 authors %}
      {% for user in authors %}{{ user.name }}{% endfor %}
      {% with user=post.author %}{{ user.name }}{% endwith %}
      {% with post.editor as user %}{{ user.name }}{% endwith %}
      {% for user, count in leaders %}{{ user.name }} {{ count }}{% endfor %}
    {% endcache %}
  `);
  assert.deepEqual(await flagged(CODE, files), []);
});

test('a block inside {% for user in … %} is about that user, not the visitor', async () => {
  const files = app('{% load cache %}{% for user in authors %}{% cache 600 author_card user.pk %}{{ user.name }}{% endcache %}{% cache 600 badge %}{{ user.name }}{% endcache %}{% endfor %}\n');
  assert.deepEqual(await flagged(CODE, files), []);
});

test('a vary-on value naming the user is enough: user.pk, request.user.id, user_id, current_user.pk, session key', async () => {
  for (const vary of ['user.pk', 'request.user.id', 'user_id', 'current_user.pk', 'user.pk|default:0', 'request.session.session_key', 'page.number user.username']) {
    const files = app(`{% load cache %}\n{% cache 600 menu ${vary} %}{{ user.get_username }}{% endcache %}\n`);
    assert.deepEqual(await flagged(CODE, files), [], vary);
  }
  const using = app('{% load cache %}\n{% cache 600 menu user.pk using="fragments" %}{{ user.email }}{% endcache %}\n');
  assert.deepEqual(await flagged(CODE, using), []);
});

test('user data outside the block, or only in the block\'s own arguments, is quiet', async () => {
  const files = app(tpl`
    {% load cache %}
    <p>Hi {{ user.first_name }}</p>
    {% cache 600 footer user.pk %}Contact us{% endcache %}
    {% cache 600 catalogue %}{% for p in products %}{{ p.name }}{% endfor %}{% endcache %}
  `);
  assert.deepEqual(await flagged(CODE, files), []);
});

test('a quoted "user" vary-on is a constant, not the user: still flagged', async () => {
  const files = app('{% load cache %}\n{% cache 600 menu "user" %}{{ user.email }}{% endcache %}\n');
  assert.deepEqual(await flagged(CODE, files), [`${PAGE}:2`]);
});

test('Jinja2 templates are never checked', async () => {
  const files = { 'shop/__init__.py': '', 'shop/jinja2/shop/page.html': '{% cache 600 menu %}{{ user.email }}{% endcache %}\n', 'shop/templates/shop/menu.j2': '{% cache 600 menu %}{{ user.email }}{% endcache %}\n' };
  assert.deepEqual(await allFindings(files), []);
});

test('an unfinished block (no {% endcache %} yet) is not checked', async () => {
  assert.deepEqual(await flagged(CODE, app('{% load cache %}\n{% cache 600 menu %}{{ user.email }}\n')), []);
});

test('{# noqa: CACHE101 #} on the tag line suppresses it (and is not reported unused); skip-file skips the template', async () => {
  const suppressed = app('{% load cache %}\n{% cache 600 menu %}{# noqa: CACHE101 #}{{ user.email }}{% endcache %}\n');
  assert.deepEqual(await allFindings(suppressed), []);
  const skipped = app('{# cache-coach: skip-file #}{% load cache %}\n{% cache 600 menu %}{{ user.email }}{% endcache %}\n');
  assert.deepEqual(await allFindings(skipped), []);
  const elsewhere = app('{% load cache %}{# noqa: CACHE101 #}\n{% cache 600 menu %}{{ user.email }}{% endcache %}\n');
  assert.deepEqual(await allFindings(elsewhere), [`${PAGE}:1 CACHE900`, `${PAGE}:2 CACHE101`]);
});

// ---- the fix ----

test('the fix appends user.pk; the result compiles in Django and is quiet', async () => {
  const files = app(tpl`
    {% extends "base.html" %}
    {% load cache %}
    {% block content %}
    {% cache 600 account_menu page.number %}Signed in as {{ user.get_username }}{% endcache %}
    {% endblock %}
  `);
  const [finding] = (await findingsOf(files)).filter((f) => f.code === CODE);
  assert.deepEqual(finding.fixes.map((fix) => [fix.title, fix.safety]), [['Vary the fragment on user.pk', 'safe']]);
  const text = await assertTemplateFixIsClean(CODE, files, PAGE, { django: { templates: { 'base.html': '{% block content %}{% endblock %}' } } });
  assert.match(text, /\{% cache 600 account_menu page\.number user\.pk %\}/);
});

test('the fix puts user.pk before using="…"', async () => {
  const files = app('{% load cache %}\n{% cache 600 menu using="default" %}{{ user.email }}{% endcache %}\n');
  const text = await assertTemplateFixIsClean(CODE, files, PAGE);
  assert.equal(text, '{% load cache %}\n{% cache 600 menu user.pk using="default" %}{{ user.email }}{% endcache %}\n');
});

test('only the request context processor configured: the fix varies on request.user.pk', async () => {
  const files = app('{% load cache %}\n{% cache 600 menu %}{{ request.user.email }}{% endcache %}\n', {
    'config/settings.py': settingsWith(['django.template.context_processors.request']),
  });
  const text = await assertTemplateFixIsClean(CODE, files, PAGE);
  assert.equal(text, '{% load cache %}\n{% cache 600 menu request.user.pk %}{{ request.user.email }}{% endcache %}\n');
});

test('with the auth context processor configured (or no settings found) the fix varies on user.pk', async () => {
  const body = '{% load cache %}\n{% cache 600 menu %}{{ request.user.email }}{% endcache %}\n';
  const both = app(body, {
    'config/settings.py': settingsWith(['django.template.context_processors.request', 'django.contrib.auth.context_processors.auth']),
  });
  assert.match(await assertTemplateFixIsClean(CODE, both, PAGE), /\{% cache 600 menu user\.pk %\}/);
  assert.match(await assertTemplateFixIsClean(CODE, app(body), PAGE), /\{% cache 600 menu user\.pk %\}/);
});

test('nested blocks: each fix stands on its own and together they leave the template quiet', async () => {
  const files = app('{% load cache %}\n{% cache 600 outer %}{% cache 60 inner %}{{ user.email }}{% endcache %}{% endcache %}\n');
  const text = await assertTemplateFixIsClean(CODE, files, PAGE);
  assert.equal(text, '{% load cache %}\n{% cache 600 outer user.pk %}{% cache 60 inner user.pk %}{{ user.email }}{% endcache %}{% endcache %}\n');
});
