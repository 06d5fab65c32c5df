import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingsOf, flagged, spans, workspaceOf } from '../../helpers/engine.js';
import { allFindings } from './support.js';
import { assertTemplateFixIsClean, of } from './template-support.js';

const CODE = 'CACHE102';
const CATEGORIES = 'catalog/templates/catalog/category_list.html';
const PUBLISHERS = 'catalog/templates/catalog/publisher_list.html';

function project(categories: string, publishers: string, extra: Record<string, string> = {}): Record<string, string> {
  return { 'catalog/__init__.py': '', [CATEGORIES]: categories, [PUBLISHERS]: publishers, ...extra };
}

const CATEGORY_SIDEBAR = '{% load cache %}\n{% cache 900 sidebar %}{% for c in categories %}{{ c.name }}{% endfor %}{% endcache %}\n';
const PUBLISHER_SIDEBAR = '{% load cache %}\n<h1>Publishers</h1>\n{% cache 900 sidebar %}{% for p in publishers %}{{ p.name }}{% endfor %}{% endcache %}\n';

// ---- flagged ----

test('an edit to another template is seen by the next check: renaming one fragment clears both findings, naming it back brings them back', async () => {
  const workspace = await workspaceOf(project(CATEGORY_SIDEBAR, PUBLISHER_SIDEBAR));
  const flaggedNow = (): string[] => workspace.check().filter((finding) => finding.code === CODE).map((finding) => finding.path);
  assert.deepEqual(flaggedNow(), [CATEGORIES, PUBLISHERS]);
  workspace.update(PUBLISHERS, PUBLISHER_SIDEBAR.replace('sidebar', 'publisher_sidebar'));
  assert.deepEqual(flaggedNow(), []);
  workspace.update(PUBLISHERS, PUBLISHER_SIDEBAR);
  assert.deepEqual(flaggedNow(), [CATEGORIES, PUBLISHERS]);
  workspace.remove(CATEGORIES);
  assert.deepEqual(flaggedNow(), []);
});

test('the same name for different content in two templates is flagged in both; the span is the name', async () => {
  const files = project(CATEGORY_SIDEBAR, PUBLISHER_SIDEBAR);
  assert.deepEqual(await flagged(CODE, files), [`${CATEGORIES}:2`, `${PUBLISHERS}:3`]);
  assert.deepEqual(await spans(CODE, files), ['sidebar', 'sidebar']);
  const messages = (await findingsOf(files)).filter((f) => f.code === CODE).map((f) => f.message);
  assert.match(messages[0], /catalog\/publisher_list\.html \(line 3\)/);
  assert.match(messages[1], /catalog\/category_list\.html \(line 2\)/);
});

test('a project template and an app template with different names collide too, with the same number of vary-on values', async () => {
  const files = project('{% load cache %}{% cache 900 nav page.number %}A{% endcache %}', '', {
    'templates/base.html': '{% load cache %}{% cache 300 nav request.path %}B{% endcache %}',
  });
  assert.deepEqual(await flagged(CODE, files), [`${CATEGORIES}:1`, 'templates/base.html:1']);
});

test('the same name twice in one template with different content is flagged at both', async () => {
  const files = project('{% load cache %}\n{% cache 60 box %}ONE{% endcache %}\n{% cache 60 box %}TWO{% endcache %}\n', '');
  assert.deepEqual(await flagged(CODE, files), [`${CATEGORIES}:2`, `${CATEGORIES}:3`]);
});

// ---- quiet ----

test('a project template overriding an app template at the same relative name is not a collision', async () => {
  const files = project(CATEGORY_SIDEBAR, '', {
    'templates/catalog/category_list.html': '{% load cache %}{% cache 900 sidebar %}Overridden{% endcache %}',
  });
  assert.deepEqual(await flagged(CODE, files), []);
});

test('the same content (white space aside), a different vary-on count, or a different alias is no collision', async () => {
  const same = project(CATEGORY_SIDEBAR, '{% load cache %}{% cache 600 sidebar %}\n  {% for c in categories %}{{ c.name }}{% endfor %}\n{% endcache %}');
  assert.deepEqual(await flagged(CODE, same), []);
  const moreVary = project(CATEGORY_SIDEBAR, '{% load cache %}{% cache 900 sidebar page.number %}{{ p.name }}{% endcache %}');
  assert.deepEqual(await flagged(CODE, moreVary), []);
  const alias = project('{% load cache %}{% cache 900 sidebar using="a" %}A{% endcache %}', '{% load cache %}{% cache 900 sidebar using="b" %}B{% endcache %}');
  assert.deepEqual(await flagged(CODE, alias), []);
});

test('"sidebar" and sidebar are different names; unique names, unfinished blocks and Jinja2 templates are quiet', async () => {
  const files = project('{% load cache %}{% cache 900 "sidebar" %}A{% endcache %}{% cache 1 categories %}C{% endcache %}', '{% load cache %}{% cache 900 sidebar %}B{% endcache %}{% cache 1 publishers %}P{% endcache %}', {
    'catalog/templates/catalog/draft.html': '{% load cache %}{% cache 900 publishers %}typing…',
    'catalog/jinja2/catalog/list.html': '{% cache 1 categories %}J{% endcache %}',
  });
  assert.deepEqual(await flagged(CODE, files), []);
});

test('{# noqa: CACHE102 #} on the name\'s line suppresses it in that template only', async () => {
  const files = project('{% load cache %}\n{% cache 900 sidebar %}{# noqa: CACHE102 #}{{ c }}{% endcache %}\n', PUBLISHER_SIDEBAR);
  assert.deepEqual(await allFindings(files), [`${PUBLISHERS}:3 CACHE102`]);
});

// ---- the fix ----

test('the fix renames the fragment after its template; it compiles and clears both findings', async () => {
  const files = project(CATEGORY_SIDEBAR, PUBLISHER_SIDEBAR);
  const [finding] = (await findingsOf(files)).filter((f) => f.code === CODE);
  assert.deepEqual(finding.fixes.map((fix) => [fix.title, fix.safety]), [['Rename the fragment to catalog_category_list_sidebar', 'unsafe']]);
  const text = await assertTemplateFixIsClean(CODE, files, CATEGORIES);
  assert.equal(text, CATEGORY_SIDEBAR.replace('sidebar', 'catalog_category_list_sidebar'));
  assert.deepEqual(of(CODE, await findingsOf({ ...files, [CATEGORIES]: text })), []);
});

test('the fix keeps quotes, adds the line for a clash inside one template, and avoids names already in use', async () => {
  const quoted = project('{% load cache %}{% cache 900 "box" %}A{% endcache %}', '{% load cache %}{% cache 900 "box" %}B{% endcache %}');
  assert.match(await assertTemplateFixIsClean(CODE, quoted, CATEGORIES), /\{% cache 900 "catalog_category_list_box" %\}/);
  const twice = project('{% load cache %}\n{% cache 60 box %}ONE{% endcache %}\n<hr>\n{% cache 60 box %}TWO{% endcache %}\n', '');
  const text = await assertTemplateFixIsClean(CODE, twice, CATEGORIES);
  assert.equal(text, '{% load cache %}\n{% cache 60 catalog_category_list_box_2 %}ONE{% endcache %}\n<hr>\n{% cache 60 catalog_category_list_box_4 %}TWO{% endcache %}\n');
  const taken = project('{% load cache %}{% cache 900 box %}A{% endcache %}', '{% load cache %}{% cache 900 box %}B{% endcache %}{% cache 1 catalog_category_list_box %}C{% endcache %}');
  assert.match(await assertTemplateFixIsClean(CODE, taken, CATEGORIES), /\{% cache 900 catalog_category_list_box_2 %\}/);
});
