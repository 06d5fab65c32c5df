import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flagged, py } from '../../helpers/engine.js';

const FORM = '{% extends "base.html" %}\n{% block content %}<form method="post">{% csrf_token %}</form>{% endblock %}\n';
const BASE = '<html>{% block content %}{% endblock %}</html>\n';
const PAGE = '{% extends "base.html" %}\n{% block content %}<p>Hello</p>{% endblock %}\n';

const project = (views: string, templates: Record<string, string>) => ({
  'shop/__init__.py': '',
  'shop/views.py': views,
  'templates/base.html': BASE,
  ...templates,
});

test('flags cache_page on a view that renders a template holding {% csrf_token %}', async () => {
  const views = py`
    from django.shortcuts import render
    from django.views.decorators.cache import cache_page


    @cache_page(60)
    def contact(request):
        return render(request, "shop/contact.html")
  `;
  assert.deepEqual(await flagged('CACHE012', project(views, { 'shop/templates/shop/contact.html': FORM })), ['shop/views.py:5']);
});

test('follows {% include %} and {% extends %} to the token', async () => {
  const views = py`
    from django.shortcuts import render
    from django.views.decorators.cache import cache_page


    @cache_page(60)
    def contact(request):
        return render(request, template_name="shop/contact.html")
  `;
  const templates = {
    'shop/templates/shop/contact.html': '{% extends "shop/layout.html" %}\n',
    'shop/templates/shop/layout.html': '<div>{% include "shop/_form.html" %}</div>\n',
    'shop/templates/shop/_form.html': '<form>{% csrf_token %}</form>\n',
  };
  assert.deepEqual(await flagged('CACHE012', project(views, templates)), ['shop/views.py:5']);
});

test('class-based views: template_name with method_decorator, and cache_page(...)(View.as_view()) in urls.py', async () => {
  const views = py`
    from django.utils.decorators import method_decorator
    from django.views.decorators.cache import cache_page
    from django.views.generic import TemplateView


    @method_decorator(cache_page(60), name="dispatch")
    class ContactView(TemplateView):
        template_name = "shop/contact.html"


    class SignupView(TemplateView):
        template_name = "shop/contact.html"
  `;
  const urls = py`
    from django.urls import path
    from django.views.decorators.cache import cache_page

    from .views import SignupView

    urlpatterns = [path("signup/", cache_page(300)(SignupView.as_view()))]
  `;
  const files = { ...project(views, { 'shop/templates/shop/contact.html': FORM }), 'shop/urls.py': urls };
  assert.deepEqual(await flagged('CACHE012', files), ['shop/urls.py:6', 'shop/views.py:6']);
});

test('quiet: no token in the rendered templates, @csrf_protect below cache_page, uncached views', async () => {
  const views = py`
    from django.shortcuts import render
    from django.views.decorators.cache import cache_page
    from django.views.decorators.csrf import csrf_protect


    @cache_page(60)
    def about(request):
        return render(request, "shop/about.html")


    @cache_page(60)
    @csrf_protect
    def contact(request):
        return render(request, "shop/contact.html")


    def signup(request):
        return render(request, "shop/contact.html")
  `;
  const templates = { 'shop/templates/shop/about.html': PAGE, 'shop/templates/shop/contact.html': FORM };
  assert.deepEqual(await flagged('CACHE012', project(views, templates)), []);
});

test('a project template overrides the app template of the same name', async () => {
  const views = py`
    from django.shortcuts import render
    from django.views.decorators.cache import cache_page


    @cache_page(60)
    def about(request):
        return render(request, "shop/about.html")
  `;
  // The app's template has a form; the project overrides it with one that does not.
  const templates = { 'shop/templates/shop/about.html': FORM, 'templates/shop/about.html': PAGE };
  assert.deepEqual(await flagged('CACHE012', project(views, templates)), []);
  const appOnly = { 'shop/templates/shop/about.html': FORM };
  assert.deepEqual(await flagged('CACHE012', project(views, appOnly)), ['shop/views.py:5']);
});

test('a token inside {% comment %} or {% verbatim %} is not a token', async () => {
  const views = py`
    from django.shortcuts import render
    from django.views.decorators.cache import cache_page


    @cache_page(60)
    def about(request):
        return render(request, "shop/about.html")
  `;
  const template = '{% comment %}<form>{% csrf_token %}</form>{% endcomment %}{% verbatim %}{% csrf_token %}{% endverbatim %}\n';
  assert.deepEqual(await flagged('CACHE012', project(views, { 'shop/templates/shop/about.html': template })), []);
});

test('a template extending itself in a loop does not hang', async () => {
  const views = py`
    from django.shortcuts import render
    from django.views.decorators.cache import cache_page


    @cache_page(60)
    def about(request):
        return render(request, "shop/a.html")
  `;
  const templates = { 'shop/templates/shop/a.html': '{% extends "shop/b.html" %}', 'shop/templates/shop/b.html': '{% include "shop/a.html" %}' };
  assert.deepEqual(await flagged('CACHE012', project(views, templates)), []);
});
