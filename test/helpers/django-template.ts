/** Real Django (Debian's python3-django) compiling templates, to check that template fixes still work. */
import { spawnSync } from 'node:child_process';
import { PYTHON } from './python.js';

export interface DjangoTemplateOptions {
  /** Dotted paths of tag libraries every template gets without `{% load %}` (`OPTIONS["builtins"]`). */
  builtins?: string[];
  /**
   * Other templates by name (`base.html`, `shop/part.html`) for a locmem loader. When given, the
   * template is also rendered with an empty context, so `{% extends %}` and `{% include %}` really
   * load their templates (and those compile too).
   */
  templates?: Record<string, string>;
}

const SCRIPT = String.raw`
import json, sys
import django
from django.conf import settings

request = json.loads(sys.stdin.read())
settings.configure(
    DEBUG=False,
    SECRET_KEY='django-template-check',
    INSTALLED_APPS=['django.contrib.contenttypes', 'django.contrib.auth'],
    CACHES={'default': {'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}},
    TEMPLATES=[{
        'BACKEND': 'django.template.backends.django.DjangoTemplates',
        'OPTIONS': {
            'builtins': request['builtins'],
            'loaders': [('django.template.loaders.locmem.Loader', request['templates'] or {})],
        },
    }],
)
django.setup()
from django.template import engines, Context

engine = engines['django'].engine
try:
    template = engine.from_string(request['source'])
    if request['templates'] is not None:
        template.render(Context({}))
except Exception as error:
    print('%s: %s' % (type(error).__name__, error))
    sys.exit(1)
`;

/** The error Django raises compiling `source` (and rendering it, when `templates` are given), or null. */
export function djangoTemplateError(source: string, options: DjangoTemplateOptions = {}): string | null {
  const input = JSON.stringify({ source, builtins: options.builtins ?? [], templates: options.templates ?? null });
  const result = spawnSync(PYTHON, ['-c', SCRIPT], { input, encoding: 'utf8' });
  if (result.error) throw result.error;
  if (result.status === 0) return null;
  return result.stdout.trim() || result.stderr.trim();
}
