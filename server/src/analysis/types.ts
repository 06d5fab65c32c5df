/** Plain data shared by every part of the engine. Nothing here knows about LSP, VS Code or the file system. */

export type Severity = 'error' | 'warning' | 'info';

/** Zero-based line and UTF-16 code-unit character, as LSP counts them. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** A half-open span of a text in UTF-16 code units (JS string indices). */
export interface Span {
  start: number;
  end: number;
}

export interface TextEdit {
  range: Range;
  newText: string;
}

export type FixSafety = 'safe' | 'unsafe';

export interface Fix {
  title: string;
  safety: FixSafety;
  /** Edits to the finding's own file, non-overlapping. */
  edits: TextEdit[];
}

export interface Finding {
  code: string;
  name: string;
  severity: Severity;
  message: string;
  /** The file's path as the caller named it (the engine never interprets it beyond `/` separators). */
  path: string;
  range: Range;
  fixes: Fix[];
}

/** A message about a file that was not analysed, or a configuration problem. */
export interface Note {
  path: string;
  message: string;
}
