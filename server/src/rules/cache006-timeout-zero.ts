import type { Expr } from '../analysis/python/expr.js';
import { constantValue } from '../analysis/python/key-template.js';
import type { PyModule, PythonProject } from '../analysis/python/project.js';
import { invalidates, isOpaque } from '../analysis/keys.js';
import { keyExpressions } from '../analysis/python/project.js';
import { timeoutArgument } from './python-helpers.js';
import type { FixSpec, Rule } from './rule.js';
import { assignmentsInForce, cacheAliases } from './settings-helpers.js';

export const cache006: Rule = {
  code: 'CACHE006',
  name: 'timeout-zero',
  severity: 'warning',
  span: 'the timeout argument',
  fix: 'unsafe',
  lessonSection: 'timeouts',
  docs: {
    summary: 'A timeout of `0` or a negative number: Django expires the entry at once, so it is never served.',
    why:
      'In raw memcached 0 means "never expire", and many developers carry that over. In Django 0 or a negative timeout stores nothing readable: every read is a miss and the cache only costs time. `"TIMEOUT": 0` in production settings turns the whole alias off.',
    example: 'cache.set("homepage:stats", stats, 0)',
    useInstead: 'cache.set("homepage:stats", stats, 300)   # or None to keep it until deleted',
    cannotSee:
      'Only the timeout argument is checked, never a stored value (`cache.add("visits", 0)` is fine). Timeouts computed at run time are not evaluated; `"TIMEOUT": 0` in development or test settings is taken as a deliberate off switch.',
  },
  checkPython({ module, project, settings, config, report }) {
    const finite = (timeout: Expr): FixSpec => ({ title: `Expire after ${config.defaultTimeout} seconds`, safety: 'unsafe', edits: [{ span: timeout, newText: String(config.defaultTimeout) }] });
    // "None" is only offered where something deletes the key: otherwise it trades this finding for CACHE001 (and in settings, CACHE007).
    const forever = (timeout: Expr): FixSpec => ({ title: 'Keep it until deleted (None)', safety: 'unsafe', edits: [{ span: timeout, newText: 'None' }] });
    for (const call of module.facts.cacheCalls) {
      const timeout = timeoutArgument(call);
      if (!timeout || !isZeroOrNegative(timeout, project, module, call.functionIndex)) continue;
      const keys = keyExpressions(call.method, call.args, call.keywords).map((key) => project.keyTemplateAt(module, call.functionIndex, key));
      // Project facts are asked for only here: computing them may parse every module that calls a delete helper.
      const deletedElsewhere = keys.length > 0 && keys.every((template) => !isOpaque(template) && project.facts().invalidated.some((deleted) => invalidates(deleted, template)));
      report({
        span: timeout,
        message: `A timeout of ${module.text.slice(timeout.start, timeout.end)} expires the entry at once in Django (memcached's 0 = "never" does not apply): nothing is ever read back.`,
        fixes: deletedElsewhere ? [finite(timeout), forever(timeout)] : [finite(timeout)],
      });
    }
    if (!settings.isSettingsModule(module)) return;
    for (const assignment of assignmentsInForce(module, 'CACHES')) {
      for (const alias of cacheAliases(assignment.value)) {
        const timeout = alias.entry('TIMEOUT');
        // Whether the settings reach production is asked last: following their imports may parse every settings module.
        if (!timeout || !isZeroOrNegative(timeout, project, module, -1) || !settings.reachesProduction(module, assignment)) continue;
        report({
          span: timeout,
          message: `"TIMEOUT": ${module.text.slice(timeout.start, timeout.end)} in production settings expires every entry of the "${alias.alias}" cache at once: the cache is effectively off.`,
          fixes: [finite(timeout)],
        });
      }
    }
  },
};

function isZeroOrNegative(expr: Expr, project: PythonProject, module: PyModule, functionIndex: number): boolean {
  const value = constantValue(expr, project.keyScope(module, functionIndex, expr.start));
  return typeof value === 'number' && value <= 0;
}
