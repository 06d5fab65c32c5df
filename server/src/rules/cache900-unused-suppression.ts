import type { Rule } from './rule.js';

/** Reported by the engine after every other rule has run (it needs their findings). */
export const cache900: Rule = {
  code: 'CACHE900',
  name: 'unused-suppression',
  severity: 'info',
  span: 'the unused code in the noqa comment',
  fix: 'safe',
  lessonSection: 'using-cache-coach',
  docs: {
    summary: 'A `noqa` comment names a Cache Coach code that suppressed nothing on its line.',
    why:
      'Stale suppressions hide future problems: when the code on that line changes, a real finding would be silenced without anyone deciding so.',
    example: 'cache.set("site:banner", banner, 3600)  # noqa: CACHE006',
    useInstead: 'cache.set("site:banner", banner, 3600)',
    cannotSee:
      'Only CACHE codes are checked: other tools\' codes (`# noqa: E501`) and a bare `# noqa` are never reported. A code whose rule is turned off by configuration is not reported either.',
  },
};
