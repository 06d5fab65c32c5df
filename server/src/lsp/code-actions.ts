/** Quick fixes, "suppress on this line", and source.fixAll.cacheCoach (safe fixes only). */
import { CodeAction, CodeActionKind, type CodeActionParams, type Diagnostic } from 'vscode-languageserver';
import { suppressionEdit, type CommentStyle } from '../analysis/suppression.js';
import { LineIndex } from '../analysis/text.js';
import type { Finding } from '../analysis/types.js';
import { fixAllEdits } from '../engine/fix-all.js';
import { DIAGNOSTIC_SOURCE, fixesOf } from './diagnostics.js';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.cacheCoach`;

export function codeActions(params: CodeActionParams, text: string, style: CommentStyle, findings: () => Finding[]): CodeAction[] {
  const uri = params.textDocument.uri;
  const only = params.context.only;
  const wants = (kind: string): boolean => !only || only.some((requested) => kind === requested || kind.startsWith(`${requested}.`));
  const actions: CodeAction[] = [];
  if (wants(CodeActionKind.QuickFix)) {
    const lines = new LineIndex(text);
    for (const diagnostic of params.context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE || typeof diagnostic.code !== 'string') continue;
      for (const fix of fixesOf(diagnostic)) {
        actions.push({
          title: fix.safety === 'safe' ? fix.title : `${fix.title} (changes behaviour)`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          isPreferred: fix.safety === 'safe',
          edit: { changes: { [uri]: fix.edits } },
        });
      }
      actions.push(suppressAction(uri, diagnostic, lines, style));
    }
  }
  if (wants(FIX_ALL_KIND)) {
    const edits = fixAllEdits(findings());
    if (edits.length > 0) actions.push({ title: 'Cache Coach: fix all safe problems', kind: FIX_ALL_KIND, edit: { changes: { [uri]: edits } } });
  }
  return actions;
}

function suppressAction(uri: string, diagnostic: Diagnostic, lines: LineIndex, style: CommentStyle): CodeAction {
  const code = String(diagnostic.code);
  return {
    title: `Suppress ${code} on this line`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    edit: { changes: { [uri]: [suppressionEdit(lines, diagnostic.range.start.line, code, style)] } },
  };
}

export { CodeAction };
