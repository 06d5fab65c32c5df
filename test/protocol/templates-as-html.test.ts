import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { copyOf, SAMPLE_PROJECT } from '../cli/helpers.js';
import { LspClient, uri } from './lsp-client.js';

test('a template under templates/ opened as plain "html" (no django-html association) is checked', async () => {
  const project = copyOf(SAMPLE_PROJECT);
  const client = await LspClient.start(project.dir);
  try {
    const path = join(project.dir, 'catalog', 'templates', 'catalog', 'publisher_list.html');
    const documentUri = uri(path);
    void client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: documentUri, languageId: 'html', version: 1, text: readFileSync(path, 'utf8') } });
    // CACHE102 compares fragments across templates: it comes once the workspace scan is done.
    const diagnostics = await client.diagnostics(documentUri, (list) => list.length >= 2);
    assert.deepEqual(diagnostics.map((diagnostic) => `${diagnostic.code}@${diagnostic.range.start.line + 1}`).sort(), ['CACHE102@8', 'CACHE105@13']);
  } finally {
    await client.stop();
    project.dispose();
  }
});
