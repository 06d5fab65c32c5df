/**
 * Hints for the @cached exercise read from the learner's code without running it: what the page shows
 * when the code cannot run (an untrusted workspace, no Python, no Django) or did not finish. They only
 * look at the text, so they say "it looks like", never "your code fails".
 */

export function staticHints(code: string): string[] {
  // Comments and docstrings say what the code should do; only the code itself counts.
  const text = code
    .replace(/("""|''')[\s\S]*?\1/g, '""')
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, '$1'))
    .join('\n');
  const hints: string[] = [];
  if (!/\bdef\s+cached\s*\(/.test(text)) hints.push('Define a function named `cached` that takes the function to decorate.');
  if (!/\bcache\s*\.\s*get\s*\(/.test(text) && !/\bget_or_set\s*\(/.test(text)) {
    hints.push('It looks like nothing is read from the cache: look the key up with `cache.get(key, MISSING)` before calling the function.');
  }
  if (!/\bcache\s*\.\s*(set|add)\s*\(/.test(text) && !/\bget_or_set\s*\(/.test(text)) {
    hints.push('It looks like nothing is stored: on a miss, call the function and `cache.set(key, result, 300)`.');
  }
  if (/\{\s*\}|\bdict\s*\(\s*\)/.test(text) && !/\bcache\s*\.\s*set\s*\(/.test(text)) {
    hints.push("A dict in the decorator is not Django's cache: it is not shared between processes and nothing can invalidate it.");
  }
  if (/\bif\s+not\s+\w+\s*:|\bif\s+\w+\s*:|\bis\s+None\b|==\s*None\b|\bor\s+func\s*\(/.test(text) && !/\bMISSING\b|\bsentinel\b|\bobject\s*\(\s*\)/i.test(text)) {
    hints.push('A result of 0, "" or None is a valid result. Tell a miss apart with a sentinel: `MISSING = object()`, `cache.get(key, MISSING)`, then `if result is MISSING`.');
  }
  if (!/__qualname__|__name__|__module__/.test(text)) {
    hints.push('Put the function into the key (`func.__module__` and `func.__qualname__`), or two functions called with the same argument share an entry.');
  }
  if (/\bcache\s*\.\s*(get|set)\s*\(\s*["'][^"'{}%]*["']\s*[,)]/.test(text)) {
    hints.push('The key looks constant: put the argument into it so each argument gets its own entry.');
  }
  if (/\{\s*(arg|args|argument)\s*!r\s*\}|repr\s*\(\s*(arg|args)\s*\)/.test(text) && !/\bhashlib\b|\b(md5|sha1|sha256|blake2b)\s*\(/.test(text)) {
    hints.push("repr() of an argument can hold spaces and quotes, which memcached refuses in a key. Hash it or use str() of simple values.");
  }
  if (!/functools\s*\.\s*wraps|\bwraps\s*\(/.test(text)) hints.push('Keep `@functools.wraps(func)` on the wrapper so the decorated function keeps its name.');
  return hints;
}
