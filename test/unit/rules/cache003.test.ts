import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, flagged, py, spans } from '../../helpers/engine.js';
import { assertFixIsClean } from './support.js';

const CODE = 'CACHE003';

const LOCMEM_CACHES = py`
  CACHES = {
      "default": {
          "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
          "LOCATION": "unique-snowflake",
      }
  }
`;

const REDIS_CACHES = py`
  CACHES = {
      "default": {
          "BACKEND": "django.core.cache.backends.redis.RedisCache",
          "LOCATION": "redis://127.0.0.1:6379/1",
      }
  }
`;

const MANAGE_PY = py`
  #!/usr/bin/env python
  import os
  import sys

  if __name__ == "__main__":
      os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.production")
      from django.core.management import execute_from_command_line
      execute_from_command_line(sys.argv)
`;

// ---- flagged ----

test('LocMemCache as the default alias in settings/production.py is flagged; the span is the BACKEND value', async () => {
  const files = { 'manage.py': MANAGE_PY, 'shop/settings/production.py': LOCMEM_CACHES };
  assert.deepEqual(await flagged(CODE, files), ['shop/settings/production.py:3']);
  assert.deepEqual(await spans(CODE, files), ['"django.core.cache.backends.locmem.LocMemCache"']);
});

test('a single settings.py is production settings', async () => {
  const files = { 'shop/settings.py': `DEBUG = False\n\n${LOCMEM_CACHES}` };
  assert.deepEqual(await flagged(CODE, files), ['shop/settings.py:5']);
});

test('settings/social.py is not "ci": it is production and flagged', async () => {
  const files = { 'shop/settings/social.py': LOCMEM_CACHES };
  assert.deepEqual(await flagged(CODE, files), ['shop/settings/social.py:3']);
});

test('an `else:` branch of `if DEBUG:` is production and flagged', async () => {
  const files = {
    'shop/settings.py': py`
      DEBUG = False

      if DEBUG:
          CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
      else:
          CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/settings.py:6']);
});

test('`if not DEBUG:` is production and flagged', async () => {
  const files = {
    'shop/settings.py': py`
      import os

      DEBUG = os.environ.get("DEBUG") == "1"

      if not DEBUG:
          CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/settings.py:6']);
});

test('a BACKEND held in a constant is resolved', async () => {
  const files = {
    'shop/settings.py': py`
      LOCMEM = "django.core.cache.backends.locmem.LocMemCache"

      CACHES = {"default": {"BACKEND": LOCMEM}}
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/settings.py:3']);
  assert.deepEqual(await spans(CODE, files), ['LOCMEM']);
});

test('a base module star-imported by production without an override is flagged in the base', async () => {
  const files = {
    'manage.py': MANAGE_PY,
    'shop/settings/__init__.py': '',
    'shop/settings/base.py': `DEBUG = False\n\n${LOCMEM_CACHES}`,
    'shop/settings/production.py': py`
      from .base import *  # noqa: F401,F403

      ALLOWED_HOSTS = ["shop.example.com"]
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/settings/base.py:5']);
});

test('a base module star-imported by the module DJANGO_SETTINGS_MODULE names is flagged', async () => {
  const files = {
    'manage.py': MANAGE_PY.replace('shop.settings.production', 'shop.conf.live'),
    'shop/conf/__init__.py': '',
    'shop/conf/common.py': LOCMEM_CACHES,
    'shop/conf/live.py': py`
      from shop.conf.common import *

      ALLOWED_HOSTS = ["shop.example.com"]
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/conf/common.py:3']);
});

test('a base module imported by both dev and production (no override) is flagged', async () => {
  const files = {
    'shop/settings/base.py': LOCMEM_CACHES,
    'shop/settings/dev.py': 'from .base import *\n\nDEBUG = True\n',
    'shop/settings/production.py': 'from .base import *\n\nDEBUG = False\n',
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/settings/base.py:3']);
});

test('the session cache alias with LocMemCache is flagged', async () => {
  const files = {
    'shop/settings.py': py`
      SESSION_ENGINE = "django.contrib.sessions.backends.cache"
      SESSION_CACHE_ALIAS = "sessions"

      CACHES = {
          "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://cache:6379/0"},
          "sessions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/settings.py:6']);
});

test('the cached_db session engine counts as a cache session engine', async () => {
  const files = {
    'shop/settings.py': py`
      SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
      SESSION_CACHE_ALIAS = "sessions"

      CACHES = {
          "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://cache:6379/0"},
          "sessions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/settings.py:6']);
});

test('the template_fragments alias and the cache_page(cache=...) alias with LocMemCache are flagged', async () => {
  const files = {
    'shop/settings.py': py`
      CACHES = {
          "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://cache:6379/0"},
          "template_fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
          "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
          "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
      }
    `,
    'shop/views.py': py`
      from django.views.decorators.cache import cache_page

      @cache_page(60, cache="pages")
      def catalogue(request):
          ...
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/settings.py:3', 'shop/settings.py:4']);
});

test('the cache_page alias is read through method_decorator and a name bound to cache_page; another decorator\'s cache= is not it', async () => {
  const settings = py`
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://cache:6379/0"},
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
  `;
  const methodDecorator = py`
    from django.utils.decorators import method_decorator
    from django.views.decorators.cache import cache_page
    from django.views.generic import TemplateView

    @method_decorator(cache_page(60, cache="pages"), name="dispatch")
    class Catalogue(TemplateView):
        template_name = "catalogue.html"
  `;
  const boundName = py`
    from django.views.decorators.cache import cache_page

    cached_for_a_minute = cache_page(60, cache="pages")

    @cached_for_a_minute
    def catalogue(request):
        ...
  `;
  const otherDecorator = py`
    from memoize import memoize

    @memoize(timeout=60, cache="pages")
    def prices(request):
        ...
  `;
  assert.deepEqual(await flagged(CODE, { 'shop/settings.py': settings, 'shop/views.py': methodDecorator }), ['shop/settings.py:3']);
  assert.deepEqual(await flagged(CODE, { 'shop/settings.py': settings, 'shop/views.py': boundName }), ['shop/settings.py:3']);
  assert.deepEqual(await flagged(CODE, { 'shop/settings.py': settings, 'shop/views.py': otherDecorator }), []);
});

test('the CACHE_MIDDLEWARE_ALIAS alias with LocMemCache is flagged', async () => {
  const files = {
    'shop/settings.py': py`
      CACHE_MIDDLEWARE_ALIAS = "site"

      CACHES = {
          "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://cache:6379/0"},
          "site": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), ['shop/settings.py:5']);
});

test('production-settings globs make a dev-named module production', async () => {
  const files = { 'config/settings/local.py': LOCMEM_CACHES };
  assert.deepEqual(await flagged(CODE, files), []);
  assert.deepEqual(await flagged(CODE, files, { productionSettings: ['config/settings/local.py'] }), ['config/settings/local.py:3']);
  assert.deepEqual(await flagged(CODE, files, { productionSettings: ['**/local.py'] }), ['config/settings/local.py:3']);
});

// ---- quiet ----

const DEV_PATHS = [
  'shop/settings/dev.py',
  'shop/settings/development.py',
  'shop/settings/local.py',
  'shop/settings/test.py',
  'shop/settings/test_settings.py',
  'shop/settings/testing.py',
  'shop/settings/ci.py',
  'ci.py',
  'shop/settings_local.py',
  'shop/tests/settings.py',
  'shop/settings/dev_docker.py',
];

for (const path of DEV_PATHS) {
  test(`quiet in development/test settings by name: ${path}`, async () => {
    assert.deepEqual(await flagged(CODE, { [path]: LOCMEM_CACHES }), []);
  });
}

test('quiet under an `if DEBUG:` guard', async () => {
  const files = {
    'shop/settings.py': py`
      import os

      DEBUG = os.environ.get("DEBUG") == "1"

      CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}}

      if DEBUG:
          CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet in a base module when production overrides CACHES', async () => {
  const files = {
    'manage.py': MANAGE_PY,
    'shop/settings/base.py': LOCMEM_CACHES,
    'shop/settings/production.py': `from .base import *\n\n${REDIS_CACHES}`,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet in a base module when production replaces the default alias by subscript', async () => {
  const files = {
    'shop/settings/base.py': LOCMEM_CACHES,
    'shop/settings/production.py': py`
      from .base import *

      CACHES["default"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://cache:6379/0"}
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet in a base module only imported by dev and test settings', async () => {
  const files = {
    'shop/settings/base.py': LOCMEM_CACHES,
    'shop/settings/dev.py': 'from .base import *\n\nDEBUG = True\n',
    'shop/settings/test.py': 'from .base import *\n\nPASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]\n',
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('dev-settings globs make a production-named module development', async () => {
  const files = { 'config/settings/sandbox.py': LOCMEM_CACHES };
  assert.deepEqual(await flagged(CODE, files), ['config/settings/sandbox.py:3']);
  assert.deepEqual(await flagged(CODE, files, { devSettings: ['config/settings/sandbox.py'] }), []);
  assert.deepEqual(await flagged(CODE, files, { devSettings: ['sandbox.py'] }), []);
});

test('quiet on a deliberate extra "local" LocMemCache alias beside a Redis default', async () => {
  const files = {
    'shop/settings/production.py': py`
      CACHES = {
          "default": {
              "BACKEND": "django.core.cache.backends.redis.RedisCache",
              "LOCATION": "redis://cache:6379/0",
          },
          "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet on a LocMemCache "sessions" alias when sessions are stored in the database', async () => {
  const files = {
    'shop/settings.py': py`
      SESSION_ENGINE = "django.contrib.sessions.backends.db"
      SESSION_CACHE_ALIAS = "sessions"

      CACHES = {
          "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://cache:6379/0"},
          "sessions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet on shared backends (Redis, Memcached, database, file) in production', async () => {
  const files = {
    'shop/settings/production.py': py`
      CACHES = {
          "default": {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache", "LOCATION": "cache:11211"},
          "db": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cache_table"},
          "files": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": "/var/tmp/cache"},
      }
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

test('quiet on a module that is not settings (no CACHES or MIDDLEWARE assignment)', async () => {
  const files = {
    'shop/docs.py': py`
      from django.core.cache import cache

      EXAMPLE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

      def example():
          return cache.get("docs:example")
    `,
  };
  assert.deepEqual(await flagged(CODE, files), []);
});

// ---- the fix ----

test('the fix switches to Redis, adds LOCATION from the environment and `import os` after the imports', async () => {
  const files = {
    'shop/settings/production.py': py`
      from pathlib import Path

      BASE_DIR = Path(__file__).resolve().parent.parent

      CACHES = {
          "default": {
              "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
          }
      }
    `,
  };
  const text = await assertFixIsClean(CODE, files, 'shop/settings/production.py');
  assert.equal(
    text,
    py`
      from pathlib import Path
      import os

      BASE_DIR = Path(__file__).resolve().parent.parent

      CACHES = {
          "default": {
              "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
          }
      }
    `,
  );
});

test('the fix replaces an existing LOCATION and adds `import os` at the top of a file without imports', async () => {
  const files = { 'shop/settings/production.py': LOCMEM_CACHES };
  const text = await assertFixIsClean(CODE, files, 'shop/settings/production.py');
  assert.equal(
    text,
    'import os\n' +
      py`
        CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            }
        }
      `,
  );
});

test('the fix keeps single quotes and does not import os twice', async () => {
  const files = {
    'shop/settings.py': py`
      import os

      CACHES = {'default': {'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}}
    `,
  };
  const text = await assertFixIsClean(CODE, files, 'shop/settings.py');
  assert.equal(
    text,
    py`
      import os

      CACHES = {'default': {'BACKEND': 'django.core.cache.backends.redis.RedisCache', 'LOCATION': os.environ.get('REDIS_URL', 'redis://127.0.0.1:6379/0')}}
    `,
  );
});

test('the fix of a base module parses and leaves the project quiet', async () => {
  const files = {
    'shop/settings/base.py': `from pathlib import Path\n\n${LOCMEM_CACHES}`,
    'shop/settings/production.py': 'from .base import *\n',
  };
  await assertFixIsClean(CODE, files, 'shop/settings/base.py');
});

test('the fix works on a file with a module docstring and a __future__ import', async () => {
  const files = {
    'shop/settings.py': py`
      """Production settings."""
      from __future__ import annotations

      CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    `,
  };
  const text = await assertFixIsClean(CODE, files, 'shop/settings.py');
  assert.equal(text.split('\n').slice(0, 3).join('\n'), '"""Production settings."""\nfrom __future__ import annotations\nimport os');
});

test("Django's own default settings (django/conf/global_settings.py) are not a project's settings", async () => {
  const files = {
    'django/conf/global_settings.py': 'CACHES = {\n    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},\n}\n',
  };
  assert.deepEqual(await flagged('CACHE003', files), []);
  assert.deepEqual(await flagged('CACHE003', { 'myproject/global_settings.py': files['django/conf/global_settings.py'] }), ['myproject/global_settings.py:2']);
});

// ---- fallbacks judged by how the project deploys ----

const ENV_CACHE_URL = py`
  import environ

  env = environ.Env()

  CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
`;

const REDIS_OR_LOCMEM = py`
  import os

  if os.environ.get("REDIS_URL"):
      CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}}
  else:
      CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
`;

const ONLY_WHEN_SET = py`
  import environ

  env = environ.Env(SHOP_CACHE_URL=(str, ""))

  MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware"]

  if env("SHOP_CACHE_URL"):
      CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("SHOP_CACHE_URL")}}
`;

const COMPOSE = (environment: string): string => py`
  services:
    web:
      build: .
      command: gunicorn shop.wsgi --workers 4 --bind 0.0.0.0:8000
      environment:
  ${environment}
    worker:
      build: .
      command: celery -A shop worker
    redis:
      image: redis:7
`;

async function cache003(files: Record<string, string>): Promise<{ at: string; severity: string; message: string }[]> {
  return (await findingsOf(files))
    .filter((finding) => finding.code === CODE)
    .map((finding) => ({ at: `${finding.path}:${finding.range.start.line + 1}`, severity: finding.severity, message: finding.message }));
}

test('env.cache() defaulting to LocMem, shipped compose file without CACHE_URL: a warning naming the file and the variable, on the default', async () => {
  const files = { 'shop/settings.py': ENV_CACHE_URL, 'docker-compose.yml': COMPOSE('      DATABASE_URL: postgres://db/shop') };
  const found = await cache003(files);
  assert.deepEqual(found.map(({ at, severity }) => [at, severity]), [['shop/settings.py:5', 'warning']]);
  assert.match(found[0].message, /CACHE_URL/);
  assert.match(found[0].message, /docker-compose\.yml/);
  assert.deepEqual(await spans(CODE, files), ['"locmemcache://"']);
});

test('env.cache() defaulting to LocMem is quiet when every shipped deployment sets CACHE_URL', async () => {
  const files = {
    'shop/settings.py': ENV_CACHE_URL,
    'docker-compose.yml': COMPOSE('      CACHE_URL: redis://redis:6379/1'),
    'deploy/helm/shop/templates/deployment.yaml': 'kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - env:\n            - name: CACHE_URL\n              value: redis://redis:6379/1\n',
  };
  assert.deepEqual(await cache003(files), []);
});

test('one chart of two leaving CACHE_URL unset is enough to flag, and the message names it', async () => {
  const files = {
    'shop/settings.py': ENV_CACHE_URL,
    'docker-compose.yml': COMPOSE('      CACHE_URL: redis://redis:6379/1'),
    'helm/shop/Chart.yaml': 'name: shop\n',
    'helm/shop/templates/deployment.yaml': 'kind: Deployment\nspec:\n  replicas: 3\n',
  };
  const found = await cache003(files);
  assert.equal(found.length, 1);
  assert.match(found[0].message, /helm\/shop\/templates\/deployment\.yaml/);
});

test('a variable set to an empty value does not count as set', async () => {
  const files = { 'shop/settings.py': ENV_CACHE_URL, 'docker-compose.yml': COMPOSE("      CACHE_URL: ''") };
  assert.deepEqual((await cache003(files)).map(({ severity }) => severity), ['warning']);
});

test('compose reading an env file: the .env example that sets the variable counts', async () => {
  const compose = COMPOSE('      DEBUG_TOOLBAR: "0"').replace('    command: gunicorn', '    env_file: .env\n    command: gunicorn');
  assert.deepEqual(await cache003({ 'shop/settings.py': ENV_CACHE_URL, 'docker-compose.yml': compose, '.env.example': 'CACHE_URL=redis://redis:6379/1\n' }), []);
  assert.equal((await cache003({ 'shop/settings.py': ENV_CACHE_URL, 'docker-compose.yml': compose, '.env.example': 'SECRET_KEY=change-me\n' })).length, 1);
});

test('with no deployment files, a fallback is reported as information only', async () => {
  const found = await cache003({ 'shop/settings.py': ENV_CACHE_URL });
  assert.deepEqual(found.map(({ at, severity }) => [at, severity]), [['shop/settings.py:5', 'info']]);
});

test('development-only deployment files (dev compose, DEBUG on, runserver) leave a fallback as information', async () => {
  const devCompose = 'services:\n  web:\n    build: .\n    command: python manage.py runserver 0.0.0.0:8000\n';
  const debugCompose = COMPOSE('      DJANGO_DEBUG: "true"');
  const variants: Record<string, string>[] = [{ 'docker-compose.dev.yml': COMPOSE('      X: 1') }, { 'docker-compose.yml': devCompose }, { 'docker-compose.yml': debugCompose }];
  for (const files of variants) {
    assert.deepEqual((await cache003({ 'shop/settings.py': ENV_CACHE_URL, ...files })).map(({ severity }) => severity), ['info'], Object.keys(files)[0]);
  }
});

test('`if os.environ.get("REDIS_URL"): ... else: LocMem` with a Procfile: flagged unless app.json provisions Redis', async () => {
  const procfile = 'web: gunicorn shop.wsgi\nworker: celery -A shop worker\n';
  const bare = { 'shop/settings.py': REDIS_OR_LOCMEM, Procfile: procfile, 'app.json': '{"name": "shop", "addons": ["heroku-postgresql"]}' };
  const found = await cache003(bare);
  assert.deepEqual(found.map(({ at, severity }) => [at, severity]), [['shop/settings.py:6', 'warning']]);
  assert.match(found[0].message, /REDIS_URL/);
  assert.deepEqual(await cache003({ ...bare, 'app.json': '{"name": "shop", "addons": ["heroku-postgresql", "heroku-redis:mini"]}' }), []);
});

test('CACHES only assigned when a variable is set (Django default LocMem otherwise): flagged on the condition when a chart does not set it', async () => {
  const chart = { 'helm/shop/Chart.yaml': 'name: shop\n', 'helm/shop/templates/web.yaml': 'kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - command: ["uwsgi", "--processes", "4"]\n' };
  const found = await cache003({ 'shop/settings.py': ONLY_WHEN_SET, ...chart });
  assert.deepEqual(found.map(({ at, severity }) => [at, severity]), [['shop/settings.py:7', 'warning']]);
  assert.match(found[0].message, /SHOP_CACHE_URL/);
  assert.deepEqual(await spans(CODE, { 'shop/settings.py': ONLY_WHEN_SET, ...chart }), ['env("SHOP_CACHE_URL")']);
  const setting = { ...chart, 'helm/shop/templates/configmap.yaml': 'kind: ConfigMap\ndata:\n  SHOP_CACHE_URL: "redis://shop-redis:6379/1"\n' };
  assert.deepEqual(await cache003({ 'shop/settings.py': ONLY_WHEN_SET, ...setting }), []);
});

test('LocMem written first and replaced when a variable is set (through a module flag) is a fallback judged by the deployment', async () => {
  const settings = py`
    import os

    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    HAS_REDIS = bool(os.environ.get("SHOP_REDIS"))
    if HAS_REDIS:
        CACHES["default"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["SHOP_REDIS"]}
  `;
  assert.deepEqual(await cache003({ 'shop/settings.py': settings, 'docker-compose.yml': COMPOSE('      SHOP_REDIS: redis://redis:6379/0') }), []);
  const found = await cache003({ 'shop/settings.py': settings, 'docker-compose.yml': COMPOSE('      OTHER: 1') });
  assert.deepEqual(found.map(({ at, severity }) => [at, severity]), [['shop/settings.py:3', 'warning']]);
  assert.match(found[0].message, /SHOP_REDIS/);
});

test('a later conditional change of another alias does not make the default LocMem a fallback', async () => {
  const settings = py`
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    if "staticfiles" not in CACHES:
        CACHES["staticfiles"] = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": "/tmp/static"}
  `;
  const found = await cache003({ 'shop/settings.py': settings, 'shop/views.py': CACHE_USING_VIEW, 'docker-compose.yml': COMPOSE('      CACHE_URL: redis://redis:6379/1') });
  assert.deepEqual(found.map(({ at, severity }) => [at, severity]), [['shop/settings.py:1', 'warning']]);
  assert.match(found[0].message, /is LocMemCache in production settings/);
});

test('quiet when LocMem is opted into by a variable (`elif CACHE_TYPE == "locmem":`)', async () => {
  const settings = py`
    import os

    CACHE_TYPE = os.environ.get("CACHE_TYPE", "redis")

    if CACHE_TYPE == "redis":
        CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ.get("CACHE_URL", "redis://redis:6379/1")}}
    elif CACHE_TYPE == "locmem":
        CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
  `;
  assert.deepEqual(await cache003({ 'shop/settings.py': settings, 'docker-compose.yml': COMPOSE('      OTHER: 1') }), []);
});

test('quiet on fallbacks in development and test settings', async () => {
  const files = { 'shop/settings/test.py': ENV_CACHE_URL, 'shop/settings/local.py': REDIS_OR_LOCMEM, 'docker-compose.yml': COMPOSE('      OTHER: 1') };
  assert.deepEqual(await cache003(files), []);
});

test('quiet on a fallback that defaults to a shared backend', async () => {
  const settings = ENV_CACHE_URL.replace('locmemcache://', 'redis://redis:6379/1');
  assert.deepEqual(await cache003({ 'shop/settings.py': settings, 'docker-compose.yml': COMPOSE('      OTHER: 1') }), []);
});

test('written LocMem stays quiet when every shipped deployment sets a cache variable that settings code reads (an override file the image adds)', async () => {
  const override = py`
    import os

    if os.environ.get("CACHE_URL"):
        CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["CACHE_URL"]}}
  `;
  const base = { 'shop/settings.py': LOCMEM_CACHES, 'docker/extra_settings.py': override };
  assert.deepEqual(await cache003({ ...base, 'docker-compose.yml': COMPOSE('      CACHE_URL: redis://redis:6379/1') }), []);
  // Nothing in the settings reads the variable the deployment sets: the written LocMem is what runs.
  assert.equal((await cache003({ 'shop/settings.py': LOCMEM_CACHES, 'docker-compose.yml': COMPOSE('      CACHE_URL: redis://redis:6379/1') })).length, 1);
});

test('`if not DEBUG and os.getenv("REDIS_CACHE_LOCATION") is not None:` with no else: production falls back to Django\'s LocMem unless the variable is set', async () => {
  const settings = py`
    import os

    DEBUG = os.getenv("DEBUG", "False") == "True"

    if not DEBUG and os.getenv("REDIS_CACHE_LOCATION") is not None:
        CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.getenv("REDIS_CACHE_LOCATION")}}
  `;
  const found = await cache003({ 'shop/settings.py': settings, 'docker-compose.yml': COMPOSE('      OTHER: 1') });
  assert.deepEqual(found.map(({ at, severity }) => [at, severity]), [['shop/settings.py:5', 'warning']]);
  assert.match(found[0].message, /REDIS_CACHE_LOCATION/);
  assert.deepEqual(await cache003({ 'shop/settings.py': settings.replace('if not DEBUG and', 'if DEBUG and'), 'docker-compose.yml': COMPOSE('      OTHER: 1') }), []);
});

test('a base star-imported only by a production module that loads its settings at run time (vars().update(yaml)) and by docs settings is quiet', async () => {
  const production = py`
    import yaml

    from shop.settings.base import *

    with open("/etc/shop.yml") as f:
        vars().update(yaml.safe_load(f))
  `;
  const docs = 'from shop.settings.base import *\n';
  const files = { 'shop/settings/base.py': LOCMEM_CACHES, 'shop/settings/production.py': production, 'shop/settings/docs_settings.py': docs };
  assert.deepEqual(await flagged(CODE, files), []);
  // The same base star-imported by a plain production module is flagged.
  assert.deepEqual(await flagged(CODE, { ...files, 'shop/settings/production.py': 'from shop.settings.base import *\nDEBUG = False\n' }), ['shop/settings/base.py:3']);
});

test('LocMem followed by a star import of local settings the repository does not hold (written at install time) is quiet; one it holds still counts', async () => {
  const settings = `${LOCMEM_CACHES}\ntry:\n    from settings_local import *\nexcept ImportError:\n    pass\n`;
  assert.deepEqual(await flagged(CODE, { 'shop/settings.py': settings }), []);
  const local = 'DEBUG = False\n';
  assert.deepEqual(await flagged(CODE, { 'shop/settings.py': settings, 'settings_local.py': local }), ['shop/settings.py:3']);
});

test('a settings_local.py of the same name in docs/ is a look-alike, not the one the settings import', async () => {
  const settings = `${LOCMEM_CACHES}\ntry:\n    from settings_local import *\nexcept ImportError:\n    pass\n`;
  const files = { 'shop/settings.py': settings, 'docs/manual/settings_local.py': 'DEBUG = True\n' };
  assert.deepEqual(await flagged(CODE, files), []);
  // Beside the settings module (or above it) it is the real one: the repository says what it holds.
  assert.deepEqual(await flagged(CODE, { 'shop/settings.py': settings, 'shop/settings_local.py': 'DEBUG = False\n' }), ['shop/settings.py:3']);
});

// ---- how many processes a shipped deployment runs ----

const ONE_SERVICE_COMPOSE = 'services:\n  web:\n    build: .\n    env_file: .env\n  db:\n    image: postgres:16\n  proxy:\n    image: nginx:stable\n';
const DOCKERFILE = 'FROM python:3.12\nCOPY . /app\nWORKDIR /app\nHEALTHCHECK CMD curl -f http://localhost:8000/\nCMD ["./docker/start.sh"]\n';
const START = (workers: string): string => `#!/bin/sh\nset -e\n./docker/migrate.sh\nexec gunicorn shop.wsgi \\\n    --bind 0.0.0.0:8000 \\\n    --workers ${workers}\n`;
const MIGRATE = '#!/bin/sh\npython manage.py migrate --noinput\n';

function singleWebProcess(workers = '${WEB_WORKERS:-1}'): Record<string, string> {
  return { 'docker-compose.yml': ONE_SERVICE_COMPOSE, Dockerfile: DOCKERFILE, 'docker/start.sh': START(workers), 'docker/migrate.sh': MIGRATE, '.env.example': 'SECRET_KEY=change-me\n' };
}

test('quiet when the only shipped deployment runs one gunicorn worker (compose -> Dockerfile CMD -> start script, default count 1) and nothing else', async () => {
  assert.deepEqual(await cache003({ 'shop/settings.py': ONLY_WHEN_SET, ...singleWebProcess() }), []);
  assert.deepEqual(await cache003({ 'shop/settings.py': ENV_CACHE_URL, ...singleWebProcess('1') }), []);
  // Written LocMem too: its one copy is the only one.
  assert.deepEqual(await cache003({ 'shop/settings.py': LOCMEM_CACHES, ...singleWebProcess('=1') }), []);
});

test('flagged when the launch scripts run several workers, the deployment raises the count, or the count cannot be read', async () => {
  const variants: [string, Record<string, string>][] = [
    ['default count 3', singleWebProcess('${WEB_WORKERS:-3}')],
    ['count set by the env file', { ...singleWebProcess(), '.env.example': 'WEB_WORKERS=4\n' }],
    ['no count: gunicorn reads WEB_CONCURRENCY or a config', singleWebProcess('"$WEB_WORKERS"')],
    ['a Celery worker service beside the web one', { ...singleWebProcess(), 'docker-compose.yml': `${ONE_SERVICE_COMPOSE}  worker:\n    build: .\n    command: celery -A shop worker\n` }],
    ['a worker started by the same script', { ...singleWebProcess(), 'docker/migrate.sh': `${MIGRATE}celery -A shop worker --detach\n` }],
    ['two replicas of the one service', { ...singleWebProcess(), 'docker-compose.yml': ONE_SERVICE_COMPOSE.replace('    env_file: .env\n', '    env_file: .env\n    deploy:\n      replicas: 2\n') }],
  ];
  for (const [what, deployment] of variants) {
    const found = await cache003({ 'shop/settings.py': ONLY_WHEN_SET, ...deployment });
    assert.deepEqual(found.map(({ severity }) => severity), ['warning'], what);
    assert.match(found[0].message, /docker-compose\.yml/, what);
  }
  assert.equal((await cache003({ 'shop/settings.py': LOCMEM_CACHES, ...singleWebProcess('${WEB_WORKERS:-3}') })).length, 1);
});

test('a start script of the same name that the deployment never runs does not count, and one it names does', async () => {
  // ssl-start.sh is shipped but nothing starts it; the Celery script neither.
  const files = { 'shop/settings.py': ONLY_WHEN_SET, ...singleWebProcess(), 'docker/ssl-start.sh': START('8'), 'docker/worker.sh': 'exec celery -A shop worker\n' };
  assert.deepEqual(await cache003(files), []);
  const runsBoth = { ...files, Dockerfile: DOCKERFILE.replace('CMD ["./docker/start.sh"]', 'CMD ["sh", "-c", "./docker/worker.sh & ./docker/start.sh"]') };
  assert.equal((await cache003(runsBoth)).length, 1);
});

test('Heroku: one web dyno of one worker is quiet; a second dyno, a worker process type or a count from a gunicorn config above 1 is flagged', async () => {
  const appJson = (quantity: number): string => `{"name": "shop", "formation": {"web": {"quantity": ${quantity}, "size": "basic"}}, "env": {"SECRET_KEY": {"generator": "secret"}}}`;
  const config = (workers: string): string => `import os\n\nbind = "0.0.0.0:" + os.environ.get("PORT", "8000")\nworkers = ${workers}\n`;
  const heroku = (quantity: number, procfile: string, workers: string): Record<string, string> => ({ 'shop/settings.py': REDIS_OR_LOCMEM, 'app.json': appJson(quantity), Procfile: procfile, 'gunicorn.conf.py': config(workers) });
  const web = 'release: python manage.py migrate\nweb: gunicorn shop.wsgi --config gunicorn.conf.py\n';
  assert.deepEqual(await cache003(heroku(1, web, 'int(os.environ.get("GUNICORN_WORKERS", 1))')), []);
  assert.equal((await cache003(heroku(2, web, 'int(os.environ.get("GUNICORN_WORKERS", 1))'))).length, 1);
  assert.equal((await cache003(heroku(1, `${web}worker: python manage.py rqworker default\n`, '1'))).length, 1);
  assert.equal((await cache003(heroku(1, web, 'os.environ.get("GUNICORN_WORKERS") or 2'))).length, 1);
});

test('a chart with one replica running `uwsgi --processes 1` is quiet; two replicas are flagged', async () => {
  const chart = (replicas: string): Record<string, string> => ({
    'helm/shop/Chart.yaml': 'name: shop\n',
    'helm/shop/templates/web.yaml': `kind: Deployment\nspec:\n  replicas: ${replicas}\n  template:\n    spec:\n      containers:\n        - command: ["uwsgi", "--module", "shop.wsgi", "--processes", "1"]\n`,
  });
  assert.deepEqual(await cache003({ 'shop/settings.py': ONLY_WHEN_SET, ...chart('1') }), []);
  assert.equal((await cache003({ 'shop/settings.py': ONLY_WHEN_SET, ...chart('2') })).length, 1);
  assert.equal((await cache003({ 'shop/settings.py': ONLY_WHEN_SET, ...chart('{{ .Values.replicas }}') })).length, 1);
});

test('local settings the repository does not keep in place but its Dockerfile copies there: judged by the copied file', async () => {
  const settings = `${LOCMEM_CACHES}\ntry:\n    from .settings_local import *\nexcept ImportError:\n    pass\n`;
  const image = (destination: string): string => `FROM python:3.12\nCOPY . /srv/app\nCOPY docker/settings_local.py ${destination}\nCMD ["gunicorn", "shop.wsgi", "--workers", "4"]\n`;
  const withoutCaches = 'import os\n\nSECRET_KEY = os.environ["SECRET_KEY"]\nALLOWED_HOSTS = ["*"]\n';
  const files = (destination: string, local: string): Record<string, string> => ({ 'shop/settings.py': settings, Dockerfile: image(destination), 'docker/settings_local.py': local });
  // The image's local settings leave CACHES alone: the LocMem written above is what runs.
  assert.deepEqual(await flagged(CODE, files('/srv/app/shop/settings_local.py', withoutCaches)), ['shop/settings.py:3']);
  assert.deepEqual(await flagged(CODE, files('${APP_ROOT}/shop/', withoutCaches)), ['shop/settings.py:3']);
  // The copied file sets CACHES: production's cache is decided there.
  assert.deepEqual(await flagged(CODE, files('/srv/app/shop/settings_local.py', `${withoutCaches}\n${REDIS_CACHES}`)), []);
  // Copied somewhere the settings do not import from: still an installation's own file, quiet as before.
  assert.deepEqual(await flagged(CODE, files('/srv/app/tools/settings_local.py', withoutCaches)), []);
});

test('settings that manage.py or wsgi.py runs directly are production even when test settings also star-import them', async () => {
  const files = {
    'shop/settings.py': LOCMEM_CACHES,
    'tests/test_settings.py': 'from shop.settings import *\n\nPASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]\n',
  };
  // Only a base of the test settings: quiet.
  assert.deepEqual(await flagged(CODE, files), []);
  const wsgi = 'import os\n\nfrom django.core.wsgi import get_wsgi_application\n\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")\napplication = get_wsgi_application()\n';
  assert.deepEqual(await flagged(CODE, { ...files, 'shop/wsgi.py': wsgi }), ['shop/settings.py:3']);
  // A wsgi.py of the test project names the test settings: still quiet.
  assert.deepEqual(await flagged(CODE, { ...files, 'tests/wsgi.py': wsgi.replace('shop.settings', 'tests.test_settings') }), []);
});

const FROM_CONFIG_FILE = py`
  import json
  import os

  with open(os.path.join(os.environ["SHOP_CONF_DIR"], "base.json")) as f:
      shop_conf = json.load(f)

  django_conf = shop_conf.get("django", {})
  SECRET_KEY = django_conf["SECRET_KEY"]
  ALLOWED_HOSTS = django_conf.get("ALLOWED_HOSTS", [])

  if "CACHES" in django_conf:
      CACHES = django_conf["CACHES"]
`;

test('CACHES only when a configuration file provides it: flagged on the condition when a shipped deployment points at a config without CACHES', async () => {
  const compose = COMPOSE('      SHOP_CONF_DIR: /srv/shop/conf/prod/');
  const config = (caches: string): string => `{"django": {"SECRET_KEY": "change-me", "ALLOWED_HOSTS": ["shop.example.com"]${caches}}}\n`;
  const files = { 'shop/settings.py': FROM_CONFIG_FILE, 'docker-compose.yml': compose, 'conf/prod/base.json': config('') };
  const found = await cache003(files);
  assert.deepEqual(found.map(({ at, severity }) => [at, severity]), [['shop/settings.py:11', 'warning']]);
  assert.match(found[0].message, /conf\/prod\/base\.json/);
  assert.match(found[0].message, /docker-compose\.yml/);
  assert.deepEqual(await spans(CODE, files), ['"CACHES" in django_conf']);
  // The configuration provides a shared cache.
  assert.deepEqual(await cache003({ ...files, 'conf/prod/base.json': config(', "CACHES": {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://redis:6379/1"}}') }), []);
});

test('CACHES from a configuration file stays quiet when no deployment points at a config file the settings read, or the deployment is one process', async () => {
  const config = '{"django": {"SECRET_KEY": "change-me"}}\n';
  // Nothing in the compose file names the folder.
  assert.deepEqual(await cache003({ 'shop/settings.py': FROM_CONFIG_FILE, 'docker-compose.yml': COMPOSE('      OTHER: 1'), 'conf/prod/base.json': config }), []);
  // The folder it names holds a file of other keys (a proxy's config), not the settings' mapping.
  assert.deepEqual(await cache003({ 'shop/settings.py': FROM_CONFIG_FILE, 'docker-compose.yml': COMPOSE('      SHOP_CONF_DIR: /srv/shop/conf/prod/'), 'conf/prod/base.json': '{"upstream": "web:8000"}\n' }), []);
  // One gunicorn worker and nothing beside it.
  const single = { ...singleWebProcess(), 'docker-compose.yml': ONE_SERVICE_COMPOSE.replace('    env_file: .env\n', '    env_file: .env\n    environment:\n      SHOP_CONF_DIR: /srv/shop/conf/prod/\n') };
  assert.deepEqual(await cache003({ 'shop/settings.py': FROM_CONFIG_FILE, ...single, 'conf/prod/base.json': config }), []);
});

test('a Procfile or an image alone does not show the environment: a fallback they leave unset is information, not a warning; app.json or compose that omit it are warnings', async () => {
  const procfile = 'web: gunicorn shop.wsgi --workers 4\nworker: celery -A shop worker\n';
  const dockerfile = 'FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\nCMD ["gunicorn", "shop.wsgi", "--workers", "4"]\n';
  for (const files of [{ Procfile: procfile }, { Dockerfile: dockerfile }] as Record<string, string>[]) {
    const found = await cache003({ 'shop/settings.py': REDIS_OR_LOCMEM, ...files });
    assert.deepEqual(found.map(({ severity }) => severity), ['info'], Object.keys(files)[0]);
    assert.match(found[0].message, /REDIS_URL/);
  }
  // The same Procfile beside an app.json that lists the environment without Redis, or a compose file without the variable: warnings.
  const withAppJson = await cache003({ 'shop/settings.py': REDIS_OR_LOCMEM, Procfile: procfile, 'app.json': '{"name": "shop", "env": {"SECRET_KEY": {"generator": "secret"}}}' });
  assert.deepEqual(withAppJson.map(({ severity }) => severity), ['warning']);
  const withCompose = await cache003({ 'shop/settings.py': REDIS_OR_LOCMEM, Dockerfile: dockerfile, 'docker-compose.yml': COMPOSE('      OTHER: 1') });
  assert.deepEqual(withCompose.map(({ severity }) => severity), ['warning']);
});

// ---- explicit LocMem in a project that never relies on the cache being shared ----

const CACHE_USING_VIEW = py`
  from django.core.cache import cache


  def forget_basket(request):
      cache.delete(f"basket:{request.user.pk}")
`;

const GUNICORN_COMPOSE = py`
  services:
    web:
      build: .
      command: gunicorn shop.wsgi --workers 4
`;

const SETTINGS_WITH_LOCMEM = `DEBUG = False\n\n${LOCMEM_CACHES}`;

test('explicit LocMem stays a warning when the project deletes cache entries', async () => {
  const found = await cache003({ 'shop/settings.py': SETTINGS_WITH_LOCMEM, 'shop/views.py': CACHE_USING_VIEW, 'docker-compose.yml': GUNICORN_COMPOSE });
  assert.deepEqual(found.map(({ at, severity }) => [at, severity]), [['shop/settings.py:5', 'warning']]);
});

test('explicit LocMem stays a warning when sessions, throttles or {% cache %} rely on it', async () => {
  const users: Record<string, string>[] = [
    { 'shop/settings_sessions.py': 'SESSION_ENGINE = "django.contrib.sessions.backends.cache"\n' },
    { 'shop/api.py': 'from rest_framework.throttling import UserRateThrottle\n\nclass Burst(UserRateThrottle):\n    rate = "10/min"\n' },
    { 'shop/templates/shop/index.html': '{% load cache %}{% cache 600 sidebar %}<nav></nav>{% endcache %}\n' },
    { 'shop/apps.py': 'INSTALLED = ["django.contrib.admin", "axes"]\n' },
  ];
  for (const files of users) {
    const found = await cache003({ 'shop/settings.py': SETTINGS_WITH_LOCMEM, 'docker-compose.yml': GUNICORN_COMPOSE, ...files });
    assert.deepEqual(found.map(({ severity }) => severity), ['warning'], Object.keys(files)[0]);
  }
});

test('explicit LocMem where nothing uses the cache (only cache_page, and tests) is information', async () => {
  const files = {
    'shop/settings.py': SETTINGS_WITH_LOCMEM,
    'docker-compose.yml': GUNICORN_COMPOSE,
    'shop/urls.py': py`
      from django.urls import path
      from django.views.decorators.cache import cache_page

      from . import views

      urlpatterns = [path("schema/", cache_page(3600)(views.schema))]
    `,
    'shop/tests/test_cache.py': py`
      from django.core.cache import cache


      def test_roundtrip():
          cache.set("k", 1)
          assert cache.get("k") == 1
    `,
  };
  const found = await cache003(files);
  assert.deepEqual(found.map(({ at, severity }) => [at, severity]), [['shop/settings.py:5', 'info']]);
  assert.match(found[0].message, /nothing in the project visibly relies on it being shared/);
});

// ---- django-split-settings: a base module included before the environment module a deployment selects ----

const SPLIT_INIT = py`
  import os

  from split_settings.tools import include, optional

  settings = ["base.py"]

  if os.environ.get("GITHUB_CI"):
      settings.append("github.py")
  elif os.environ.get("IN_DOCKER"):
      settings.append("docker.py")
  elif os.environ.get("ON_HEROKU"):
      settings.append("heroku.py")
  else:
      settings.append(optional("local.py"))

  include(*settings)
`;

const SPLIT_DOCKER = py`
  import os

  if os.environ.get("DOCKER_REDIS"):
      CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://redis:6379/1"}}
`;

const SPLIT_COMPOSE = (environment: string): string => py`
  services:
    web:
      build: .
      command: gunicorn shop.wsgi --workers 4
      environment:
        IN_DOCKER: "1"
${environment}
`;

const HEROKU_APP_JSON = '{\n  "name": "shop",\n  "env": {\n    "ON_HEROKU": {"value": "1"}\n  }\n}\n';

function splitProject(overrides: Record<string, string>): Record<string, string> {
  return {
    'shop/settings/__init__.py': SPLIT_INIT,
    'shop/settings/base.py': LOCMEM_CACHES,
    'shop/settings/github.py': 'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}\n',
    'shop/settings/docker.py': SPLIT_DOCKER,
    'shop/settings/heroku.py': REDIS_CACHES,
    'shop/views.py': CACHE_USING_VIEW,
    'docker-compose.yml': SPLIT_COMPOSE('        DOCKER_REDIS: "1"'),
    'app.json': HEROKU_APP_JSON,
    ...overrides,
  };
}

test('split settings: quiet when every production environment module replaces the base LocMem, and each deployment sets what its own module needs', async () => {
  // github.py (selected by GITHUB_CI) keeps the LocMem, but CI is not production; app.json does not select docker.py.
  assert.deepEqual(await cache003(splitProject({})), []);
});

test('split settings: the base LocMem is flagged when an environment module a deployment selects keeps it', async () => {
  const found = await cache003(splitProject({ 'shop/settings/heroku.py': 'ALLOWED_HOSTS = ["*"]\n' }));
  assert.deepEqual(found.map(({ at, severity }) => [at, severity]), [['shop/settings/base.py:3', 'warning']]);
});

test('split settings: an environment module\'s fallback is flagged by the deployment that selects it and leaves the variable unset', async () => {
  const found = await cache003(splitProject({ 'docker-compose.yml': SPLIT_COMPOSE('        OTHER: "1"') }));
  assert.deepEqual(found.map(({ at, severity }) => [at, severity]), [['shop/settings/docker.py:3', 'warning']]);
  assert.match(found[0].message, /docker-compose\.yml does not set it/);
});

// ---- a reusable app's development project ----

test('settings of a reusable app\'s development project (devproject/, testproject/, example_project/) are not production', async () => {
  for (const folder of ['devproject', 'testproject', 'example_project']) {
    const files = { [`${folder}/settings.py`]: SETTINGS_WITH_LOCMEM, 'forum/views.py': CACHE_USING_VIEW, 'docker-compose.yml': GUNICORN_COMPOSE };
    assert.deepEqual(await cache003(files), [], folder);
  }
});

test('a project package whose name only contains such a word (`projectsite/`, `devices/`) stays production', async () => {
  for (const folder of ['projectsite', 'devices', 'contestsite']) {
    const files = { [`${folder}/settings.py`]: SETTINGS_WITH_LOCMEM, 'forum/views.py': CACHE_USING_VIEW, 'docker-compose.yml': GUNICORN_COMPOSE };
    assert.deepEqual((await cache003(files)).map(({ at, severity }) => [at, severity]), [[`${folder}/settings.py:5`, 'warning']], folder);
  }
});
