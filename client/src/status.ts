/** The language status item: the server's state and how many findings the open files have. */
import * as vscode from 'vscode';

export type ServerState = 'starting' | 'ready' | 'stopped' | 'disabled';

export class FindingsStatus implements vscode.Disposable {
  private readonly item = vscode.languages.createLanguageStatusItem('cacheCoach.status', [
    { language: 'python' },
    { language: 'django-html' },
    { language: 'typescript' },
    { language: 'javascript' },
  ]);
  private readonly findings = new Map<string, number>();
  private state: ServerState = 'starting';

  constructor() {
    this.item.name = 'Cache Coach';
    this.item.command = { title: 'Show log', command: 'cacheCoach.showOutput' };
    this.render();
  }

  set(state: ServerState): void {
    this.state = state;
    this.render();
  }

  setFindings(uri: string, count: number): void {
    this.findings.set(uri, count);
    this.render();
  }

  clearFindings(): void {
    this.findings.clear();
    this.render();
  }

  private render(): void {
    const total = [...this.findings.values()].reduce((sum, count) => sum + count, 0);
    this.item.busy = this.state === 'starting';
    this.item.severity = this.state === 'stopped' ? vscode.LanguageStatusSeverity.Error : vscode.LanguageStatusSeverity.Information;
    this.item.text = this.state === 'ready' ? `Cache Coach: ${total} finding${total === 1 ? '' : 's'}` : `Cache Coach: ${this.state}`;
    this.item.detail = 'in open files · click for the log';
  }

  dispose(): void {
    this.item.dispose();
  }
}
