// The tests need Debian packages npm cannot install. Install them when we can (root + apt-get),
// otherwise stop with the exact command to run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ensureNewerDjango } from './newer-django.mjs';

const requirements = [
  {
    what: "Debian's python3-django (real Django to check fixes and examples against)",
    packages: ['python3-django'],
    present: () => spawnSync('/usr/bin/python3', ['-c', 'import django'], { stdio: 'ignore' }).status === 0,
  },
];

const missing = requirements.filter((requirement) => !requirement.present());
if (missing.length === 0) {
  await ensureNewerDjango();
  process.exit(0);
}

const packages = missing.flatMap((requirement) => requirement.packages);
const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
if (!canInstall) {
  console.error(`The tests need ${missing.map((requirement) => requirement.what).join(' and ')}.`);
  console.error(`Run:  sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}`);
  process.exit(1);
}
console.error(`Installing ${packages.join(' ')} with apt-get ...`);
const run = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
if (!run(['update', '-qq']) || !run(['install', '-y', '-qq', ...packages]) || missing.some((requirement) => !requirement.present())) {
  console.error(`Installing failed. Run:  apt-get update && apt-get install -y ${packages.join(' ')}`);
  process.exit(1);
}
await ensureNewerDjango();
