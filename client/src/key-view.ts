/**
 * The "Cache keys" view (Explorer side bar): every cache key of the project, from the server's key map
 * (`cacheCoach/keyMap`), with its writes, reads, invalidations and findings. Refreshed when the server says the
 * map changed; a filter asks the server for the matching keys; the code lenses' command reveals a key here.
 * The desktop and the browser extension both use this one implementation.
 */
import * as vscode from 'vscode';
import type { BaseLanguageClient } from 'vscode-languageclient';
import {
  KEY_MAP_CHANGED_NOTIFICATION,
  KEY_MAP_REQUEST,
  keySummary,
  REVEAL_KEY_COMMAND,
  timeoutText,
  type KeyMapParams,
  type LspKeyEntry,
  type LspKeyFinding,
  type LspKeyMap,
  type LspKeySite,
} from '../../server/src/lsp/key-map';

export const KEY_VIEW_ID = 'cacheCoach.keys';
const FILTERED_CONTEXT = 'cacheCoach.keys.filtered';

type GroupName = 'Writes' | 'Reads' | 'Invalidations' | 'Findings';
interface KeyNode {
  type: 'key';
  /** Unique among the roots (the tree refuses two rows with one id). */
  id: string;
  entry: LspKeyEntry;
}
interface GroupNode {
  type: 'group';
  name: GroupName;
  parent: KeyNode;
}
interface SiteNode {
  type: 'site';
  index: number;
  group: GroupName;
  site: LspKeySite | LspKeyFinding;
  parent: GroupNode;
}
type Node = KeyNode | GroupNode | SiteNode;

/** One row as the user sees it, for the extension's tests. */
export interface KeyTreeRow {
  label: string;
  description: string;
  icon: string | undefined;
  children: KeyTreeRow[];
}

export interface KeyViewApi {
  /** The whole tree as shown (children of every row, expanded or not). */
  rows(): Promise<KeyTreeRow[]>;
  /** The labels of the selected rows. */
  selection(): string[];
  /** The filter in force ('' when none). */
  filter(): string;
}

const GROUP_ICONS: Record<GroupName, string> = { Writes: 'edit', Reads: 'eye', Invalidations: 'trash', Findings: 'warning' };
const KIND_ICONS: Record<LspKeyEntry['kind'], string> = { key: 'key', fragment: 'file-code', page: 'globe' };

function keyNodes(entries: readonly LspKeyEntry[]): KeyNode[] {
  const seen = new Map<string, number>();
  return entries.map((entry) => {
    const base = `${entry.kind}:${entry.language}:${entry.alias ?? ''}:${entry.key}`;
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return { type: 'key', id: count === 0 ? base : `${base}#${count}`, entry };
  });
}

function groupItems(entry: LspKeyEntry, name: GroupName): (LspKeySite | LspKeyFinding)[] {
  if (name === 'Writes') return entry.writes;
  if (name === 'Reads') return entry.reads;
  if (name === 'Invalidations') return entry.invalidations;
  return entry.findings;
}

function isWarning(entry: LspKeyEntry): boolean {
  return entry.problems.length > 0;
}

function keyTooltip(entry: LspKeyEntry): vscode.MarkdownString {
  const text = new vscode.MarkdownString();
  text.appendMarkdown(`**${entry.kind === 'key' ? 'Key' : entry.kind === 'fragment' ? 'Template fragment' : 'Cached page'}** `);
  text.appendText(entry.key);
  text.appendMarkdown('\n\n');
  text.appendText(keySummary(entry));
  const explained: Record<LspKeyEntry['problems'][number], string> = {
    'never-invalidated': 'Cached with no expiry and never deleted: it stays stale until the cache is cleared.',
    'per-user-leak': "Holds one user's data under a key other users read.",
    collision: 'Another entry uses the same name.',
  };
  for (const problem of entry.problems) text.appendMarkdown('\n\n$(warning) ').appendText(explained[problem]);
  text.supportThemeIcons = true;
  return text;
}

export class KeyView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly view: vscode.TreeView<Node>;
  private readonly disposables: vscode.Disposable[] = [];
  private client: BaseLanguageClient | undefined;
  private clientSubscription: vscode.Disposable | undefined;
  private query = '';
  private roots: KeyNode[] | undefined;
  private loading: Promise<KeyNode[]> | undefined;
  private stale = false;

  constructor(private readonly log: (message: string) => void) {
    this.view = vscode.window.createTreeView(KEY_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      this.changed,
      this.view.onDidChangeVisibility(({ visible }) => {
        if (visible && this.stale) this.refresh();
      }),
      vscode.commands.registerCommand('cacheCoach.keys.refresh', () => this.refresh()),
      vscode.commands.registerCommand('cacheCoach.keys.filter', async (text?: unknown) => {
        const query =
          typeof text === 'string'
            ? text
            : await vscode.window.showInputBox({
                title: 'Filter cache keys',
                prompt: 'Keys whose text, alias, file, problem or rule code contains this',
                placeHolder: 'catalog:book, signals.py, CACHE004, leak …',
                value: this.query,
              });
        if (query !== undefined) await this.setFilter(query);
      }),
      vscode.commands.registerCommand('cacheCoach.keys.clearFilter', () => this.setFilter('')),
      vscode.commands.registerCommand(REVEAL_KEY_COMMAND, (key?: unknown, kind?: unknown) => this.reveal(String(key ?? ''), typeof kind === 'string' ? kind : undefined)),
    );
    void vscode.commands.executeCommand('setContext', FILTERED_CONTEXT, false);
  }

  /** The language client to ask (undefined while the server is stopped or disabled). */
  setClient(client: BaseLanguageClient | undefined): void {
    this.clientSubscription?.dispose();
    this.client = client;
    this.clientSubscription = client?.onNotification(KEY_MAP_CHANGED_NOTIFICATION, () => {
      if (this.view.visible) this.refresh();
      else {
        // Fetched again when next asked for, and the rows redrawn when the view shows.
        this.roots = undefined;
        this.loading = undefined;
        this.stale = true;
      }
    });
    this.refresh();
  }

  refresh(): void {
    this.stale = false;
    this.roots = undefined;
    this.loading = undefined;
    this.changed.fire(undefined);
  }

  private async setFilter(query: string): Promise<void> {
    this.query = query.trim();
    this.view.description = this.query ? `filter: ${this.query}` : undefined;
    await vscode.commands.executeCommand('setContext', FILTERED_CONTEXT, this.query !== '');
    this.refresh();
  }

  private load(): Promise<KeyNode[]> {
    if (this.roots) return Promise.resolve(this.roots);
    if (!this.loading) {
      const client = this.client;
      const params: KeyMapParams = this.query ? { query: this.query } : {};
      this.loading = (async () => {
        if (!client) return [];
        try {
          // A client still starting answers once it is running.
          const map = await client.sendRequest<LspKeyMap>(KEY_MAP_REQUEST, params);
          return keyNodes(map.keys);
        } catch (error) {
          this.log(`Cache keys: ${error instanceof Error ? error.message : String(error)}`);
          return [];
        }
      })();
      const loading = this.loading;
      void loading.then((roots) => {
        if (this.loading === loading) this.roots = roots;
      });
    }
    return this.loading;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) return this.load();
    if (node.type === 'key') {
      const groups: GroupName[] = ['Writes', 'Reads', 'Invalidations', 'Findings'];
      return groups.filter((name) => groupItems(node.entry, name).length > 0).map((name): GroupNode => ({ type: 'group', name, parent: node }));
    }
    if (node.type === 'group') return groupItems(node.parent.entry, node.name).map((site, index): SiteNode => ({ type: 'site', index, group: node.name, site, parent: node }));
    return [];
  }

  getParent(node: Node): Node | undefined {
    return node.type === 'key' ? undefined : node.parent;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.type === 'key') {
      const { entry } = node;
      const item = new vscode.TreeItem(entry.key, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = node.id;
      item.description = keySummary(entry);
      item.tooltip = keyTooltip(entry);
      item.iconPath = isWarning(entry) ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')) : new vscode.ThemeIcon(KIND_ICONS[entry.kind]);
      item.contextValue = 'cacheCoachKey';
      return item;
    }
    if (node.type === 'group') {
      const count = groupItems(node.parent.entry, node.name).length;
      const item = new vscode.TreeItem(node.name, node.name === 'Reads' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded);
      item.id = `${node.parent.id}/${node.name}`;
      item.description = String(count);
      item.iconPath = new vscode.ThemeIcon(GROUP_ICONS[node.name]);
      return item;
    }
    const { site, parent } = node;
    const uri = vscode.Uri.parse(site.uri);
    const item = new vscode.TreeItem(`${vscode.workspace.asRelativePath(uri, false)}:${site.line}`, vscode.TreeItemCollapsibleState.None);
    item.id = `${parent.parent.id}/${parent.name}/${node.index}`;
    item.description = siteDescription(node);
    item.tooltip = item.description;
    const start = new vscode.Position(site.line - 1, site.column - 1);
    const end = 'endLine' in site ? new vscode.Position(site.endLine - 1, site.endColumn - 1) : start;
    item.command = { title: 'Open', command: 'vscode.open', arguments: [uri, { selection: new vscode.Range(start, end), preview: true }] };
    // No resourceUri: the file's problem count and colour would crowd the line and read as this site's.
    return item;
  }

  /** Shows a key (from a code lens): the filter is cleared when it hides the key. */
  async reveal(key: string, kind?: string): Promise<void> {
    const matches = (node: KeyNode): boolean => node.entry.key === key && (kind === undefined || node.entry.kind === kind);
    let found = (await this.load()).find(matches);
    if (!found && this.query) {
      await this.setFilter('');
      found = (await this.load()).find(matches);
    }
    if (!found) {
      void vscode.window.showInformationMessage(`Cache Coach: the key ${key} is not in the key map any more.`);
      return;
    }
    // Revealing its first site opens the key and that group on screen (`expand` alone does not when the row is new).
    const [group] = await this.getChildren(found);
    const [first] = group ? await this.getChildren(group) : [];
    if (first) await this.view.reveal(first, { select: false, focus: false });
    await this.view.reveal(found, { select: true, focus: true, expand: true });
  }

  api(): KeyViewApi {
    const row = async (node: Node): Promise<KeyTreeRow> => {
      const item = this.getTreeItem(node);
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      const icon = item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : undefined;
      return { label, description: String(item.description ?? ''), icon, children: await Promise.all((await this.getChildren(node)).map(row)) };
    };
    return {
      rows: async () => Promise.all((await this.getChildren()).map(row)),
      selection: () => this.view.selection.map((node) => {
        const label = this.getTreeItem(node).label;
        return typeof label === 'string' ? label : (label?.label ?? '');
      }),
      filter: () => this.query,
    };
  }

  dispose(): void {
    this.clientSubscription?.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }
}

function siteDescription(node: SiteNode): string {
  const { site } = node;
  if ('code' in site) return `${site.code}  ${site.message}`;
  const language = node.parent.parent.entry.language;
  if (node.group === 'Writes') {
    const vary = node.parent.parent.entry.kind === 'page' ? (site.vary?.length ? `vary ${site.vary.join(', ')}` : 'no Vary') : '';
    return [site.method, timeoutText(site.timeout, language), vary].filter(Boolean).join('  ');
  }
  if (node.group === 'Invalidations' && site.how && site.how !== site.method) return `${site.method}  (${site.how})`;
  return site.method;
}
