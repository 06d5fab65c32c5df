#!/usr/bin/python3
"""Print Django's own lexing of a template as JSON (reference for template-lexer tests).

    django-lex.py < page.html            one template on stdin (UTF-8) -> one JSON result
    django-lex.py --batch < list.json    a JSON array of template strings -> a JSON array of results

A result is a list of tokens:
    {"type": "TEXT"|"VAR"|"BLOCK"|"COMMENT", "contents": str, "lineno": int (1-based),
     "start": int, "end": int,           # UTF-16 offsets, from DebugLexer's position
     "split": [str] | null,              # Token.split_contents() for BLOCK tokens
     "splitError": str | null}           # when split_contents() raised (e.g. StopIteration)
"""
import itertools
import json
import sys

from django.template.base import DebugLexer, Lexer, TokenType


def utf16_offsets(source):
    """offsets[i] = UTF-16 offset of code point i (so JS string indices can be compared)."""
    widths = (2 if ord(ch) > 0xFFFF else 1 for ch in source)
    return [0] + list(itertools.accumulate(widths))


def lex(source):
    tokens = Lexer(source).tokenize()
    debug_tokens = DebugLexer(source).tokenize()
    assert len(tokens) == len(debug_tokens)
    offsets = utf16_offsets(source)
    result = []
    for token, debug_token in zip(tokens, debug_tokens):
        start, end = debug_token.position
        entry = {
            'type': token.token_type.name,
            'contents': token.contents,
            'lineno': token.lineno,
            'start': offsets[start],
            'end': offsets[end],
            'split': None,
            'splitError': None,
        }
        if token.token_type == TokenType.BLOCK:
            try:
                entry['split'] = token.split_contents()
            except Exception as error:  # noqa: BLE001 - we report whatever Django raised
                entry['splitError'] = type(error).__name__
        result.append(entry)
    return result


def main():
    data = sys.stdin.buffer.read().decode('utf-8', 'surrogatepass')
    if '--batch' in sys.argv[1:]:
        output = [lex(source) for source in json.loads(data)]
    else:
        output = lex(data)
    sys.stdout.write(json.dumps(output))


if __name__ == '__main__':
    main()
