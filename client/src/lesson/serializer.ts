/** Restores the lesson panel after a window reload (view type `cacheCoach.lesson`). */
import type * as vscode from 'vscode';
import type { LessonPanels } from './panel';

export class LessonSerializer implements vscode.WebviewPanelSerializer {
  constructor(private readonly panels: LessonPanels) {}

  async deserializeWebviewPanel(panel: vscode.WebviewPanel): Promise<void> {
    this.panels.revive(panel);
  }
}
