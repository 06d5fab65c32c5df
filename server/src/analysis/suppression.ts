/** The "suppress CODE on this line" edit: append to an existing noqa list, or add a noqa comment. */
import type { LineIndex } from './text.js';
import type { TextEdit } from './types.js';

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
