import type { FixSpec, Rule } from './rule.js';
import { cacheTagArguments, pythonString, unquoted } from './template-helpers.js';

/** A name that stays one plain argument without its quotes. */
const PLAIN_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;

export const cache105: Rule = {
  code: 'CACHE105',
  name: 'quoted-fragment-name',
  severity: 'warning',
  span: 'the fragment name',
  fix: 'safe',
  lessonSection: 'template-fragments',
  docs: {
    summary: 'A `{% cache %}` fragment name written in quotes: the quotes become part of the name. A warning where Python code invalidates the fragment by its bare name, otherwise a hint.',
    why:
      'Django takes the fragment name verbatim, never as a string literal, so `{% cache 500 "sidebar" %}` is stored under `template.cache."sidebar".…`. `cache.delete(make_template_fragment_key("sidebar"))` builds a different key and silently deletes nothing, and the stale fragment stays.',
    example: '{% load cache %}\n{% cache 500 "sidebar" %}…{% endcache %}',
    useInstead: '{% load cache %}\n{% cache 500 sidebar %}…{% endcache %}',
    cannotSee:
      'Nothing is reported when the Python code deletes the quoted name itself (`make_template_fragment_key(\'"sidebar"\')`): the quotes are then deliberate. The fix is only offered when the name without quotes is a plain word (letters, digits, `_ . : -`); a name with spaces keeps its quotes.',
  },
  checkTemplate({ template, python, report }) {
    for (const block of template.outline.cacheBlocks) {
      const args = cacheTagArguments(block.open);
      const name = args?.name;
      const inner = name && unquoted(name.text);
      if (!name || inner === undefined) continue;
      // Asked for only here: the project's facts may parse every module that calls a delete helper.
      const invalidated = python.facts().invalidatedFragments;
      if (invalidated.has(name.text)) continue;
      const deletedUnquoted = invalidated.has(inner) ? ` The Python code deletes make_template_fragment_key(${pythonString(inner)}), which misses this fragment.` : '';
      const fixes: FixSpec[] = PLAIN_NAME.test(inner) ? [{ title: `Drop the quotes: ${inner}`, safety: 'safe', edits: [{ span: name, newText: inner }] }] : [];
      // Only a delete by the bare name makes the quotes a bug (a fragment that is never invalidated by name is unaffected): otherwise a hint.
      report({
        span: { start: name.start, end: name.end },
        message: `The quotes are part of the fragment name: the key is built from ${name.text}, so make_template_fragment_key(${pythonString(inner)}) never matches it.${deletedUnquoted}`,
        fixes,
        ...(deletedUnquoted ? {} : { severity: 'info' as const }),
      });
    }
  },
};
