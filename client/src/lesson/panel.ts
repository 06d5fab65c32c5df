/**
 * The lesson's webview panel (view type `cacheCoach.lesson`): one at a time, opened by the commands,
 * the URI handler and hover links, and restored by the serializer after a reload. Scripts are on;
 * command links, forms and every resource outside the extension's media/ are off.
 */
import * as vscode from 'vscode';
import type { LessonController, Peer } from './controller';
import { lessonPageHtml } from './html';
import type { HostMessage, View } from './messages';

export const VIEW_TYPE = 'cacheCoach.lesson';
const TITLE = 'Cache Coach: Lesson';

/** The page bundle built by esbuild.config.mjs from client/src/lesson-page/main.ts. */
export function pageScript(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'media', 'lesson', 'page.js');
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableForms: false,
    enableCommandUris: false,
    // The page may load from media/ only: its style sheet and its script (media/lesson/page.js, built). VS Code
    // accepts folders only here (a root naming the file itself is refused), hence the bundle lives in media/.
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/** 18 random bytes as base64: a fresh nonce for each page load (Web Crypto: Node 20 and browsers alike). */
function nonce(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes));
}

export class LessonPanels implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private pendingView: View | undefined;
  private pageReady = false;
  private panelDisposables: vscode.Disposable[] = [];

  constructor(private readonly extensionUri: vscode.Uri, private readonly controller: LessonController) {}

  /** Opens the panel (or brings it forward) at a view; without one, the page shows where it was. */
  show(view?: View): void {
    if (this.panel) {
      this.panel.reveal(undefined, false);
      if (view) {
        if (this.pageReady) this.post({ type: 'show', view });
        else this.pendingView = view;
      }
      return;
    }
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, TITLE, { viewColumn: column, preserveFocus: false }, {
      ...webviewOptions(this.extensionUri),
      enableFindWidget: true,
      // Keeps the simulator and a running exercise alive while the tab is in the background.
      retainContextWhenHidden: true,
    });
    this.attach(panel, view);
  }

  /**
   * Called by the serializer after a reload. The page gets its saved state back from VS Code itself
   * (`vscode.getState()`) and checks it there; the extension only reattaches the panel.
   */
  revive(panel: vscode.WebviewPanel): void {
    if (this.panel) {
      // Only one lesson panel: a second restored one is closed.
      panel.dispose();
      return;
    }
    this.attach(panel, undefined);
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  private attach(panel: vscode.WebviewPanel, view: View | undefined): void {
    this.panel = panel;
    this.pendingView = view;
    this.pageReady = false;
    panel.title = TITLE;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'lesson', 'icon.svg');
    panel.webview.options = webviewOptions(this.extensionUri);
    const peer: Peer = {
      post: (message) => this.post(message),
      takePendingView: () => {
        this.pageReady = true;
        const pending = this.pendingView;
        this.pendingView = undefined;
        return pending;
      },
    };
    this.panelDisposables = [
      panel.webview.onDidReceiveMessage((raw: unknown) => this.controller.handle(raw, peer)),
      this.controller.progress.onDidChange((progress) => this.post({ type: 'progress', progress })),
      this.controller.runner.onDidChange((runner) => this.post({ type: 'runner', runner })),
      panel.onDidDispose(() => {
        if (this.panel === panel) this.panel = undefined;
        for (const disposable of this.panelDisposables) disposable.dispose();
        this.panelDisposables = [];
      }),
    ];
    const webview = panel.webview;
    webview.html = lessonPageHtml({
      cspSource: webview.cspSource,
      nonce: nonce(),
      scriptUri: webview.asWebviewUri(pageScript(this.extensionUri)).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'lesson', 'lesson.css')).toString(),
    });
  }

  private post(message: HostMessage): void {
    if (!this.panel || !this.pageReady) return; // the page asks for everything with `ready` once it has loaded
    void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
