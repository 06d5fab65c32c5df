import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Hover } from 'vscode-languageserver-protocol';
import { copyOf, SAMPLE_PROJECT } from '../cli/helpers.js';
import { LspClient, SERVER } from './lsp-client.js';

let project: { dir: string; dispose(): void };
let client: LspClient;

before(async () => {
  project = copyOf(SAMPLE_PROJECT);
  client = await LspClient.start(project.dir);
});

after(async () => {
  await client.stop();
  project.dispose();
});

const VIEW = 'from django.views.decorators.cache import cache_page\n\n\n@cache_page(60)\ndef me(request):\n    return request.user.username\n';

async function stillAnswers(): Promise<void> {
  const documentUri = client.open(join(project.dir, `probe${Date.now()}.py`), VIEW);
  const diagnostics = await client.diagnostics(documentUri, (list) => list.length === 1);
  assert.equal(diagnostics[0].code, 'CACHE004');
}

test('unknown requests get MethodNotFound and the server goes on', async () => {
  await assert.rejects(client.connection.sendRequest('cacheCoach/doesNotExist', { x: 1 }), /Unhandled method|not found/i);
  await client.connection.sendNotification('cacheCoach/unknownNotification', {});
  await stillAnswers();
});

test('out-of-range positions, unknown documents and wrong parameter types do not crash the server', async () => {
  const documentUri = client.open(join(project.dir, 'range.py'), VIEW);
  await client.diagnostics(documentUri);
  const far = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: documentUri }, position: { line: 9999, character: 9999 } })) as Hover | null;
  assert.equal(far, null);
  assert.equal(await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: 'file:///nowhere/x.py' }, position: { line: 0, character: 0 } }), null);
  await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri: documentUri }, range: { start: { line: -5, character: -1 }, end: { line: 1e6, character: 0 } }, context: { diagnostics: [{ range: { start: { line: 3, character: 1 }, end: { line: 3, character: 15 } }, message: 'forged', source: 'Cache Coach', code: 'CACHE004', data: { fixes: 'not a list' } }] } }).catch(() => undefined);
  await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: documentUri }, position: { line: 'x', character: null } }).catch(() => undefined);
  await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: 'file:///never/opened.py', version: 2 }, contentChanges: [{ text: 'x' }] });
  await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: documentUri, version: 2 }, contentChanges: [{ range: { start: { line: 500, character: 3 }, end: { line: 900, character: 0 } }, text: 'cache.set("a b", 1)\n' }] });
  await stillAnswers();
});

test('a cancelled request does not break the server', async () => {
  const documentUri = client.open(join(project.dir, 'cancel.py'), VIEW);
  await client.diagnostics(documentUri);
  const pending = client.connection.sendRequest('textDocument/hover', { textDocument: { uri: documentUri }, position: { line: 3, character: 3 } });
  await client.connection.sendNotification('$/cancelRequest', { id: 999_999 });
  await pending.catch(() => undefined);
  await stillAnswers();
});

test('malformed JSON on the wire is reported, not fatal', async () => {
  const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const frame = (body: string): string => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  child.stdin.write(frame('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}'));
  child.stdin.write(frame('{"jsonrpc": "2.0", "id": 2, "method": '));
  child.stdin.write(frame('[1, 2, 3]'));
  child.stdin.write(frame('{"jsonrpc":"2.0","id":3,"method":"shutdown"}'));
  const exited = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill();
      resolve(null);
    }, 10_000);
    setTimeout(() => child.stdin.write(frame('{"jsonrpc":"2.0","method":"exit"}')), 1000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  assert.match(stdout, /"id":1,"result":\{"capabilities"/);
  assert.match(stdout, /"id":3,"result":null/, `the server kept answering after the malformed messages; stderr: ${stderr}`);
  assert.equal(exited, 0);
});
