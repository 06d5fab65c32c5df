// Helpers for the extension-host suites (run inside VS Code's extension host; `vscode` is the real API).
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');

const EXTENSION_ID = 'cache-coach.cache-coach';
const SOURCE = 'Cache Coach';
const FIXTURE = path.resolve(__dirname, '..', '..', 'fixtures', 'sample-project');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The workspace: a temp COPY of the sample project. Refuses to run on the fixture itself. */
function workspaceRoot() {
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  assert.ok(folder, 'no workspace folder is open');
  const root = folder.uri.fsPath;
  assert.notStrictEqual(path.resolve(root), FIXTURE, 'the suites must run on a copy of the sample project, never on the fixture');
  assert.ok(fs.existsSync(path.join(root, 'catalog', 'views.py')), `${root} is not a copy of the sample project`);
  return root;
}

const uriOf = (rel) => vscode.Uri.file(path.join(workspaceRoot(), rel));

/** Polls `probe` until it returns a truthy value; fails with `what` after `timeout` ms. */
async function waitFor(what, probe, timeout = 30000, interval = 100) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await sleep(interval);
  }
}

/** A diagnostic's code as a string (LSP codes with a codeDescription arrive as { value, target }). */
function codeOf(diagnostic) {
  const code = diagnostic.code;
  return String(code && typeof code === 'object' ? code.value : code);
}

function ours(uri) {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

/** Our diagnostics on `uri` with `code`, optionally on a 1-based `line`. */
function find(uri, code, line) {
  return ours(uri).filter((d) => codeOf(d) === code && (line === undefined || d.range.start.line === line - 1));
}

const describeDiagnostics = (uri) => JSON.stringify(ours(uri).map((d) => `${codeOf(d)}@${d.range.start.line + 1}`));

async function waitForDiagnostic(uri, code, line, timeout = 60000) {
  return (await waitFor(`${code} on ${path.basename(uri.fsPath)}:${line} (now ${describeDiagnostics(uri)})`,
    () => find(uri, code, line)[0], timeout));
}

async function waitForNoDiagnostic(uri, code, line, timeout = 30000) {
  await waitFor(`${code} on ${path.basename(uri.fsPath)}${line ? `:${line}` : ''} to go away (now ${describeDiagnostics(uri)})`,
    () => find(uri, code, line).length === 0, timeout);
}

async function activate() {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is not loaded`);
  await extension.activate();
  return extension;
}

/** Opens (and shows) a workspace file. */
async function open(rel, show = true) {
  const document = await vscode.workspace.openTextDocument(uriOf(rel));
  if (show) await vscode.window.showTextDocument(document, { preview: false });
  return document;
}

/** Puts the workspace file back to the fixture's text (in the editor and on disk). */
async function restore(rel) {
  const original = fs.readFileSync(path.join(FIXTURE, rel), 'utf8');
  const document = await vscode.workspace.openTextDocument(uriOf(rel));
  if (document.getText() !== original) {
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, new vscode.Range(0, 0, document.lineCount, 0), original);
    assert.ok(await vscode.workspace.applyEdit(edit), `could not restore ${rel}`);
  }
  if (document.isDirty) await document.save();
  if (fs.readFileSync(document.uri.fsPath, 'utf8') !== original) fs.writeFileSync(document.uri.fsPath, original);
}

/** Code actions at a diagnostic's range (resolving their edits, as the light bulb does). */
async function codeActions(uri, range, kind) {
  const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, range, kind, 50);
  return (actions || []).filter((a) => a && typeof a.title === 'string');
}

/** Applies a code action the way the editor does: its edit, then its command. */
async function applyAction(action) {
  if (action.edit) assert.ok(await vscode.workspace.applyEdit(action.edit), `applyEdit failed for "${action.title}"`);
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments || []));
}

function hoverText(hovers) {
  return (hovers || []).flatMap((h) => h.contents).map((c) => (typeof c === 'string' ? c : c.value)).join('\n');
}

/** Lines of a text, and the 0-based index of the first line equal (trimmed) to `text`. */
function lineIndex(text, wanted) {
  return text.split(/\r?\n/).findIndex((l) => l.trim() === wanted);
}

module.exports = {
  assert, vscode, EXTENSION_ID, SOURCE, FIXTURE, sleep, workspaceRoot, uriOf, waitFor, codeOf, ours, find,
  waitForDiagnostic, waitForNoDiagnostic, activate, open, restore, codeActions, applyAction, hoverText, lineIndex,
};
