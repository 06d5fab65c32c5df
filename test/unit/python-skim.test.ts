// Skimming (server/src/analysis/python/skim.ts): a scan leaves out the bodies of functions that never name the
// cache, and reads them only when a rule asks. It must never change what a user sees: the same findings, at
// the same places, as from the whole text.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_CONFIG } from '../../server/src/analysis/config.js';
import { PythonParser } from '../../server/src/analysis/python/parser.js';
import { skimFunctionBodies, wholeOffset } from '../../server/src/analysis/python/skim.js';
import type { Finding } from '../../server/src/analysis/types.js';
import { Workspace } from '../../server/src/engine/workspace.js';
import { loadTypeScript } from '../../server/src/node/typescript.js';
import { loadPythonWasm } from '../../server/src/node/wasm.js';
import { generateInput, materialise } from '../fuzz/harness.js';
import { pythonFrontEnd, readCompanion } from '../fuzz/front-ends.js';
import { py, type Files } from '../helpers/engine.js';

const SAMPLE = join(__dirname, '..', 'fixtures', 'sample-project');
const HINT = /cache|CACHE|Cache|vary_|fragment_key/;

async function check(files: Files, skim: boolean): Promise<Finding[]> {
  const workspace = await Workspace.create({
    wasm: loadPythonWasm(),
    source: { read: (path) => files[path] },
    paths: Object.keys(files),
    configFor: () => DEFAULT_CONFIG,
    loadTypeScript,
    skimFunctionBodies: skim,
  });
  return workspace.check();
}

/** The text parses without a syntax error (what the skim must never introduce). */
async function assertParsesCleanly(text: string): Promise<void> {
  const parser = await PythonParser.create(loadPythonWasm());
  const tree = parser.parse(text);
  try {
    assert.equal(tree.rootNode.hasError, false, text);
  } finally {
    tree.delete();
  }
}

const TRICKY = py`
  import os
  from django.core.cache import cache


  def plain(a,
            b):  # a header over two lines
      text = """def not_a_function():
  return ( unbalanced
  """
      # a comment at column 0 follows
  # def at column 0, inside a comment
      value = {"key": [a, b,
                       'x # not a comment']}
      total = a + \\
          b
      return text, value, total


  @decorator
  @other(1,
         2)
  async def decorated(request):
      return request.user


  def uses_cache(key):
      return cache.get(key)


  def one_line(): return 1


  def outer():
      def inner():
          return 2
      return inner


  class Book:
      title = "t"

      def __str__(self):
          return self.title

      def cached(self):
          return cache.get(self.title)


  AFTER = "marker"
`;

test('a skimmed module leaves out the bodies that never name the cache, and keeps everything else where it was', async () => {
  const skimmed = skimFunctionBodies(TRICKY, HINT);
  assert.ok(skimmed);
  const definitionOf = (header: string): number => TRICKY.indexOf(header);
  assert.deepEqual(
    [...skimmed.skippedDefinitions.keys()].sort((a, b) => a - b),
    [definitionOf('def plain'), definitionOf('@decorator'), definitionOf('def outer'), definitionOf('def __str__')],
  );
  for (const kept of ['return cache.get(key)', 'def one_line(): return 1', 'return cache.get(self.title)', 'AFTER = "marker"']) {
    assert.ok(skimmed.text.includes(kept), kept);
    assert.equal(wholeOffset(skimmed, skimmed.text.indexOf(kept)), TRICKY.indexOf(kept), kept);
  }
  for (const skipped of ['def not_a_function', 'return request.user', 'def inner', 'return self.title', 'title = "t"']) {
    assert.ok(!skimmed.text.includes(skipped), skipped);
    assert.ok(skimmed.skippedText.includes(skipped), skipped);
  }
  await assertParsesCleanly(skimmed.text);
});

const NOISY = py`
  """The shop's views.

  Long module docstrings are common; no rule reads them.
  """
  from django.core.cache import cache

  # A comment on its own line.
  CART_TIMEOUT = 60  # a comment after code stays with its line
  # noqa: CACHE001
  r"""A raw string statement."""
  f"{cache.get('k')}"
  "a".join([])


  class Cart:
      """A cart."""

      # The timeout in seconds.
      timeout = CART_TIMEOUT

      def key(self):
          """The cache key of the cart."""
          # a comment in a kept body
          return cache.get("cart")
`;

test('comments and docstrings are left out of the skimmed text; suppressions, f-strings and code stay where they were', async () => {
  const skimmed = skimFunctionBodies(NOISY, HINT);
  assert.ok(skimmed);
  for (const gone of ['The shop', 'A comment on its own line', 'A raw string statement', 'A cart.', 'The timeout in seconds', 'The cache key of the cart', 'a comment in a kept body']) {
    assert.ok(!skimmed.text.includes(gone), gone);
  }
  for (const kept of ['CART_TIMEOUT = 60  # a comment after code stays with its line', '# noqa: CACHE001', `f"{cache.get('k')}"`, '"a".join([])', 'return cache.get("cart")']) {
    assert.ok(skimmed.text.includes(kept), kept);
    assert.equal(wholeOffset(skimmed, skimmed.text.indexOf(kept)), NOISY.indexOf(kept), kept);
  }
  // Nothing was skipped but text no rule reads: no body to read again on demand.
  assert.equal(skimmed.skippedDefinitions.size, 0);
  await assertParsesCleanly(skimmed.text);
});

const NAMED_IN_WORDS = py`
  from django.core.cache import cache


  def total(order):
      """Not cached: the cache would go stale when a line changes."""
      # cache it once orders are immutable
      return sum(line.price for line in order.lines)  # no cache here


  def settings_for(name):
      return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": name}


  def cached_total(order):
      # the total, from the cache
      return cache.get(f"total:{order.pk}")
`;

test('a body that names the cache only in comments and its docstring is skipped; one that names it in code is kept', async () => {
  const skimmed = skimFunctionBodies(NAMED_IN_WORDS, HINT);
  assert.ok(skimmed);
  assert.deepEqual([...skimmed.skippedDefinitions.keys()], [NAMED_IN_WORDS.indexOf('def total')]);
  assert.ok(skimmed.skippedText.includes('return sum(line.price'));
  for (const kept of ['"django.core.cache.backends.locmem.LocMemCache"', 'return cache.get(f"total:{order.pk}")']) {
    assert.ok(skimmed.text.includes(kept), kept);
    assert.equal(wholeOffset(skimmed, skimmed.text.indexOf(kept)), NAMED_IN_WORDS.indexOf(kept), kept);
  }
  await assertParsesCleanly(skimmed.text);
});

test('a suppression keeps its body: CACHE900 still sees a noqa that suppresses nothing', async () => {
  const files: Files = {
    'shop/utils.py': py`
      from django.core.cache import cache

      def wrap(method):
          # Keep the wrapped method's name and docstring.
          wrapper = method  # noqa: CACHE006
          return wrapper

      def cached(key):
          return cache.get(key)
    `,
  };
  const whole = await check(files, false);
  assert.deepEqual(whole.map((finding) => `${finding.code} ${finding.path}:${finding.range.start.line + 1}`), ['CACHE900 shop/utils.py:5']);
  assert.deepEqual(await check(files, true), whole);
});

const CLASS_BODIES = py`
  from django.db import models
  from django.views.generic import DetailView
  from .fields import PriceField


  class Book(models.Model):
      title = models.CharField(max_length=200)
      price = PriceField(default=0)  # noqa: CACHE001
      cache_version = models.IntegerField(default=1)

      class Meta:
          ordering = ["title"]

      def __str__(self):
          return self.title


  class BookView(DetailView):
      model = Book
      template_name = "books/detail.html"
      paginate_by = 20
`;

test('class statements no rule reads are left out; view attributes, cache uses and suppressions stay', async () => {
  const skimmed = skimFunctionBodies(CLASS_BODIES, HINT);
  assert.ok(skimmed);
  for (const gone of ['title = models.CharField(max_length=200)', 'ordering = ["title"]', 'paginate_by = 20']) {
    assert.ok(!skimmed.text.includes(gone), gone);
    // Read again when a rule asks for a call one of them makes.
    assert.ok(skimmed.skippedText.includes(gone), gone);
  }
  for (const kept of ['price = PriceField(default=0)  # noqa: CACHE001', 'cache_version = models.IntegerField(default=1)', 'class Meta:', 'def __str__(self):', 'model = Book', 'template_name = "books/detail.html"']) {
    assert.ok(skimmed.text.includes(kept), kept);
    assert.equal(wholeOffset(skimmed, skimmed.text.indexOf(kept)), CLASS_BODIES.indexOf(kept), kept);
  }
  await assertParsesCleanly(skimmed.text);
});

test('a cached class-based view is still read through its class attributes when its fields are left out', async () => {
  const files: Files = {
    'books/views.py': CLASS_BODIES,
    'books/urls.py': py`
      from django.urls import path
      from django.views.decorators.cache import cache_page

      from .views import BookView

      urlpatterns = [path("<int:pk>/", cache_page(600)(BookView.as_view()))]
    `,
    'books/templates/books/detail.html': '{% for message in messages %}<p>{{ message }}</p>{% endfor %}<h1>{{ object.title }}</h1>\n',
  };
  const whole = await check(files, false);
  assert.ok(
    whole.some((finding) => finding.code === 'CACHE004' && finding.path === 'books/urls.py'),
    whole.map((finding) => `${finding.code} ${finding.path}`).join('\n'),
  );
  assert.deepEqual(await check(files, true), whole);
});

const TYPED_HEADERS = py`
  from django.core.cache import cache
  from .pricing import default_currency


  def price_key(product: "Product", *, currency: str = default_currency(), **extra: dict[str, int]) -> str:
      return f"price:{product.pk}:{currency}"


  def page(request, /, number: int = 1, *args: Any, sort=lambda item, other: item) -> HttpResponse:
      return number


  def noted(
      first: int,  # the first
      second,
  ) -> None:
      return None


  def cached_price(product):
      return cache.get(price_key(product))
`;

test('a skipped function keeps its parameter names only; a header the split could misread is kept whole', async () => {
  const skimmed = skimFunctionBodies(TYPED_HEADERS, HINT);
  assert.ok(skimmed);
  assert.ok(skimmed.text.includes('def price_key(product, *, currency=0, **extra):'), skimmed.text);
  // A lambda's commas and a comment leave the header as written.
  assert.ok(skimmed.text.includes('def page(request, /, number: int = 1, *args: Any, sort=lambda item, other: item) -> HttpResponse:'), skimmed.text);
  assert.ok(skimmed.text.includes('    first: int,  # the first'), skimmed.text);
  // A default is evaluated where the function is defined: the call in it is still searched for.
  assert.ok(skimmed.skippedParameters.includes('currency: str = default_currency()'));
  const kept = 'def cached_price(product):';
  assert.equal(wholeOffset(skimmed, skimmed.text.indexOf(kept)), TYPED_HEADERS.indexOf(kept));
  await assertParsesCleanly(skimmed.text);
});

test('a default naming a cache constant leaves the module skimmed; one using a cache object makes it parsed whole', async () => {
  const parsed: string[] = [];
  const parse = PythonParser.prototype.parse;
  PythonParser.prototype.parse = function (this: PythonParser, text, previous) {
    parsed.push(text);
    return parse.call(this, text, previous);
  };
  try {
    const files: Files = {
      // A cache backend: DEFAULT_TIMEOUT in a default is a value, not a use of the cache.
      'shop/backends.py': py`
        from django.core.cache.backends.base import DEFAULT_TIMEOUT
        from django.core.cache.backends.locmem import LocMemCache

        class AuditedCache(LocMemCache):
            def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
                audit(data)
                return super().set_many(data, timeout, version)
      `,
      // A default read from a cache object under a name without "cache" in it: run where the function is defined.
      'shop/defaults.py': py`
        from django.core.cache import caches as stores

        def greet(name, greeting=stores["default"].get("greeting")):
            return f"{greeting}, {name}"
      `,
    };
    await check(files, true);
    const backend = parsed.filter((text) => text.includes('class AuditedCache'));
    assert.deepEqual(backend.map((text) => text.includes('audit(data)')), [false]);
    const defaults = parsed.filter((text) => text.includes('def greet'));
    assert.ok(defaults.some((text) => text.includes('stores["default"].get("greeting")')), defaults.join('\n---\n'));
  } finally {
    PythonParser.prototype.parse = parse;
  }
});

test('a skipped function with a typed header still gives its parameters: which of them reach the key is read', async () => {
  const files: Files = {
    // The request does not reach the key: only `section` does. Without the parameters' names it would be taken to.
    'shop/keys.py': py`
      def dashboard_key(request: "HttpRequest", *, section: str = "main") -> str:
          return f"dashboard:{section}"
    `,
    'shop/views.py': py`
      from django.core.cache import cache
      from .keys import dashboard_key

      def dashboard(request):
          data = {"orders": list(request.user.orders.all())}
          cache.set(dashboard_key(request, section="orders"), data, 300)
          return data
    `,
  };
  const whole = await check(files, false);
  assert.ok(whole.some((finding) => finding.code === 'CACHE002' && finding.path === 'shop/views.py'), whole.map((finding) => `${finding.code} ${finding.path}`).join('\n'));
  assert.deepEqual(await check(files, true), whole);
});

test('a kept function with a docstring before its return still returns its value: the key builder is read', async () => {
  const files: Files = {
    'shop/views.py': py`
      from django.core.cache import cache

      def dashboard_key(request):
          """Key of the cached dashboard."""
          return "dashboard"

      def dashboard(request):
          data = {"orders": list(request.user.orders.all())}
          cache.set(dashboard_key(request), data, 300)
          return data
    `,
  };
  const whole = await check(files, false);
  assert.ok(
    whole.some((finding) => finding.code === 'CACHE002' && finding.range.start.line === 8),
    whole.map((finding) => `${finding.code} ${finding.range.start.line + 1}`).join('\n'),
  );
  assert.deepEqual(await check(files, true), whole);
});

test('line breaks of every kind and tab indentation skim to text that parses', async () => {
  const text = 'class A:\r\n\tdef f(self):\r\n\t\tx = (1,\r\n\t\t     2)\r\n\t\treturn x\r\n\r\n\tdef g(self):\r\n\t\treturn cache.get(1)\r\n';
  const skimmed = skimFunctionBodies(text, HINT);
  assert.ok(skimmed);
  assert.deepEqual([...skimmed.skippedDefinitions.keys()], [text.indexOf('def f')]);
  await assertParsesCleanly(skimmed.text);
  assert.equal(wholeOffset(skimmed, skimmed.text.indexOf('cache.get')), text.indexOf('cache.get'));
});

test('a text that does not tokenize cleanly is not skimmed: an open bracket, an open string, a broken indentation', () => {
  const body = 'def f():\n    x = 1\n    return x\n\n';
  assert.ok(skimFunctionBodies(body, HINT), 'the clean text is skimmed');
  for (const [what, text] of [
    ['an open bracket', `${body}values = [1,\n`],
    ['an open triple-quoted string', `${body}doc = """never closed\n`],
    ['an open one-line string', `${body}name = "never closed\n`],
    ['a dedent to no level', 'def f():\n        x = 1\n    return x\n'],
    ['an indent after no colon', 'x = 1\n    y = 2\ndef f():\n    return 1\n'],
    ['a block that is not indented', 'def f():\nreturn 1\ndef g():\n    return 2\n'],
  ]) {
    assert.equal(skimFunctionBodies(text, HINT), undefined, what);
  }
  // Tabs count to the next multiple of 8, as Python's tokenizer counts them: 8 spaces and a tab are one level.
  assert.ok(skimFunctionBodies('class A:\n        def f(self):\n\t\treturn 1\n\tdef g(self):\n\t\treturn 2\n', HINT));
});

function sampleFiles(): Files {
  const files: Files = {};
  const visit = (folder: string): void => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) visit(path);
      else files[`sample/${relative(SAMPLE, path)}`] = readFileSync(path, 'utf8');
    }
  };
  visit(SAMPLE);
  return files;
}

test('the sample project has the same findings skimmed and whole', async () => {
  const files = sampleFiles();
  const whole = await check(files, false);
  assert.ok(whole.length > 10, 'the sample project has findings to compare');
  assert.deepEqual(await check(files, true), whole);
});

test('what a skipped body holds is read when a rule needs it: key builders, aliased cache objects and helper calls', async () => {
  const files: Files = {
    // The key builder's body never names the cache: CACHE002 needs its return value to see the key lacks the user.
    'shop/keys.py': py`
      from django.core.cache import cache

      def dashboard_key(request):
          return "dashboard"

      def clear_dashboard(request):
          cache.delete(dashboard_key(request))
    `,
    'shop/views.py': py`
      from django.core.cache import cache
      from .keys import dashboard_key

      def dashboard(request):
          data = {"orders": list(request.user.orders.all())}
          cache.set(dashboard_key(request), data, 300)
          return data
    `,
    // A cache object under a name without "cache": the function using it must not be skipped unread.
    'shop/stores.py': py`
      from django.core.cache import caches as stores

      def remember(book):
          stores["default"].set(f"book:{book.pk}", book.title, None)

      def forget(book):
          pass
    `,
    // The delete helper is called from a body that never names the cache, under another name.
    'shop/prices.py': py`
      from django.core.cache import cache

      def invalidate(key):
          cache.delete(key)

      def store_price(book):
          cache.set(f"price:{book.pk}", book.price, None)
    `,
    'shop/signals.py': py`
      from django.core.cache import cache
      from .prices import invalidate as drop

      def on_save(sender, instance, **kwargs):
          drop(f"price:{instance.pk}")

      def unrelated():
          return cache
    `,
  };
  const whole = await check(files, false);
  const codes = whole.map((finding) => `${finding.code} ${finding.path}:${finding.range.start.line + 1}`);
  // The dashboard: one key for every user. The stores alias: never deleted, stored forever. The price:
  // invalidated by the aliased helper call.
  assert.ok(codes.includes('CACHE002 shop/views.py:6'), codes.join('\n'));
  assert.ok(codes.includes('CACHE001 shop/stores.py:4'), codes.join('\n'));
  assert.ok(!codes.some((code) => code.startsWith('CACHE001 shop/prices.py')), codes.join('\n'));
  assert.deepEqual(await check(files, true), whole);
});

const EDITS = ['x', '\n', '    ', '"', '(', ')', 'def f(request):\n    return request.user\n', '\ndef g():\n    return 1\n', 'cache.set("k", v, None)\n', '"""', '\\\n', '#', ''];

test('edited sample modules, broken ones too, have the same findings skimmed and whole', async () => {
  const files = sampleFiles();
  let state = 7;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  for (const path of ['sample/catalog/services.py', 'sample/catalog/views.py', 'sample/accounts/views.py', 'sample/catalog/signals.py']) {
    let text = files[path];
    for (let step = 0; step < 12; step++) {
      const start = Math.floor(next() * text.length);
      text = text.slice(0, start) + EDITS[Math.floor(next() * EDITS.length)] + text.slice(start + (next() < 0.5 ? 0 : Math.floor(next() * 20)));
      const edited = { ...files, [path]: text };
      assert.deepEqual(await check(edited, true), await check(edited, false), `${path}, step ${step}:\n${text}`);
    }
  }
});

test('fuzzed sample modules: everything the whole text finds, the skimmed text finds too', async () => {
  // Broken inputs included: a syntax error inside a skipped body may only add findings (see skim.ts), never lose one.
  let compared = 0;
  for (let index = 0; index < 200; index++) {
    const input = materialise(generateInput(pythonFrontEnd, 'skim', index));
    const files: Files = {};
    for (const path of input.companions) files[path] = readCompanion(path);
    files[input.path] = input.text;
    const skimmed = new Set((await check(files, true)).map((finding) => JSON.stringify(finding)));
    for (const finding of await check(files, false)) assert.ok(skimmed.has(JSON.stringify(finding)), `input ${index} (${input.origin}): ${JSON.stringify(finding)}`);
    compared++;
  }
  assert.equal(compared, 200);
});
