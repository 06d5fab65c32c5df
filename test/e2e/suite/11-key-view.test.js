// Issue 17 in the editor: the "Cache keys" view (its tree as the extension gives it to VS Code), the filter, the
// code lenses above cache writes and their click, and the refresh when a file changes.
const h = require('./helpers');
const { assert, vscode } = h;

const find = (rows, label) => rows.find((row) => row.label === label);
const labels = (rows) => rows.map((row) => row.label);

describe('the Cache keys view and the code lenses', function () {
  this.timeout(120000);
  let api;

  before(async () => {
    api = (await h.activate()).exports;
  });

  after(async () => {
    await vscode.commands.executeCommand('cacheCoach.keys.clearFilter');
    await vscode.workspace.getConfiguration('cacheCoach').update('codeLens.enable', undefined, vscode.ConfigurationTarget.Workspace);
    await h.restore('catalog/services.py');
  });

  /** The rows once the server has answered with the sample project's keys. */
  const rowsWith = (label) => h.waitFor(`a "${label}" row in the view`, async () => {
    const rows = await api.keyView.rows();
    return find(rows, label) ? rows : undefined;
  }, 60000, 500);

  it('lists the project\'s keys with their writes, reads and invalidations; keys nobody invalidates get a warning icon', async () => {
    const rows = await rowsWith('catalog:book:{}');
    const book = find(rows, 'catalog:book:{}');
    assert.strictEqual(book.icon, 'key');
    assert.strictEqual(book.description, 'default · never expires');
    assert.deepStrictEqual(labels(book.children), ['Writes', 'Reads', 'Invalidations']);
    const [writes, reads, invalidations] = book.children;
    assert.deepStrictEqual(writes.children.map((row) => `${row.label}  ${row.description}`), ['catalog/services.py:25  set  None: never expires']);
    assert.deepStrictEqual(labels(reads.children), ['catalog/services.py:21']);
    assert.deepStrictEqual(invalidations.children.map((row) => `${row.label}  ${row.description}`), ['catalog/signals.py:13  delete', 'catalog/signals.py:19  delete_many']);

    const bibliography = find(rows, 'catalog:author:{}:bibliography');
    assert.strictEqual(bibliography.icon, 'warning');
    assert.strictEqual(bibliography.description, 'default · never expires · never invalidated');
    assert.deepStrictEqual(labels(bibliography.children), ['Writes', 'Reads', 'Findings']);
    assert.match(bibliography.children[2].children[0].description, /^CACHE001 /);

    const page = find(rows, 'catalog.views.book_detail');
    assert.strictEqual(page.icon, 'warning', 'a per-user page cached for everyone');
    assert.match(page.children[0].children[0].description, /^cache_page  10 min  no Vary$/);
    assert.ok(labels(rows).indexOf('catalog:author:{}:bibliography') < labels(rows).indexOf('catalog:book:{}'), 'keys with a problem come first');
  });

  it('filters by text, and the clear-filter command brings every key back', async () => {
    const all = await rowsWith('catalog:book:{}');
    await vscode.commands.executeCommand('cacheCoach.keys.filter', 'signals.py');
    assert.strictEqual(api.keyView.filter(), 'signals.py');
    const filtered = await api.keyView.rows();
    assert.ok(find(filtered, 'catalog:book:{}'), 'a key invalidated in signals.py');
    assert.ok(!find(filtered, 'catalog:author:{}:bibliography'), 'a key with no site in signals.py');
    assert.ok(filtered.length < all.length);
    await vscode.commands.executeCommand('cacheCoach.keys.filter', 'no such key anywhere');
    assert.deepStrictEqual(await api.keyView.rows(), [], 'nothing matches: the view shows its empty-filter message');
    await vscode.commands.executeCommand('cacheCoach.keys.clearFilter');
    assert.strictEqual(api.keyView.filter(), '');
    assert.strictEqual((await api.keyView.rows()).length, all.length);
  });

  it('code lenses appear above cache writes once the setting is on, and a click shows the key in the view', async () => {
    const document = await h.open('catalog/services.py');
    await rowsWith('catalog:book:{}');
    const lensesAt = async (line) => ((await vscode.commands.executeCommand('vscode.executeCodeLensProvider', document.uri)) || [])
      .filter((lens) => lens.range.start.line === line - 1 && lens.command);
    assert.deepStrictEqual(await lensesAt(25), [], 'off by default');
    await vscode.workspace.getConfiguration('cacheCoach').update('codeLens.enable', true, vscode.ConfigurationTarget.Workspace);
    const [lens] = await h.waitFor('a lens above line 25', async () => {
      const found = await lensesAt(25);
      return found.length ? found : undefined;
    }, 30000, 300);
    assert.strictEqual(lens.command.title, 'never expires · invalidated in signals.py:13 (+1 more)');
    await vscode.commands.executeCommand(lens.command.command, ...lens.command.arguments);
    await h.waitFor('the key selected in the view', () => api.keyView.selection().includes('catalog:book:{}'), 15000);
  });

  it('refreshes when a file changes: a delete added for a key takes its warning away', async () => {
    const before = find(await rowsWith('catalog:author:{}:bibliography'), 'catalog:author:{}:bibliography');
    assert.strictEqual(before.icon, 'warning');
    const document = await h.open('catalog/services.py');
    const edit = new vscode.WorkspaceEdit();
    edit.insert(document.uri, new vscode.Position(document.lineCount, 0), '\n\ndef forget_bibliography(author_id):\n    cache.delete(f"catalog:author:{author_id}:bibliography")\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const after = await h.waitFor('the key to lose its warning', async () => {
      const row = find(await api.keyView.rows(), 'catalog:author:{}:bibliography');
      return row && row.icon !== 'warning' ? row : undefined;
    }, 30000, 300);
    assert.strictEqual(after.description, 'default · never expires');
    assert.deepStrictEqual(labels(after.children), ['Writes', 'Reads', 'Invalidations']);
  });
});
