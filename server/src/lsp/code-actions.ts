/** Quick fixes, "suppress on this line", and source.fixAll.cacheCoach (safe fixes only). */
import { CodeAction, CodeActionKind, type CodeActionParams, type Diagnostic, type TextEdit } from 'vscode-languageserver';
import { suppressionEdit, type CommentStyle } from '../analysis/suppression.js';
import { LineIndex, uniqueEdits } from '../analysis/text.js';
import type { Finding } from '../analysis/types.js';
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
    const edits = safeEdits(findings());
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

/** The first safe fix of every finding, skipping edits that overlap one already taken. */
export function safeEdits(findings: Finding[]): TextEdit[] {
  const taken: TextEdit[] = [];
  const overlaps = (a: TextEdit, b: TextEdit): boolean => !(before(a.range.end, b.range.start) || before(b.range.end, a.range.start));
  for (const finding of findings) {
    const fix = finding.fixes.find((candidate) => candidate.safety === 'safe');
    if (!fix) continue;
    const fresh = uniqueEdits(fix.edits).filter((edit) => !taken.some((other) => sameEdit(edit, other)));
    if (fresh.some((edit) => taken.some((other) => overlaps(edit, other)))) continue;
    taken.push(...fresh);
  }
  return taken;
}

function sameEdit(a: TextEdit, b: TextEdit): boolean {
  return a.newText === b.newText && JSON.stringify(a.range) === JSON.stringify(b.range);
}

function before(a: { line: number; character: number }, b: { line: number; character: number }): boolean {
  return a.line < b.line || (a.line === b.line && a.character <= b.character);
}

export { CodeAction };
