import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Hover } from 'vscode-languageserver-protocol';
import { copyOf, ROOT, SAMPLE_PROJECT } from '../cli/helpers.js';
import { LspClient } from './lsp-client.js';

const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string };
// The README as npm publishes it with the package: its rule sections are anchors there.
const README_RULE = (code: string): string => `https://www.npmjs.com/package/${packageJson.name}#${code.toLowerCase()}`;

async function hoverOverLeak(initializationOptions?: Record<string, unknown>): Promise<{ href: string | undefined; hover: string }> {
  const project = copyOf(SAMPLE_PROJECT);
  const client = await LspClient.start(project.dir, {}, initializationOptions);
  try {
    const path = join(project.dir, 'catalog', 'views.py');
    const documentUri = client.open(path, readFileSync(path, 'utf8'));
    const diagnostics = await client.diagnostics(documentUri, (list) => list.some((diagnostic) => diagnostic.code === 'CACHE004'));
    const leak = diagnostics.find((diagnostic) => diagnostic.code === 'CACHE004')!;
    const position = { line: leak.range.start.line, character: leak.range.start.character + 3 };
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: documentUri }, position })) as Hover | null;
    return { href: leak.codeDescription?.href, hover: hover ? (hover.contents as { value: string }).value : '' };
  } finally {
    await client.stop();
    project.dispose();
  }
}

test('other editors: the code link and the hover over a finding lead to the README rule section on npm', async () => {
  const { href, hover } = await hoverOverLeak();
  assert.equal(href, README_RULE('CACHE004'));
  assert.ok(hover.includes(`[Lesson: CACHE004 page-cache-per-user](${README_RULE('CACHE004')})`), hover);
  // The cache_page documentation is still there, below.
  assert.match(hover, /cache_page\(/);
});

test('VS Code (command links): the hover over a finding opens the rule\'s lesson page', async () => {
  const { hover } = await hoverOverLeak({ commandLinks: true });
  assert.ok(hover.includes(`[Lesson: CACHE004 page-cache-per-user](command:cacheCoach.openLesson?${encodeURIComponent(JSON.stringify(['cache004']))})`), hover);
});
