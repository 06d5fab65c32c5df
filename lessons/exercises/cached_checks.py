"""Hidden checks for the @cached exercise (lessons/exercises/cached-decorator.json).

Usage: python3 cached_checks.py PATH/TO/learner_module.py

Configures Django with a local-memory cache, imports the learner's module, decorates small
functions that count how often they run with its `cached`, and prints one JSON object:

    {"exercise": "cached-decorator", "passed": bool, "django": "3.2.25",
     "checks": [{"id", "description", "required", "passed", "message", "hint"}, ...],
     "output": what the learner's code printed (kept off stdout)}

Exit status: 0 when every required check passed, 1 when one failed, 2 for a usage error.
"""
import contextlib
import importlib.util
import io
import json
import os
import sys
import traceback
import warnings

HINTS = {
    'module': 'The file must run without errors and define a function named `cached`.',
    'returns-result': 'The wrapper must return what the decorated function returns.',
    'repeat-skips-work': 'Before calling the function, look the key up with cache.get(); only on a miss call it and cache.set() the result.',
    'different-arguments': 'Put the argument into the key, e.g. f"...:{arg}", so each argument has its own entry.',
    'different-functions': 'Put the function into the key too (func.__module__ and func.__qualname__), so two functions called with 42 do not share an entry.',
    'falsy-results': 'A cached 0 or "" is a hit. Compare with a sentinel: cache.get(key, MISSING) ... if result is MISSING.',
    'none-results': 'cache.get() returns None on a miss, so `if result is None` cannot tell a miss from a cached None. Pass a sentinel: cache.get(key, MISSING) ... if result is MISSING.',
    'django-cache': 'Store results with django.core.cache.cache, not in a dict: the cache is shared between processes and can be invalidated.',
    'valid-keys': 'Keys must not contain spaces or control characters, and must stay under 250 characters. The argument can be free text: hash it, e.g. hashlib.sha256(repr(arg).encode()).hexdigest().',
    'keeps-name': 'Decorate the wrapper with @functools.wraps(func) so it keeps the function\'s name and docstring.',
}


def configure_django():
    import django
    from django.conf import settings
    if not settings.configured:
        settings.configure(CACHES={'default': {'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}})
    django.setup()
    return django.get_version()


def load_learner_module(path):
    spec = importlib.util.spec_from_file_location('learner_cached', path)
    module = importlib.util.module_from_spec(spec)
    sys.modules['learner_cached'] = module
    spec.loader.exec_module(module)
    return module


class Counter:
    """A function of one argument that counts how often it really ran."""

    def __init__(self, name, result):
        self.calls = []
        self.result = result
        calls = self.calls

        def work(arg):
            calls.append(arg)
            return result(arg)

        work.__name__ = work.__qualname__ = name
        work.__module__ = 'exercise_functions'
        work.__doc__ = 'Returns a value computed from arg.'
        self.function = work


def check_returns_result(cached):
    counter = Counter('price', lambda arg: {'item': arg, 'price': 12})
    wrapped = cached(counter.function)
    value = wrapped('tea')
    if value != {'item': 'tea', 'price': 12}:
        return False, 'price("tea") returned %r, expected %r.' % (value, {'item': 'tea', 'price': 12})
    return True, 'price("tea") returned the function\'s result.'


def check_repeat_skips_work(cached):
    counter = Counter('square', lambda arg: arg * arg)
    wrapped = cached(counter.function)
    results = [wrapped(12) for _ in range(3)]
    if results != [144, 144, 144]:
        return False, 'square(12) three times returned %r, expected [144, 144, 144].' % (results,)
    if len(counter.calls) != 1:
        return False, 'square(12) was called 3 times and did the work %d times; it should do it once.' % len(counter.calls)
    return True, 'Three calls with the same argument did the work once.'


def check_different_arguments(cached):
    counter = Counter('double', lambda arg: arg * 2)
    wrapped = cached(counter.function)
    results = [wrapped(1), wrapped(2), wrapped(1), wrapped(2)]
    if results != [2, 4, 2, 4]:
        return False, 'double(1), double(2), double(1), double(2) returned %r, expected [2, 4, 2, 4].' % (results,)
    if sorted(counter.calls) != [1, 2]:
        return False, 'The work ran for the arguments %r; expected once for 1 and once for 2.' % (counter.calls,)
    return True, 'Each argument got its own entry.'


def check_different_functions(cached):
    double = Counter('double', lambda arg: arg * 2)
    negate = Counter('negate', lambda arg: -arg)
    wrapped_double, wrapped_negate = cached(double.function), cached(negate.function)
    results = [wrapped_double(21), wrapped_negate(21)]
    if results != [42, -21]:
        return False, 'double(21) and negate(21) returned %r, expected [42, -21]: the two functions share an entry.' % (results,)
    return True, 'Two functions called with the same argument have separate entries.'


def check_falsy_results(cached):
    counter = Counter('stock', lambda arg: 0)
    wrapped = cached(counter.function)
    results = [wrapped('mug') for _ in range(3)]
    if results != [0, 0, 0]:
        return False, 'stock("mug") returned %r, expected [0, 0, 0].' % (results,)
    if len(counter.calls) != 1:
        return False, 'stock("mug") returns 0; it did the work %d times in 3 calls. A cached 0 was taken for a miss.' % len(counter.calls)
    return True, 'A result of 0 was cached too.'


def check_none_results(cached):
    counter = Counter('find_coupon', lambda arg: None)
    wrapped = cached(counter.function)
    results = [wrapped('NOSUCHCODE') for _ in range(3)]
    if results != [None, None, None]:
        return False, 'find_coupon("NOSUCHCODE") returned %r, expected [None, None, None].' % (results,)
    if len(counter.calls) != 1:
        return False, 'find_coupon("NOSUCHCODE") returns None; it did the work %d times in 3 calls. A cached None was taken for a miss.' % len(counter.calls)
    return True, 'A result of None was cached too.'


def check_django_cache(cached):
    from django.core.cache import cache
    counter = Counter('cube', lambda arg: arg ** 3)
    wrapped = cached(counter.function)
    wrapped(3)
    wrapped(3)
    if len(counter.calls) != 1:
        return False, 'cube(3) twice did the work %d times: nothing is cached yet.' % len(counter.calls)
    cache.clear()
    wrapped(3)
    if len(counter.calls) != 2:
        return False, 'After cache.clear() the result was still served: it is not stored in Django\'s cache.'
    return True, 'Results live in Django\'s cache.'


FREE_TEXT_ARGUMENTS = [42, 'tea', 'green tea', 'caf\u00e9\tcr\u00e8me', 'oolong ' * 50]


def check_valid_keys(cached):
    counter = Counter('label', lambda arg: 'label %s' % arg)
    wrapped = cached(counter.function)
    problems = []
    for argument in FREE_TEXT_ARGUMENTS:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            wrapped(argument)
        for warning in caught:
            if warning.category.__name__ == 'CacheKeyWarning':
                problems.append('label(%s) gave the key warning: %s' % (_short(argument), str(warning.message)[:160]))
                break
    if problems:
        return False, problems[0]
    return True, 'The keys are valid on every backend, for free-text and long arguments too.'


def _short(argument):
    text = repr(argument)
    return text if len(text) <= 40 else text[:30] + '...(%d characters)' % len(argument)


def check_keeps_name(cached):
    counter = Counter('exchange_rate', lambda arg: 1.0)
    wrapped = cached(counter.function)
    name = getattr(wrapped, '__name__', None)
    if name != 'exchange_rate':
        return False, 'The decorated function is called %r instead of \'exchange_rate\'.' % (name,)
    return True, 'The decorated function keeps its name.'


CHECKS = [
    ('returns-result', 'returns the function\'s result', True, check_returns_result),
    ('repeat-skips-work', 'a repeated call with the same argument skips the work', True, check_repeat_skips_work),
    ('different-arguments', 'different arguments do not collide', True, check_different_arguments),
    ('different-functions', 'different functions do not collide', True, check_different_functions),
    ('falsy-results', 'a result of 0 is cached too', True, check_falsy_results),
    ('none-results', 'a result of None is cached too', True, check_none_results),
    ('django-cache', 'results are stored in Django\'s cache', True, check_django_cache),
    ('valid-keys', 'keys are valid for every backend, for free-text arguments too (no CacheKeyWarning)', True, check_valid_keys),
    ('keeps-name', 'the decorated function keeps its name (functools.wraps)', False, check_keeps_name),
]


def run(path):
    report = {'exercise': 'cached-decorator', 'passed': False, 'django': None, 'checks': [], 'output': ''}
    report['django'] = configure_django()
    printed = io.StringIO()  # whatever the learner's code prints must not break the JSON on stdout
    with contextlib.redirect_stdout(printed):
        _run_checks(path, report)
    output = printed.getvalue()
    if len(output) > 2000:  # keep the start (module-level prints) and the end (the last check)
        output = output[:1000] + '\n... (%d characters left out) ...\n' % (len(output) - 2000) + output[-1000:]
    report['output'] = output
    return report


def _run_checks(path, report):
    from django.core.cache import cache
    warnings.simplefilter('ignore')  # the valid-keys check records CacheKeyWarning itself

    def record(check_id, description, required, passed, message):
        report['checks'].append({'id': check_id, 'description': description, 'required': required, 'passed': passed,
                                 'message': message, 'hint': None if passed else HINTS[check_id]})

    try:
        module = load_learner_module(path)
        cached = getattr(module, 'cached', None)
        if not callable(cached):
            raise AttributeError('the module defines no function named `cached`')
    except BaseException as error:  # the learner's code may raise anything, SystemExit included
        record('module', 'the module loads and defines cached', True, False, _describe(error))
        return
    record('module', 'the module loads and defines cached', True, True, 'Found cached().')
    for check_id, description, required, check in CHECKS:
        cache.clear()
        try:
            passed, message = check(cached)
        except BaseException as error:
            passed, message = False, 'Your code raised ' + _describe(error)
        record(check_id, description, required, passed, message)
    report['passed'] = all(item['passed'] for item in report['checks'] if item['required'])


def _describe(error):
    if isinstance(error, SyntaxError):
        return 'SyntaxError: %s (line %s)' % (error.msg, error.lineno)
    frames = traceback.extract_tb(error.__traceback__)
    where = ''
    for frame in reversed(frames):
        if frame.filename != __file__:
            where = ' (line %d)' % frame.lineno
            break
    return '%s: %s%s' % (type(error).__name__, error, where)


def main(argv):
    if len(argv) != 2 or not os.path.isfile(argv[1]):
        sys.stderr.write('usage: cached_checks.py PATH/TO/learner_module.py\n')
        return 2
    report = run(os.path.abspath(argv[1]))
    sys.stdout.write(json.dumps(report, indent=2) + '\n')
    return 0 if report['passed'] else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))
