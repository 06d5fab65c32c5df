/**
 * The lesson page in headless Chromium, outside VS Code: the page's real HTML (with its CSP), its
 * bundle built from client/src/lesson-page, its style sheet, served from 127.0.0.1, and a stand-in for
 * the VS Code API (`acquireVsCodeApi`) that records what the page posts and keeps its state. Tests
 * send messages in as the extension would (window.postMessage) and read what came out.
 */
import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { lessonPageHtml } from '../../client/src/lesson/html';

export const ROOT = join(__dirname, '..', '..');
export const CHROMIUM = process.env.CACHE_COACH_CHROMIUM || '/usr/bin/chromium';
export const NONCE = 'dGVzdC1ub25jZS0xMjM0NTY3OA==';

/** VS Code's default light theme (Light Modern), the colours the page uses. */
export const LIGHT_THEME: Record<string, string> = {
  '--vscode-foreground': '#3b3b3b',
  '--vscode-editor-background': '#ffffff',
  '--vscode-sideBar-background': '#f8f8f8',
  '--vscode-panel-border': '#e5e5e5',
  '--vscode-descriptionForeground': '#3b3b3b',
  '--vscode-textLink-foreground': '#005fb8',
  '--vscode-testing-iconPassed': '#388a34',
  '--vscode-testing-iconFailed': '#f14c4c',
  '--vscode-editorWarning-foreground': '#bf8803',
  '--vscode-input-background': '#ffffff',
  '--vscode-textCodeBlock-background': '#f8f8f8',
  '--vscode-list-activeSelectionBackground': '#e8e8e8',
  '--vscode-list-activeSelectionForeground': '#000000',
  '--vscode-scrollbarSlider-background': 'rgba(100, 100, 100, 0.4)',
  '--vscode-progressBar-background': '#005fb8',
};

/** A dark theme's worth of the variables VS Code sets on the page's root element. */
export const THEME: Record<string, string> = {
  '--vscode-font-family': 'system-ui, "DejaVu Sans", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-editor-font-family': '"DejaVu Sans Mono", monospace',
  '--vscode-editor-font-size': '13px',
  '--vscode-foreground': '#cccccc',
  '--vscode-editor-background': '#1f1f1f',
  '--vscode-sideBar-background': '#181818',
  '--vscode-panel-border': '#2b2b2b',
  '--vscode-textLink-foreground': '#4daafc',
  '--vscode-button-background': '#0078d4',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-input-background': '#313131',
  '--vscode-textCodeBlock-background': '#2b2b2b',
  '--vscode-list-activeSelectionBackground': '#04395e',
};

export interface StubRecord {
  posted: unknown[];
  state: unknown;
  violations: string[];
  warnings: string[];
}

export class PageHarness {
  private constructor(private readonly server: Server, private readonly browser: Browser, readonly origin: string, readonly html: string) {}

  static async start(): Promise<PageHarness> {
    const bundle = await build({ entryPoints: [join(ROOT, 'client', 'src', 'lesson-page', 'main.ts')], bundle: true, platform: 'browser', target: 'es2022', format: 'iife', write: false, logLevel: 'silent' });
    const script = bundle.outputFiles[0]!.text;
    const css = readFileSync(join(ROOT, 'media', 'lesson', 'lesson.css'), 'utf8');
    let html = '';
    const server = createServer((request, response) => {
      const url = request.url ?? '/';
      if (url === '/' || url.startsWith('/?')) {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      } else if (url === '/media/lesson/page.js') {
        response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
      } else if (url === '/media/lesson/lesson.css') {
        response.writeHead(200, { 'content-type': 'text/css; charset=utf-8' }).end(css);
      } else if (url === '/favicon.ico') {
        response.writeHead(204).end();
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    html = lessonPageHtml({ cspSource: origin, nonce: NONCE, scriptUri: `${origin}/media/lesson/page.js`, styleUri: `${origin}/media/lesson/lesson.css` });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    return new PageHarness(server, browser, origin, html);
  }

  /** A fresh page with the stub API; `state` is what vscode.getState() returns (a reload's saved state). */
  async open(options: { state?: unknown; viewport?: { width: number; height: number }; theme?: Record<string, string> } = {}): Promise<LessonTab> {
    const page = await this.browser.newPage({ viewport: options.viewport ?? { width: 1200, height: 800 } });
    // A string, not a function: tsx would wrap a function's inner names in a helper the page does not have.
    await page.addInitScript(`(() => {
      const record = { posted: [], state: ${JSON.stringify(options.state ?? null)}, violations: [], warnings: [] };
      window.__cc = record;
      window.acquireVsCodeApi = () => ({
        postMessage: (message) => record.posted.push(JSON.parse(JSON.stringify(message))),
        getState: () => record.state,
        setState: (next) => { record.state = JSON.parse(JSON.stringify(next)); },
      });
      document.addEventListener('securitypolicyviolation', (event) => record.violations.push(event.violatedDirective + ' ' + event.blockedURI));
      const warn = console.warn.bind(console);
      console.warn = (...args) => { record.warnings.push(args.map(String).join(' ')); warn(...args); };
      // What VS Code does: the theme's colours as CSS variables on the root element (CSSOM, allowed by the CSP).
      const theme = ${JSON.stringify({ ...THEME, ...options.theme })};
      const applyTheme = () => { for (const [name, value] of Object.entries(theme)) document.documentElement.style.setProperty(name, value); };
      if (document.documentElement) applyTheme(); else document.addEventListener('DOMContentLoaded', applyTheme);
    })();`);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${this.origin}/`);
    return new LessonTab(page, errors);
  }

  async close(): Promise<void> {
    await this.browser.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export class LessonTab {
  constructor(readonly page: Page, readonly errors: string[]) {}

  /** Sends a message as the extension does (webview.postMessage arrives as a window message event). */
  async send(message: unknown): Promise<void> {
    await this.page.evaluate((data) => window.postMessage(data, '*'), message);
  }

  async record(): Promise<StubRecord> {
    return this.page.evaluate(() => (window as unknown as { __cc: StubRecord }).__cc);
  }

  async posted(): Promise<{ type: string; [key: string]: unknown }[]> {
    return (await this.record()).posted as { type: string }[];
  }

  /** Waits until the page has posted a message of this type (optionally matching), and returns it. */
  async waitForPosted(type: string, match: (message: Record<string, unknown>) => boolean = () => true, timeout = 5000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const found = (await this.posted()).filter((message) => message.type === type && match(message as Record<string, unknown>));
      if (found.length) return found[found.length - 1] as Record<string, unknown>;
      if (Date.now() > deadline) throw new Error(`the page did not post ${type}; it posted ${JSON.stringify((await this.posted()).map((m) => m.type))}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async clearPosted(): Promise<void> {
    await this.page.evaluate(() => {
      (window as unknown as { __cc: StubRecord }).__cc.posted.length = 0;
    });
  }

  async text(selector: string): Promise<string> {
    return ((await this.page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
  }

  async close(): Promise<void> {
    await this.page.close();
  }
}
