/** The "suppress CODE on this line" edit: append to an existing noqa list, or add a noqa comment. */
import type { LineIndex } from './text.js';
import type { Span, TextEdit } from './types.js';

/** A `noqa` comment: `# noqa: CACHE001`, `{# noqa: CACHE101 #}`, `// noqa: CACHE201`. */
export interface SuppressionComment {
  line: number;
  /** null: a bare `noqa`, which silences every finding on its line. */
  codes: string[] | null;
  /** Span of the code list (or of `noqa` when bare), for CACHE900 and for appending codes. */
  span: Span;
  commentSpan: Span;
}

const NOQA_PATTERN = /noqa\b(?:\s*:\s*([A-Za-z]+[0-9]+(?:\s*,\s*[A-Za-z]+[0-9]+)*))?/i;

/** Reads a noqa comment's codes; `comment` is the comment's text starting at `commentStart`. */
export function parseSuppression(comment: string, commentStart: number, line: number, commentEnd = commentStart + comment.length): SuppressionComment | null {
  const match = NOQA_PATTERN.exec(comment);
  if (!match) return null;
  const codesText = match[1];
  const codesStart = codesText ? commentStart + match.index + match[0].lastIndexOf(codesText) : commentStart + match.index;
  return {
    line,
    codes: codesText ? codesText.split(',').map((code) => code.trim().toUpperCase()) : null,
    span: codesText ? { start: codesStart, end: codesStart + codesText.length } : { start: codesStart, end: codesStart + match[0].length },
    commentSpan: { start: commentStart, end: commentEnd },
  };
}

export type CommentStyle = 'python' | 'template' | 'slashes';

const NOQA_WITH_CODES = /(noqa\s*:\s*)([A-Za-z]+[0-9]+(?:\s*,\s*[A-Za-z]+[0-9]+)*)/i;

export function suppressionEdit(lines: LineIndex, line: number, code: string, style: CommentStyle): TextEdit {
  const text = lines.lineText(line);
  const lineStart = lines.lineStart(line);
  const existing = NOQA_WITH_CODES.exec(text);
  if (existing) {
    const end = existing.index + existing[0].length;
    return { range: lines.rangeOf({ start: lineStart + end, end: lineStart + end }), newText: `, ${code}` };
  }
  const comment = style === 'python' ? `  # noqa: ${code}` : style === 'template' ? ` {# noqa: ${code} #}` : ` // noqa: ${code}`;
  const end = lineStart + text.replace(/[ \t]+$/, '').length;
  return { range: lines.rangeOf({ start: end, end: lineStart + text.length }), newText: comment };
}
