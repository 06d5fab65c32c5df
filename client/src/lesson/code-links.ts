/**
 * Diagnostic code links inside the editor: the server gives every diagnostic a web URL (the README's rule
 * section, for the CLI, SARIF and other editors); in VS Code the code opens the rule's page in the lesson.
 */
import type { Middleware } from 'vscode-languageclient';
import { lessonUri } from './uri-handler';

const SOURCE = 'Cache Coach';
const RULE_CODE = /^CACHE\d{3}$/;

export const lessonCodeLinks: Pick<Middleware, 'handleDiagnostics'> = {
  handleDiagnostics(uri, diagnostics, next) {
    for (const diagnostic of diagnostics) {
      const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
      if (diagnostic.source !== SOURCE || !RULE_CODE.test(String(code))) continue;
      diagnostic.code = { value: String(code), target: lessonUri(String(code).toLowerCase()) };
    }
    next(uri, diagnostics);
  },
};

