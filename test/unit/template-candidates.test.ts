// Which templates a whole-project check lexes up front: those that can hold a template rule's subject, a
// `{% cache %}` block. Form templates (a CSRF token, no cache tag) are many in most projects; they are read
// only when a rule follows a cached view or a fragment's include to them, and their tokens are still found.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workspaceOf, type Files } from '../helpers/engine.js';

const FILES: Files = {
  'shop/__init__.py': '',
  'shop/views.py': [
    'from django.shortcuts import render',
    'from django.views.decorators.cache import cache_page',
    '',
    '',
    '@cache_page(60)',
    'def contact(request):',
    '    return render(request, "shop/contact.html")',
    '',
    '',
    'def signup(request):',
    '    return render(request, "shop/signup.html")',
    '',
  ].join('\n'),
  'shop/templates/shop/contact.html': '<form method="post">{% csrf_token %}{{ form }}</form>\n',
  'shop/templates/shop/signup.html': '<form method="post">{% csrf_token %}{{ form }}</form>\n',
  'shop/templates/shop/newsletter_form.html': '<form method="post">{% csrf_token %}<input name="email"></form>\n',
  'shop/templates/shop/footer.html': '{% load cache %}\n{% cache 600 footer %}{% include "shop/newsletter_form.html" %}{% endcache %}\n',
};

test('only templates with a cache tag are checked up front; tokens in templates a rule follows are still found', async () => {
  const workspace = await workspaceOf(FILES);
  const findings = workspace.check().map((finding) => `${finding.code} ${finding.path}:${finding.range.start.line + 1}`).sort();
  assert.deepEqual(findings, ['CACHE106 shop/templates/shop/footer.html:2', 'CACHE012 shop/views.py:5'].sort());
  assert.deepEqual(
    workspace.templates.candidateModules().map((template) => template.path),
    ['shop/templates/shop/footer.html'],
  );
});
