import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, flagged, spans } from '../../helpers/engine.js';
import { djangoTemplateError } from '../../helpers/django-template.js';
import { allFindings } from './support.js';
import { tpl } from './template-support.js';

const CODE = 'CACHE106';
const PAGE = 'shop/templates/shop/page.html';

function app(body: string, extra: Record<string, string> = {}): Record<string, string> {
  return { 'shop/__init__.py': '', [PAGE]: body, ...extra };
}

// ---- flagged ----

test('{% csrf_token %} inside {% cache %} is an error; the span is the csrf_token tag; there is no fix', async () => {
  const files = app(tpl`
    {% load cache %}
    {% cache 600 newsletter %}
    <form method="post">
      {% csrf_token %}
      {{ form }}
    </form>
    {% endcache %}
  `);
  assert.equal(djangoTemplateError(files[PAGE]), null);
  assert.deepEqual(await flagged(CODE, files), [`${PAGE}:4`]);
  assert.deepEqual(await spans(CODE, files), ['{% csrf_token %}']);
  const [finding] = (await findingsOf(files)).filter((f) => f.code === CODE);
  assert.equal(finding.severity, 'error');
  assert.deepEqual(finding.fixes, []);
});

test('inside nested blocks it is reported once; every token in a block is reported', async () => {
  const files = app(tpl`
    {% load cache %}
    {% cache 600 outer %}
      {% cache 60 inner user.pk %}<form>{% csrf_token %}</form>{% endcache %}
      <form>{% csrf_token %}</form>
    {% endcache %}
  `);
  assert.deepEqual(await flagged(CODE, files), [`${PAGE}:3`, `${PAGE}:4`]);
});

test('{{ csrf_token }} written by hand inside a block is flagged too; the span is the variable tag', async () => {
  const files = app('{% load cache %}\n{% cache 600 form %}<input type="hidden" name="csrfmiddlewaretoken" value="{{ csrf_token }}">{% endcache %}\n');
  assert.deepEqual(await flagged(CODE, files), [`${PAGE}:2`]);
  assert.deepEqual(await spans(CODE, files), ['{{ csrf_token }}']);
});

// ---- quiet ----

test('a token outside the block, in a comment or verbatim, or other names that merely contain csrf_token are quiet', async () => {
  const files = app(tpl`
    {% load cache %}
    <form method="post">{% csrf_token %}
    {% cache 600 fields %}
      {{ form.as_p }} {{ form.csrf_token }} {{ csrf_token_name }}
      {# {% csrf_token %} #}
      {% comment %}{% csrf_token %}{% endcomment %}
      {% verbatim %}{% csrf_token %}{% endverbatim %}
    {% endcache %}
    </form>
    <form method="post">{% csrf_token %}</form>
  `);
  assert.equal(djangoTemplateError(files[PAGE]), null);
  assert.deepEqual(await flagged(CODE, files), []);
});

test('an unfinished block (no {% endcache %}) and Jinja2 templates are quiet', async () => {
  const files = app('{% load cache %}{% cache 600 form %}<form>{% csrf_token %}</form>', {
    'shop/jinja2/shop/form.html': '{% cache 600 form %}{% csrf_token %}{% endcache %}',
  });
  assert.deepEqual(await flagged(CODE, files), []);
});

test('{# noqa: CACHE106 #} on the csrf_token line suppresses it', async () => {
  const files = app('{% load cache %}\n{% cache 600 form %}\n<form>{% csrf_token %}{# noqa: CACHE106 #}</form>\n{% endcache %}\n');
  assert.deepEqual(await allFindings(files), []);
});
