import type { Position, Range, Span, TextEdit } from './types.js';

/** Maps between UTF-16 offsets and line/character positions of one text. */
export class LineIndex {
  /**
   * Where each line starts. A typed array, outside the JS heap: an editor's server builds one per keystroke, and a
   * growing number[] of a 5,000-line module was young-generation garbage on every one.
   */
  private readonly lineStarts: Uint32Array;

  constructor(readonly text: string) {
    const count = collectLineStarts(text);
    const starts = new Uint32Array(count);
    for (let line = 0; line < count; line++) starts[line] = scratchLineStarts[line];
    // A huge text's scratch is let go rather than kept for the life of the process.
    if (count > MAX_KEPT_SCRATCH) scratchLineStarts.length = 0;
    this.lineStarts = starts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= clamped) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: clamped - this.lineStarts[low] };
  }

  offsetAt(position: Position): number {
    if (position.line >= this.lineStarts.length) return this.text.length;
    if (position.line < 0) return 0;
    const start = this.lineStarts[position.line];
    return Math.min(start + Math.max(0, position.character), this.lineEnd(position.line));
  }

  rangeOf(span: Span): Range {
    return { start: this.positionAt(span.start), end: this.positionAt(span.end) };
  }

  lineStart(line: number): number {
    return this.lineStarts[Math.max(0, Math.min(line, this.lineStarts.length - 1))];
  }

  /** Offset of the end of the line's content, before its line break. */
  lineEnd(line: number): number {
    const next = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] : this.text.length;
    let end = next;
    if (end > this.lineStarts[line] && this.text.charCodeAt(end - 1) === 10) end--;
    if (end > this.lineStarts[line] && this.text.charCodeAt(end - 1) === 13) end--;
    return end;
  }

  lineText(line: number): string {
    return this.text.slice(this.lineStart(line), this.lineEnd(line));
  }

  /**
   * The line break this text uses: new lines inserted by fixes match it. Worked out once (fixes ask for it per
   * finding; a search of a big module each time adds up).
   */
  get eol(): string {
    this.lineBreak ??= this.text.includes('\r\n') ? '\r\n' : '\n';
    return this.lineBreak;
  }

  private lineBreak: string | undefined;

  /** Column in Unicode code points (the CLI's columns) of a UTF-16 position. */
  codePointColumn(position: Position): number {
    const line = Math.max(0, Math.min(position.line, this.lineStarts.length - 1));
    const start = this.lineStarts[line];
    const end = start + Math.max(0, position.character);
    if (end > (line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] : this.text.length)) {
      // Past the end of its line (not an LSP position): count the slice as it is.
      let count = 0;
      for (const _ of this.text.slice(start, end)) count++;
      return count;
    }
    // Every surrogate pair wholly before the position counts once. The pairs of a line are found once, so
    // many findings on one long line stay linear.
    const pairs = this.surrogatePairs(line);
    let low = 0;
    let high = pairs.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (pairs[mid] + 1 < end) low = mid + 1;
      else high = mid;
    }
    return end - start - low;
  }

  /** Made on first use: most texts are never asked for a code-point column. */
  private pairsByLine: Map<number, number[]> | undefined;

  /** Offsets of the high surrogates of the line's surrogate pairs, in order. */
  private surrogatePairs(key: number): number[] {
    this.pairsByLine ??= new Map();
    let pairs = this.pairsByLine.get(key);
    if (!pairs) {
      pairs = [];
      const end = key + 1 < this.lineStarts.length ? this.lineStarts[key + 1] : this.text.length;
      for (let i = this.lineStarts[key]; i < end; i++) {
        const code = this.text.charCodeAt(i);
        if (code >= 0xd800 && code <= 0xdbff) {
          const next = this.text.charCodeAt(i + 1);
          if (next >= 0xdc00 && next <= 0xdfff) pairs.push(i++);
        }
      }
      this.pairsByLine.set(key, pairs);
    }
    return pairs;
  }
}

/** Applies non-overlapping edits to a text; edits may come in any order, identical ones count once. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const index = new LineIndex(text);
  const resolved = uniqueEdits(edits)
    .map((edit) => ({ start: index.offsetAt(edit.range.start), end: index.offsetAt(edit.range.end), newText: edit.newText }))
    .sort((a, b) => b.start - a.start || b.end - a.end);
  // Pieces from the end backwards, joined once: splicing the text per edit would be quadratic in the edits.
  const pieces: string[] = [];
  let lastStart = text.length; // offsetAt keeps every offset within the text
  for (const edit of resolved) {
    if (edit.end > lastStart) continue; // overlapping edit: keep the later one only
    pieces.push(text.slice(edit.end, lastStart), edit.newText);
    lastStart = edit.start;
  }
  pieces.push(text.slice(0, lastStart));
  return pieces.reverse().join('');
}

/** Drops repeated identical edits (two fixes that both add the same import). */
export function uniqueEdits(edits: readonly TextEdit[]): TextEdit[] {
  const seen = new Set<string>();
  return edits.filter((edit) => {
    const key = JSON.stringify([edit.range, edit.newText]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One search's line starts, reused from text to text (it grows to the longest text's line count, then stays). */
const scratchLineStarts: number[] = [];
const MAX_KEPT_SCRATCH = 200_000;

/** Writes the text's line starts into scratchLineStarts and returns how many there are. */
function collectLineStarts(text: string): number {
  let count = 0;
  scratchLineStarts[count++] = 0;
  if (!text.includes('\r')) {
    // The common case, searched natively: several times faster than a loop over every character.
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) scratchLineStarts[count++] = i + 1;
  } else {
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 10 /* \n */) scratchLineStarts[count++] = i + 1;
      else if (ch === 13 /* \r */ && text.charCodeAt(i + 1) !== 10) scratchLineStarts[count++] = i + 1;
    }
  }
  return count;
}
