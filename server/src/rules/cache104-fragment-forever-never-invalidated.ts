import type { Rule } from './rule.js';
import { cacheTagArguments, fragmentLabel, pythonString, unquoted } from './template-helpers.js';

export const cache104: Rule = {
  code: 'CACHE104',
  name: 'fragment-forever-never-invalidated',
  severity: 'warning',
  span: 'the timeout',
  fix: 'unsafe',
  crossFile: true,
  lessonSection: 'template-fragments',
  docs: {
    summary: 'A fragment cached with timeout `None` whose key nothing in the Python code ever deletes.',
    why:
      '`{% cache None name %}` keeps the fragment until the cache evicts it. Unless some code deletes `make_template_fragment_key("name", …)` when the data changes, edits never show: the page keeps the old prices, titles or links until someone flushes the whole cache or restarts the cache server.',
    example: '{% load cache %}\n{% cache None footer_links %}…{% endcache %}',
    useInstead:
      '{% load cache %}\n{% cache 3600 footer_links %}…{% endcache %}\n\n{# or keep None, and where the links change (Python): #}\n{# cache.delete(make_template_fragment_key("footer_links")) #}',
    cannotSee:
      'A deletion counts when `make_template_fragment_key("name", …)` with a constant name appears in a function that also deletes from the cache (`delete`, `delete_many`) or overwrites an entry (`set`, `set_many`), or when a helper that builds the key from its parameter (`def forget(name, *args): cache.delete(make_template_fragment_key(name, args))`, or one that returns the key to a deleting caller) is called with the name, or when a function that deletes or overwrites calls a helper whose whole body is `return make_template_fragment_key("name", …)`; which cache alias it deletes from, and which vary-on values it passes, are not compared. A timeout that is a variable holding `None` is not evaluated. Deletions made by code outside the workspace, by `cache.clear()` or by hand are not seen.',
  },
  checkTemplate({ template, python, config, report }) {
    for (const block of template.outline.cacheBlocks) {
      const args = cacheTagArguments(block.open);
      if (!args || args.timeout.text !== 'None') continue;
      // Asked for only here: the project's facts may parse every module that calls a delete helper.
      const invalidated = python.facts().invalidatedFragments;
      const name = args.name.text;
      if (invalidated.has(name)) continue;
      // Deleted under the name without its quotes: CACHE105 reports that the quotes are the problem.
      const inner = unquoted(name);
      if (inner !== undefined && invalidated.has(inner)) continue;
      report({
        span: { start: args.timeout.start, end: args.timeout.end },
        message: `The fragment ${fragmentLabel(name)} is cached with timeout None and nothing in the Python code deletes make_template_fragment_key(${pythonString(name)}): it keeps showing stale content until the cache evicts it.`,
        fixes: [{ title: `Expire after ${config.defaultTimeout} seconds`, safety: 'unsafe', edits: [{ span: args.timeout, newText: String(config.defaultTimeout) }] }],
      });
    }
  },
};
