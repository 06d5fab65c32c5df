// CACHE101 and CACHE106 follow {% include %}s inside a {% cache %} block: what the included template
// renders is part of the cached fragment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf } from '../../helpers/engine.js';
import { labels } from './support.js';

const PAGE = 'shop/templates/shop/page.html';

async function codes(files: Record<string, string>, code: string): Promise<string[]> {
  return labels(await findingsOf(files)).filter((label) => label.endsWith(code));
}

test('CACHE101: an included partial showing user.username makes the fragment per-user; the message names the partial', async () => {
  const files = {
    'shop/__init__.py': '',
    [PAGE]: '{% load cache %}\n<header>\n{% cache 600 header %}{% include "shop/_account.html" %}{% endcache %}\n</header>\n',
    'shop/templates/shop/_account.html': '<span>\n{{ user.username }}\n</span>\n',
  };
  assert.deepEqual(await codes(files, 'CACHE101'), [`${PAGE}:3 CACHE101`]);
  const [finding] = (await findingsOf(files)).filter((f) => f.code === 'CACHE101');
  assert.match(finding.message, /user\.username in shop\/_account\.html:2, included on line 3/);
});

test('CACHE101 quiet: the include rebinds user with `with`, passes `only`, the partial is public, or the fragment varies on the user', async () => {
  const files = {
    'shop/__init__.py': '',
    [PAGE]: [
      '{% load cache %}',
      '{% cache 600 a %}{% include "shop/_account.html" with user=author %}{% endcache %}',
      '{% cache 600 b %}{% include "shop/_account.html" only %}{% endcache %}',
      '{% cache 600 c %}{% include "shop/_links.html" %}{% endcache %}',
      '{% cache 600 d user.pk %}{% include "shop/_account.html" %}{% endcache %}',
      '{% include "shop/_account.html" %}',
      '',
    ].join('\n'),
    'shop/templates/shop/_account.html': '{{ user.username }}\n',
    'shop/templates/shop/_links.html': '<a href="/about/">About</a>\n',
  };
  assert.deepEqual(await codes(files, 'CACHE101'), []);
});

test('CACHE106: a form partial with {% csrf_token %} included inside a fragment is reported at the include; nested includes too', async () => {
  const files = {
    'shop/__init__.py': '',
    [PAGE]: '{% load cache %}\n{% cache 600 newsletter %}\n{% include "shop/_signup.html" %}\n{% endcache %}\n{% include "shop/_signup.html" %}\n',
    'shop/templates/shop/_signup.html': '<form method="post">{% include "shop/_token.html" %}{{ form }}</form>\n',
    'shop/templates/shop/_token.html': '{% csrf_token %}\n',
  };
  assert.deepEqual(await codes(files, 'CACHE106'), [`${PAGE}:3 CACHE106`]);
});
