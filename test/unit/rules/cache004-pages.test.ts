// CACHE004 on real-world shapes: per-user data reached through templates (extends, include), cache_page
// applied in urls.py, through decorator lists and names bound to cache_page(...), generic views' default
// templates, and reads of request.user that a cached GET never shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, flagged, py } from '../../helpers/engine.js';

const CODE = 'CACHE004';

const BASE_WITH_NAVBAR = `<!doctype html>
<html>
<body>
<nav>
  {% if user.is_authenticated %}
    Signed in as {{ user.username }} <a href="/logout/">Log out</a>
  {% else %}
    <a href="/login/">Log in</a>
  {% endif %}
</nav>
{% block content %}{% endblock %}
</body>
</html>
`;

const PUBLIC_BASE = `<!doctype html>
<html><body><header>Bookshop</header>{% block content %}{% endblock %}</body></html>
`;

test('a function view whose template extends a base showing user.username is flagged; the message names the line', async () => {
  const files = {
    'shop/views.py': py`
      from django.shortcuts import render
      from django.views.decorators.cache import cache_page

      from .models import Book

      @cache_page(60 * 15)
      def catalogue(request):
          return render(request, "shop/catalogue.html", {"books": Book.objects.all()})
    `,
    'shop/templates/shop/catalogue.html': '{% extends "base.html" %}\n{% block content %}{% for book in books %}{{ book.title }}{% endfor %}{% endblock %}\n',
    'templates/base.html': BASE_WITH_NAVBAR,
  };
  const findings = (await findingsOf(files)).filter((finding) => finding.code === CODE);
  assert.deepEqual(findings.map((finding) => `${finding.path}:${finding.range.start.line + 1}`), ['shop/views.py:6']);
  assert.match(findings[0].message, /base\.html:5 shows user\.is_authenticated/);
});

test('quiet: the same view when the base template shows nothing per user', async () => {
  const files = {
    'shop/views.py': py`
      from django.shortcuts import render
      from django.views.decorators.cache import cache_page

      @cache_page(60 * 15)
      def catalogue(request):
          return render(request, "shop/catalogue.html", {"books": []})
    `,
    'shop/templates/shop/catalogue.html': '{% extends "base.html" %}\n{% block content %}{% for book in books %}{{ book.title }}{% endfor %}{% endblock %}\n',
    'templates/base.html': PUBLIC_BASE,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('{% include %}d partials count: messages in an included partial make the page per-user', async () => {
  const files = {
    'news/views.py': py`
      from django.views.decorators.cache import cache_page
      from django.views.generic import TemplateView
      from django.utils.decorators import method_decorator

      @method_decorator(cache_page(300), name="dispatch")
      class NewsView(TemplateView):
          template_name = "news/index.html"
    `,
    'news/templates/news/index.html': '{% include "news/_flash.html" %}<h1>News</h1>\n',
    'news/templates/news/_flash.html': '{% for message in messages %}<p>{{ message }}</p>{% endfor %}\n',
  };
  assert.deepEqual(await flagged(CODE, files), ['news/views.py:5']);
});

test('cache_page(t)(View.as_view()) and TemplateView.as_view(template_name=...) in urls.py resolve their templates', async () => {
  const files = {
    'site/views.py': py`
      from django.views.generic import TemplateView

      class HomeView(TemplateView):
          template_name = "home.html"
    `,
    'site/urls.py': py`
      from django.urls import path
      from django.views.decorators.cache import cache_page
      from django.views.generic import TemplateView

      from .views import HomeView

      urlpatterns = [
          path("", cache_page(600)(HomeView.as_view())),
          path("about/", cache_page(600)(TemplateView.as_view(template_name="about.html"))),
          path("terms/", cache_page(600)(TemplateView.as_view(template_name="terms.html"))),
      ]
    `,
    'templates/home.html': '{% extends "base.html" %}\n',
    'templates/about.html': '<p>Hello {{ request.user.first_name }}</p>\n',
    'templates/terms.html': '{% extends "public.html" %}\n',
    'templates/base.html': BASE_WITH_NAVBAR,
    'templates/public.html': PUBLIC_BASE,
  };
  assert.deepEqual(await flagged(CODE, files), ['site/urls.py:8', 'site/urls.py:9']);
});

test('a name bound to cache_page(...) and applied later is cache_page', async () => {
  const files = {
    'site/urls.py': py`
      from django.urls import path
      from django.views.decorators.cache import cache_page

      from . import views

      hourly = cache_page(60 * 60)

      urlpatterns = [path("dashboard/", hourly(views.dashboard))]
    `,
    'site/views.py': py`
      from django.http import HttpResponse

      def dashboard(request):
          return HttpResponse("Hello %s" % request.user.get_full_name())
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['site/urls.py:8']);
});

test('method_decorator with a decorator list: cache_page first and vary_on_cookie after it is safe; alone it is flagged', async () => {
  const files = {
    'feed/views.py': py`
      from django.utils.decorators import method_decorator
      from django.views.decorators.cache import cache_page
      from django.views.decorators.vary import vary_on_cookie
      from django.views.generic import TemplateView

      @method_decorator([cache_page(600), vary_on_cookie], name="dispatch")
      class SafeFeed(TemplateView):
          template_name = "feed.html"

      @method_decorator([cache_page(600)], name="dispatch")
      class LeakyFeed(TemplateView):
          template_name = "feed.html"
    `,
    'feed/templates/feed.html': '<p>{{ user.username }}</p>\n',
  };
  assert.deepEqual(await flagged(CODE, files), ['feed/views.py:10']);
});

test("generic views' default template (<app>/<model>_list.html) is followed", async () => {
  const files = {
    'catalog/models.py': py`
      from django.db import models

      class Book(models.Model):
          title = models.CharField(max_length=100)
    `,
    'catalog/views.py': py`
      from django.utils.decorators import method_decorator
      from django.views.decorators.cache import cache_page
      from django.views.generic import ListView

      from .models import Book

      @method_decorator(cache_page(60), name="dispatch")
      class BookList(ListView):
          model = Book
    `,
    'catalog/__init__.py': '',
    'catalog/templates/catalog/book_list.html': '{% extends "base.html" %}\n',
    'templates/base.html': BASE_WITH_NAVBAR,
  };
  assert.deepEqual(await flagged(CODE, files), ['catalog/views.py:7']);
});

test("a project mixin's method that reads request.user is part of the view", async () => {
  const files = {
    'core/mixins.py': py`
      class GreetingMixin:
          def get_context_data(self, **kwargs):
              context = super().get_context_data(**kwargs)
              context["greeting"] = "Hi " + self.request.user.first_name
              return context
    `,
    'core/views.py': py`
      from django.utils.decorators import method_decorator
      from django.views.decorators.cache import cache_page
      from django.views.generic import TemplateView

      from .mixins import GreetingMixin

      @method_decorator(cache_page(60), name="dispatch")
      class Home(GreetingMixin, TemplateView):
          template_name = "home.html"
    `,
    'core/templates/home.html': '<p>{{ greeting }}</p>\n',
  };
  assert.deepEqual(await flagged(CODE, files), ['core/views.py:7']);
});

test('quiet: request.user read only to refuse (redirect, 403, PermissionDenied), in post(), or under request.method == "POST"', async () => {
  const files = {
    'shop/views.py': py`
      from django.core.exceptions import PermissionDenied
      from django.http import HttpResponse
      from django.shortcuts import redirect, render
      from django.utils.decorators import method_decorator
      from django.views import View
      from django.views.decorators.cache import cache_page

      @cache_page(60)
      def members_only(request):
          if not request.user.is_authenticated:
              return redirect("login")
          return render(request, "shop/members.html")

      @cache_page(60)
      def staff_report(request):
          if not request.user.has_perm("shop.view_report"):
              raise PermissionDenied
          return HttpResponse("report")

      @cache_page(60)
      def contact(request):
          if request.method == "POST":
              send_message(request.user.email)
          return render(request, "shop/contact.html")

      @method_decorator(cache_page(60), name="dispatch")
      class Review(View):
          def get(self, request):
              return render(request, "shop/review.html")

          def post(self, request):
              save_review(request.user, request.POST)
              return redirect("thanks")
    `,
    'shop/templates/shop/members.html': '<p>Members</p>\n',
    'shop/templates/shop/contact.html': '<form method="get">Search</form>\n',
    'shop/templates/shop/review.html': '<p>Reviews</p>\n',
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('a read of request.user that changes the body still counts when the branch does not refuse', async () => {
  const files = {
    'shop/views.py': py`
      from django.http import HttpResponse
      from django.views.decorators.cache import cache_page

      @cache_page(60)
      def banner(request):
          if request.user.is_authenticated:
              return HttpResponse("Welcome back")
          return HttpResponse("Sign up today")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/views.py:4']);
});

test("quiet: `user` bound by {% for %} or {% with %}, and a profile page that passes its own `user`", async () => {
  const files = {
    'people/views.py': py`
      from django.shortcuts import get_object_or_404, render
      from django.views.decorators.cache import cache_page

      from .models import Profile

      @cache_page(60)
      def authors(request):
          return render(request, "people/authors.html", {"authors": Profile.objects.all()})

      @cache_page(60)
      def profile(request, username):
          profile_user = get_object_or_404(Profile, username=username)
          return render(request, "people/profile.html", {"user": profile_user})
    `,
    'people/templates/people/authors.html': '{% for user in authors %}{{ user.username }}{% endfor %}{% with user=authors.0 %}{{ user.bio }}{% endwith %}\n',
    'people/templates/people/profile.html': '<h1>{{ user.username }}</h1>\n',
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet: the auth context processor is not configured, so {{ user }} is not the visitor', async () => {
  const files = {
    'config/settings.py': py`
      TEMPLATES = [
          {
              "BACKEND": "django.template.backends.django.DjangoTemplates",
              "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["django.template.context_processors.debug"]},
          }
      ]
    `,
    'shop/views.py': py`
      from django.shortcuts import render
      from django.views.decorators.cache import cache_page

      @cache_page(60)
      def home(request):
          return render(request, "shop/home.html")
    `,
    'shop/templates/shop/home.html': '<p>{{ user.username }}</p>\n',
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet: the view wrapped in vary_on_cookie inside cache_page(...) in urls.py', async () => {
  const files = {
    'site/urls.py': py`
      from django.urls import path
      from django.views.decorators.cache import cache_page
      from django.views.decorators.vary import vary_on_cookie

      from . import views

      urlpatterns = [path("me/", cache_page(60)(vary_on_cookie(views.me)))]
    `,
    'site/views.py': py`
      from django.http import HttpResponse

      def me(request):
          return HttpResponse(request.user.username)
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test("per-user data inside a {% cache %} fragment that does not vary on the user is CACHE101's, not the page's; varied, it counts", async () => {
  const nav = (vary: string) => `{% load cache %}<nav>{% cache 3600 nav${vary} %}{% if user.is_authenticated %}{{ user.username }}{% endif %}{% endcache %}</nav>{% block content %}{% endblock %}\n`;
  const view = py`
    from django.shortcuts import render
    from django.views.decorators.cache import cache_page

    @cache_page(60)
    def home(request):
        return render(request, "home.html")
  `;
  const shared = { 'site/views.py': view, 'templates/home.html': '{% extends "base.html" %}\n', 'templates/base.html': nav('') };
  assert.deepEqual(await flagged(CODE, shared), []);
  assert.deepEqual(await flagged('CACHE101', shared), ['templates/base.html:1']);
  const varied = { ...shared, 'templates/base.html': nav(' user.pk') };
  assert.deepEqual(await flagged(CODE, varied), ['site/views.py:4']);
});
