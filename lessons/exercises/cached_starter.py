"""Exercise: a @cached decorator backed by Django's cache.

Write `cached` so that each result of a one-argument function is kept in Django's cache, under a key
made from the function and its argument, and read back instead of calling the function again.

    @cached
    def exchange_rate(currency):
        return slow_lookup(currency)     # runs once per currency, then comes from the cache
"""
import functools

from django.core.cache import cache


def cached(func):
    @functools.wraps(func)
    def wrapper(arg):
        # TODO:
        # 1. build a key from the function and `arg` (arg may be free text: spaces, long strings)
        # 2. return the cached result when there is one (careful: a result can be None, 0 or "")
        # 3. otherwise call func(arg), store the result for 300 seconds and return it
        return func(arg)

    return wrapper
