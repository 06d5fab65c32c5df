import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flagged, py, spans } from '../../helpers/engine.js';
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
