import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deploymentKind, Deployments, setsVariable, type DeploymentFile } from '../../server/src/analysis/deployment.js';
import { isAnalysedPath } from '../../server/src/node/files.js';

test('deployment files are found by name alone, and the walk keeps them', () => {
  const kinds: Record<string, string> = {
    Dockerfile: 'dockerfile',
    'docker/Dockerfile.prod': 'dockerfile',
    'web.dockerfile': 'dockerfile',
    'docker-compose.yml': 'compose',
    'compose.override.yaml': 'compose',
    Procfile: 'heroku',
    'app.json': 'heroku',
    'render.yaml': 'render',
    'fly.toml': 'fly',
    'helm/shop/Chart.yaml': 'kubernetes',
    'helm/shop/templates/deployment.yaml': 'kubernetes',
    'deploy/k8s/web.yml': 'kubernetes',
    '.env.example': 'env',
    'docker/config/server.env.template': 'env',
    'gunicorn.conf.py': 'server-config',
    'uwsgi.ini': 'server-config',
    'docker/entrypoint.sh': 'script',
    'conf/prod/base.json': 'app-config',
    'deploy/config.yaml': 'app-config',
    'config.yaml': 'app-config',
  };
  for (const [path, kind] of Object.entries(kinds)) {
    assert.equal(deploymentKind(path), kind, path);
    assert.ok(isAnalysedPath(path), path);
  }
  for (const path of ['mkdocs.yml', '.github/workflows/ci.yml', 'package-lock.json', '.envrc', 'environment.md', 'docs/deploy.md']) {
    assert.equal(deploymentKind(path), undefined, path);
  }
});

const file = (relative: string, text: string): DeploymentFile => ({ path: relative, relative, kind: deploymentKind(relative)!, text });

test('a variable counts as set with a non-empty value in each format deployment files use', () => {
  const set = [
    file('docker-compose.yml', 'services:\n  web:\n    environment:\n      CACHE_URL: redis://redis/1\n'),
    file('docker-compose.yml', 'services:\n  web:\n    environment:\n      - CACHE_URL=redis://redis/1\n'),
    file('docker-compose.yml', 'services:\n  web:\n    environment:\n      CACHE_URL: ${CACHE_URL:-redis://redis/1}\n'),
    file('helm/shop/templates/web.yaml', 'env:\n  - name: CACHE_URL\n    valueFrom:\n      secretKeyRef: {name: shop, key: cache}\n'),
    file('Dockerfile', 'FROM python:3.12\nENV CACHE_URL redis://redis/1\n'),
    file('.env.example', 'CACHE_URL=redis://redis/1\n'),
    file('app.json', '{"env": {"CACHE_URL": {"value": "redis://x"}}}'),
  ];
  for (const candidate of set) assert.ok(setsVariable(candidate, 'CACHE_URL'), candidate.text);
  const unset = [
    file('docker-compose.yml', 'services:\n  web:\n    environment:\n      CACHE_URL: ""\n'),
    file('.env.example', '# CACHE_URL=redis://redis/1\n'),
    file('.env.example', 'MY_CACHE_URL_PREFIX=x\n'),
    file('docker-compose.yml', 'services:\n  web:\n    command: echo $CACHE_URL\n'),
  ];
  for (const candidate of unset) assert.equal(setsVariable(candidate, 'CACHE_URL'), false, candidate.text);
});

test('dev and test compose files, infrastructure-only compose files and orchestrated Dockerfiles are not deployments of the app', () => {
  const deployments = new Deployments([
    file('docker-compose.dev.yml', 'services:\n  web:\n    build: .\n    command: gunicorn shop.wsgi\n'),
    file('docker-compose.override.unit_tests.yml', 'services:\n  web:\n    command: gunicorn shop.wsgi\n'),
    file('scripts/docker-compose-db.yml', 'services:\n  db:\n    image: postgres:16\n'),
    file('docker/Dockerfile', 'FROM python:3.12\nCMD gunicorn shop.wsgi\n'),
    file('compose.yml', 'services:\n  web:\n    image: ghcr.io/acme/shop:latest\n'),
  ]);
  assert.deepEqual(deployments.deployments.map((deployment) => deployment.path), ['compose.yml']);
});
