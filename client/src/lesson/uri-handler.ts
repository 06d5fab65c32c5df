/**
 * Links into the lesson from outside the editor's command links: `<scheme>://cache-coach.cache-coach/lesson?section=<id>`
 * (and `/quiz`), where `<scheme>` is `vscode.env.uriScheme` (vscode, vscode-insiders, code-oss, ...).
 */
import * as vscode from 'vscode';
import { EXTENSION_ID, parseLessonUri } from './links';

/** The URI that opens the lesson at a section (a section id, a rule code, or nothing for the start). */
export function lessonUri(section?: string): vscode.Uri {
  return vscode.Uri.from({ scheme: vscode.env.uriScheme, authority: EXTENSION_ID, path: '/lesson', query: section ? `section=${encodeURIComponent(section)}` : '' });
}

export class LessonUriHandler implements vscode.UriHandler {
  constructor(private readonly open: (target: string | undefined) => Promise<void>, private readonly log: (message: string) => void) {}

  async handleUri(uri: vscode.Uri): Promise<void> {
    const request = parseLessonUri(uri);
    if (!request) {
      this.log(`Ignored a link the lesson does not know: ${uri.toString(true)}`);
      return;
    }
    await this.open(request.target);
  }
}
