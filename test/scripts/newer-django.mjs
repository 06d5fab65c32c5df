// Examples that need Django >= 4.0 (the Redis backend, async methods) run when a newer Django can be
// installed: a virtualenv under .cache/ with pip's configured index. Never fatal: prints why not.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
export const NEWER_DJANGO_PYTHON = join(root, '.cache', 'django-4plus', 'bin', 'python');

export function ensureNewerDjango(log = (line) => console.error(line)) {
  const works = () => spawnSync(NEWER_DJANGO_PYTHON, ['-c', 'import django, sys; sys.exit(0 if django.VERSION >= (4, 0) else 1)'], { stdio: 'ignore' }).status === 0;
  if (existsSync(NEWER_DJANGO_PYTHON) && works()) return NEWER_DJANGO_PYTHON;
  const venv = join(root, '.cache', 'django-4plus');
  for (const python of ['python3', '/usr/bin/python3']) {
    if (spawnSync(python, ['-m', 'venv', '--clear', venv], { stdio: 'ignore' }).status !== 0) continue;
    const pip = spawnSync(join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', 'django>=4.2,<6'], { encoding: 'utf8', timeout: 180_000 });
    if (pip.status === 0 && works()) {
      log('Installed a newer Django into .cache/django-4plus for the lesson examples that need Django >= 4.0.');
      return NEWER_DJANGO_PYTHON;
    }
    log(`No newer Django for the Django >= 4.0 lesson examples (pip: ${(pip.stderr || pip.stdout || '').trim().split('\n').pop()}); they will be reported as skipped.`);
    return undefined;
  }
  log('No newer Django for the Django >= 4.0 lesson examples (python3 -m venv is not available); they will be reported as skipped.');
  return undefined;
}

if (import.meta.url === `file://${process.argv[1]}`) ensureNewerDjango();
