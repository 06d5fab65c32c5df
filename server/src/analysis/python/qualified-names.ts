/** Qualified names of the Django APIs Cache Coach knows. Local names are matched to these through imports. */
export const Q = {
  cacheModule: 'django.core.cache',
  cache: 'django.core.cache.cache',
  caches: 'django.core.cache.caches',
  cachePage: 'django.views.decorators.cache.cache_page',
  /** A name bound to the result of `cache_page(...)` (`hourly = cache_page(3600)`): a ready decorator. */
  cachePageDecorator: 'django.views.decorators.cache.cache_page()',
  neverCache: 'django.views.decorators.cache.never_cache',
  cacheControl: 'django.views.decorators.cache.cache_control',
  varyOnCookie: 'django.views.decorators.vary.vary_on_cookie',
  varyOnHeaders: 'django.views.decorators.vary.vary_on_headers',
  patchVaryHeaders: 'django.utils.cache.patch_vary_headers',
  makeTemplateFragmentKey: 'django.core.cache.utils.make_template_fragment_key',
  methodDecorator: 'django.utils.decorators.method_decorator',
  receiver: 'django.dispatch.receiver',
  csrfProtect: 'django.views.decorators.csrf.csrf_protect',
  render: 'django.shortcuts.render',
  renderToResponse: 'django.shortcuts.render_to_response',
  templateResponse: 'django.template.response.TemplateResponse',
  renderToString: 'django.template.loader.render_to_string',
  getTemplate: 'django.template.loader.get_template',
} as const;
