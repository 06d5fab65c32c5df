import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Diagnostic, Hover } from 'vscode-languageserver-protocol';
import { documentedNames } from '../../server/src/docs/cache-api.js';
import { copyOf, SAMPLE_PROJECT } from '../cli/helpers.js';
import { LspClient, uri } from './lsp-client.js';

let project: { dir: string; dispose(): void };
let client: LspClient;
const codes = (diagnostics: Diagnostic[]): string[] => diagnostics.map((diagnostic) => `${diagnostic.code}@${diagnostic.range.start.line + 1}`).sort();

before(async () => {
  project = copyOf(SAMPLE_PROJECT);
  client = await LspClient.start(project.dir);
  await client.waitForLog(/^Workspace scan:/);
});

after(async () => {
  await client.stop();
  project.dispose();
});

function open(relative: string, languageId: string, text?: string): { documentUri: string; text: string } {
  const path = join(project.dir, relative);
  const content = text ?? readFileSync(path, 'utf8');
  const documentUri = uri(path);
  void client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: documentUri, languageId, version: 1, text: content } });
  return { documentUri, text: content };
}

async function hoverAt(documentUri: string, text: string, needle: string, into = 1): Promise<string | null> {
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0, `"${needle}" is in the document`);
  const before = text.slice(0, offset + into).split('\n');
  const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: documentUri }, position: { line: before.length - 1, character: before[before.length - 1].length } })) as Hover | null;
  return hover ? (hover.contents as { value: string }).value : null;
}

test('templates get diagnostics in the editor (django-html), with {% noqa %} quick fixes in template syntax', async () => {
  const { documentUri } = open('catalog/templates/catalog/publisher_list.html', 'django-html');
  const diagnostics = await client.diagnostics(documentUri, (list) => list.length >= 2);
  assert.deepEqual(codes(diagnostics), ['CACHE102@8', 'CACHE105@13']);
  const actions = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: documentUri }, range: diagnostics[0].range, context: { diagnostics: [diagnostics[0]] } })) as { title: string; edit?: { changes: Record<string, { newText: string }[]> } }[];
  const suppress = actions.find((action) => action.title.startsWith('Suppress'));
  assert.match(suppress!.edit!.changes[documentUri][0].newText, /^ \{# noqa: CACHE10\d #\}$/);
});

test('hover on {% cache %} explains each argument', async () => {
  const text = '{% load cache %}\n{% cache 600 sidebar request.user.pk %}x{% endcache %}\n';
  const { documentUri } = open('catalog/templates/catalog/hover_probe.html', 'django-html', text);
  await client.diagnostics(documentUri);
  assert.match((await hoverAt(documentUri, text, 'cache 600')) ?? '', /\{% cache/);
  assert.match((await hoverAt(documentUri, text, '600')) ?? '', /timeout|seconds/i);
  assert.match((await hoverAt(documentUri, text, 'sidebar')) ?? '', /name/i);
  assert.match((await hoverAt(documentUri, text, 'request.user.pk')) ?? '', /vary/i);
});

test('TypeScript files get diagnostics and hover with the library and the TTL unit', async () => {
  const { documentUri, text } = open('services/catalog-api/src/catalog.ts', 'typescript');
  const diagnostics = await client.diagnostics(documentUri, (list) => list.length >= 1);
  assert.deepEqual(codes(diagnostics), ['CACHE201@9']);
  const hover = (await hoverAt(documentUri, text, "set('bestsellers'")) ?? '';
  assert.match(hover, /ioredis/);
  assert.match(hover, /TTL `600` \(EX\) is in \*\*seconds\*\*/);
});

test('every cache API name the hover documents has a hover in a Python file', async () => {
  const names = documentedNames();
  const lines = [
    'from django.core.cache import cache, caches',
    'from django.core.cache.utils import make_template_fragment_key',
    'from django.middleware.cache import CacheMiddleware, FetchFromCacheMiddleware, UpdateCacheMiddleware',
    'from django.utils.cache import patch_vary_headers',
    'from django.views.decorators.cache import cache_control, cache_page, never_cache',
    'from django.views.decorators.vary import vary_on_cookie, vary_on_headers',
    '',
    'async def every_method(key):',
    ...names.methods.map((method) => `    ${method.startsWith('a') && method !== 'add' ? 'await ' : ''}cache.${method}(key)`),
    '',
    'CACHES = {',
    ...names.backends.map((backend, index) => `    "alias${index}": {"BACKEND": "${backend}", ${names.settingsKeys.filter((key) => key !== 'CACHES' && key !== 'BACKEND').map((key) => `"${key}": None`).join(', ')}},`),
    '}',
  ];
  const text = `${lines.join('\n')}\n`;
  const { documentUri } = open('catalog/hover_coverage.py', 'python', text);
  await client.diagnostics(documentUri);
  const missing: string[] = [];
  for (const method of names.methods) if (!(await hoverAt(documentUri, text, `cache.${method}(`, 'cache.'.length + 1))?.includes(method)) missing.push(`method ${method}`);
  for (const qualified of names.qualifiedNames) {
    const local = qualified.split('.').pop()!;
    const hover = await hoverAt(documentUri, text, ` ${local}`, 2);
    if (!hover?.includes(local)) missing.push(`name ${qualified}`);
  }
  for (const backend of names.backends) if (!(await hoverAt(documentUri, text, backend, 5))?.includes(backend.split('.').pop()!)) missing.push(`backend ${backend}`);
  for (const key of names.settingsKeys) {
    const needle = key === 'CACHES' ? 'CACHES =' : `"${key}"`;
    if (!(await hoverAt(documentUri, text, needle, 2))?.includes(key)) missing.push(`settings key ${key}`);
  }
  assert.deepEqual(missing, []);
  assert.ok(names.methods.length >= 30 && names.qualifiedNames.length >= 12 && names.backends.length >= 8 && names.settingsKeys.length >= 8);
});
