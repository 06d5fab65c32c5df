#!/usr/bin/env python3
"""Run the lesson's runnable examples against the Django this Python imports, and print JSON.

A runnable example is a fenced block in a lesson section listed by lessons/lesson.json:

    ```python runnable id=timeout-none [min-django=4.0] [setup=manual]
    ...code...
    ```

followed (after blank lines only) by a fenced ```output block holding exactly what the code prints.

Each example runs in a fresh process, in an empty temporary directory, as the __main__ module.
Unless it says setup=manual, lessons/runnable-setup.py runs first (settings.configure(...) with a
LocMem default cache, the auth and contenttypes apps, an in-memory SQLite database, the Django
template engine, no middleware, and ROOT_URLCONF = "__main__"). An example whose min-django is newer
than the Django found is skipped, with the reason.

Usage: run_examples.py [--lessons DIR] [--only ID ...] [--jobs N] [--list]
Prints one JSON object: {"python", "pythonVersion", "django", "djangoError", "examples": [...]}.
Exit status 0 even when examples fail: the caller judges the results.
"""
import argparse
import concurrent.futures
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_LESSONS = os.path.normpath(os.path.join(HERE, '..', '..', 'lessons'))
FENCE = re.compile(r'^(`{3,})(.*)$')
TIMEOUT_SECONDS = 120


def parse_version(text):
    return tuple(int(part) for part in text.split('.'))


def parse_info(info):
    """'python runnable id=x min-django=4.0' -> ('python', {'runnable': True, 'id': 'x', ...})."""
    words = shlex.split(info)
    if not words:
        return '', {}
    attributes = {}
    for word in words[1:]:
        if '=' in word:
            key, value = word.split('=', 1)
            attributes[key] = value
        else:
            attributes[word] = True
    return words[0], attributes


def fenced_blocks(text):
    """Every fenced block: (language, attributes, body, first line number of the fence)."""
    lines = text.split('\n')
    blocks = []
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        fence, info = match.group(1), match.group(2).strip()
        start = index
        body = []
        index += 1
        while index < len(lines) and not (lines[index].startswith(fence) and lines[index].strip() == fence):
            body.append(lines[index])
            index += 1
        language, attributes = parse_info(info)
        blocks.append({'language': language, 'attributes': attributes, 'body': '\n'.join(body), 'line': start + 1, 'endLine': index + 1})
        index += 1
    return blocks, lines


def runnable_examples(lessons_dir):
    with open(os.path.join(lessons_dir, 'lesson.json'), encoding='utf-8') as handle:
        manifest = json.load(handle)
    examples = []
    for section in sorted(manifest['sections'], key=lambda s: s['order']):
        path = os.path.join(lessons_dir, section['file'])
        with open(path, encoding='utf-8') as handle:
            text = handle.read().replace('\r\n', '\n')
        blocks, lines = fenced_blocks(text)
        for position, block in enumerate(blocks):
            if block['language'] != 'python' or not block['attributes'].get('runnable'):
                continue
            example = {
                'id': block['attributes'].get('id'),
                'section': section['id'],
                'file': section['file'],
                'line': block['line'],
                'code': block['body'] + '\n',
                'minDjango': block['attributes'].get('min-django'),
                'setup': block['attributes'].get('setup', 'default'),
                'expected': None,
                'problem': None,
            }
            following = blocks[position + 1] if position + 1 < len(blocks) else None
            between = lines[block['endLine']:following['line'] - 1] if following else []
            if following and following['language'] == 'output' and all(line.strip() == '' for line in between):
                example['expected'] = following['body']
            else:
                example['problem'] = 'no ```output block right after the example'
            if not example['id']:
                example['problem'] = 'the example has no id=...'
            examples.append(example)
    return examples


def run_one(example, lessons_dir, django_version):
    result = {key: example[key] for key in ('id', 'section', 'file', 'line', 'minDjango', 'setup', 'expected')}
    if example['problem']:
        result.update(status='failed', reason=example['problem'], actual=None, stderr='')
        return result
    if example['minDjango'] and django_version < parse_version(example['minDjango']):
        result.update(status='skipped', reason='needs Django >= %s, found %s' % (example['minDjango'], '.'.join(map(str, django_version))), actual=None, stderr='')
        return result
    source = example['code']
    if example['setup'] != 'manual':
        with open(os.path.join(lessons_dir, 'runnable-setup.py'), encoding='utf-8') as handle:
            source = handle.read() + '\n# --- the example ---\n' + source
    with tempfile.TemporaryDirectory(prefix='cache-coach-example-') as directory:
        script = os.path.join(directory, 'example.py')
        with open(script, 'w', encoding='utf-8') as handle:
            handle.write(source)
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE='1', PYTHONIOENCODING='utf-8')
        env.pop('DJANGO_SETTINGS_MODULE', None)
        started = time.monotonic()
        try:
            completed = subprocess.run([sys.executable, script], cwd=directory, env=env, stdin=subprocess.DEVNULL,
                                       capture_output=True, text=True, encoding='utf-8', timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            result.update(status='failed', reason='timed out after %d s' % TIMEOUT_SECONDS, actual=None, stderr='')
            return result
        result['durationMs'] = round((time.monotonic() - started) * 1000)
    actual = completed.stdout.replace('\r\n', '\n').rstrip('\n')
    expected = example['expected'].rstrip('\n')
    result.update(actual=actual, stderr=completed.stderr[-4000:], exitCode=completed.returncode)
    if completed.returncode != 0:
        result.update(status='failed', reason='exited with status %d' % completed.returncode)
    elif actual != expected:
        result.update(status='failed', reason='printed something else than the lesson states')
    else:
        result.update(status='passed', reason=None)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--lessons', default=DEFAULT_LESSONS)
    parser.add_argument('--only', nargs='*', default=None)
    parser.add_argument('--list', action='store_true', help='list the examples without running them')
    parser.add_argument('--jobs', type=int, default=max(1, min(4, os.cpu_count() or 1)), help='examples run at once')
    args = parser.parse_args()
    report = {'python': sys.executable, 'pythonVersion': '.'.join(map(str, sys.version_info[:3])), 'django': None, 'djangoError': None, 'examples': []}
    examples = runnable_examples(args.lessons)
    if args.only:
        examples = [example for example in examples if example['id'] in args.only]
    if args.list:
        report['examples'] = [{key: example[key] for key in ('id', 'section', 'file', 'line', 'minDjango', 'setup', 'expected', 'problem')} for example in examples]
        print(json.dumps(report, indent=2))
        return
    try:
        import django
        report['django'] = django.get_version()
        django_version = tuple(django.VERSION[:3])
    except ImportError as error:
        report['djangoError'] = str(error)
        for example in examples:
            report['examples'].append({'id': example['id'], 'section': example['section'], 'file': example['file'], 'line': example['line'],
                                       'minDjango': example['minDjango'], 'expected': example['expected'], 'status': 'skipped',
                                       'reason': 'this Python has no Django', 'actual': None})
        print(json.dumps(report, indent=2))
        return
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        report['examples'] = list(pool.map(lambda example: run_one(example, args.lessons, django_version), examples))
    print(json.dumps(report, indent=2))


if __name__ == '__main__':
    main()
