import { HOLE } from '../analysis/keys.js';
import { keyExpressions } from '../analysis/python/project.js';
import type { Rule } from './rule.js';

const MEMCACHE_MAX_KEY_LENGTH = 250;
// Django's CacheKeyWarning: characters below 33 (space, control characters) and DEL.
const INVALID_CHARACTER = /[\x00-\x20\x7f]/;

export const cache008: Rule = {
  code: 'CACHE008',
  name: 'invalid-key',
  severity: 'warning',
  span: 'the key expression',
  fix: 'none',
  lessonSection: 'key-design',
  docs: {
    summary: 'A cache key with a space or control character, or longer than 250 characters once Django adds the prefix and version.',
    why:
      'Django warns (CacheKeyWarning) and memcached refuses such keys: on memcached every `set` fails and every `get` misses, while the same code works in development on LocMemCache.',
    example: 'cache.get("top sellers")',
    useInstead: 'cache.get("top-sellers")   # or hash long keys: hashlib.md5(raw.encode()).hexdigest()',
    cannotSee:
      'Only the literal parts of a key are checked; spaces or length that come from variables at run time are not. The prefix counted is the literal KEY_PREFIX of the default alias when one is found.',
  },
  checkPython({ module, project, report }) {
    for (const call of module.facts.cacheCalls) {
      for (const key of keyExpressions(call.method, call.args, call.keywords)) {
        const template = project.keyTemplateAt(module, call.functionIndex, key);
        const literal = template.replaceAll(HOLE, '');
        const bad = INVALID_CHARACTER.exec(literal);
        if (bad) {
          report({ span: key, message: `The key "${template}" contains ${describe(bad[0])}: memcached refuses it and Django warns (CacheKeyWarning).` });
          continue;
        }
        // Django's default key function: "<KEY_PREFIX>:<version>:<key>"; the prefix is not known here, so count ":1:".
        const length = literal.length + ':1:'.length;
        if (!template.includes(HOLE) && length > MEMCACHE_MAX_KEY_LENGTH) {
          report({ span: key, message: `The key is ${length} characters with Django's version part: memcached refuses keys over ${MEMCACHE_MAX_KEY_LENGTH} characters. Hash it.` });
        }
      }
    }
  },
};

function describe(character: string): string {
  if (character === ' ') return 'a space';
  if (character === '\t') return 'a tab';
  if (character === '\n' || character === '\r') return 'a line break';
  return `a control character (U+${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`;
}
