/** The language status item: the server's state and how many findings the open files have. */
import * as vscode from 'vscode';

export type ServerState = 'starting' | 'ready' | 'stopped' | 'disabled';

/** A pyproject.toml whose `[tool.cache-coach]` cannot be used (the server's `cacheCoach/configProblems`). */
export interface ConfigProblem {
  uri: string;
  message: string;
  line: number;
  column: number;
}

export class FindingsStatus implements vscode.Disposable {
  private readonly item = vscode.languages.createLanguageStatusItem('cacheCoach.status', [
    { language: 'python' },
    { language: 'django-html' },
    { language: 'typescript' },
    { language: 'javascript' },
  ]);
  private readonly findings = new Map<string, number>();
  private state: ServerState = 'starting';
  private configProblems: ConfigProblem[] = [];

  constructor() {
    this.item.name = 'Cache Coach';
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

  setConfigProblems(problems: ConfigProblem[]): void {
    this.configProblems = problems;
    this.render();
  }

  /** What the item shows (the extension's tests read it). */
  snapshot(): { text: string; severity: 'error' | 'information'; detail: string | undefined } {
    return { text: this.item.text, severity: this.item.severity === vscode.LanguageStatusSeverity.Error ? 'error' : 'information', detail: this.item.detail };
  }

  clearFindings(): void {
    this.findings.clear();
    this.configProblems = [];
    this.render();
  }

  private render(): void {
    const total = [...this.findings.values()].reduce((sum, count) => sum + count, 0);
    this.item.busy = this.state === 'starting';
    const problem = this.configProblems[0];
    if (problem && this.state !== 'disabled') {
      const where = `${vscode.workspace.asRelativePath(vscode.Uri.parse(problem.uri))}, line ${problem.line}`;
      this.item.severity = vscode.LanguageStatusSeverity.Error;
      this.item.text = 'Cache Coach: pyproject.toml error';
      this.item.detail = `${where}: ${problem.message} · using the defaults`;
      const selection = new vscode.Range(problem.line - 1, problem.column - 1, problem.line - 1, problem.column - 1);
      this.item.command = { title: 'Open pyproject.toml', command: 'vscode.open', arguments: [vscode.Uri.parse(problem.uri), { selection }] };
      return;
    }
    this.item.command = { title: 'Show log', command: 'cacheCoach.showOutput' };
    this.item.severity = this.state === 'stopped' ? vscode.LanguageStatusSeverity.Error : vscode.LanguageStatusSeverity.Information;
    this.item.text = this.state === 'ready' ? `Cache Coach: ${total} finding${total === 1 ? '' : 's'}` : `Cache Coach: ${this.state}`;
    this.item.detail = 'in open files · click for the log';
  }

  dispose(): void {
    this.item.dispose();
  }
}
