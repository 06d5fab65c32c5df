/**
 * The few Python string operations Django's template lexer relies on, reproduced exactly:
 * `str.strip()`, `str.split()` and `django.utils.text.smart_split`. JavaScript's `trim()`
 * and `\s` use a different whitespace set, so they cannot be used as stand-ins.
 */

/** A half-open range `[start, end)` of UTF-16 offsets into some string. */
export interface TextRange {
  start: number;
  end: number;
}

/** Whether `text.charCodeAt(index)` is whitespace for Python (`str.isspace()`, and `\s` in `re`). */
export function isPythonWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d) || (code >= 0x1c && code <= 0x1f);
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** The range Python's `text[start:end].strip()` would keep. */
export function stripRange(text: string, start: number, end: number): TextRange {
  while (start < end && isPythonWhitespace(text.charCodeAt(start))) start++;
  while (end > start && isPythonWhitespace(text.charCodeAt(end - 1))) end--;
  return { start, end };
}

/** The ranges of the words Python's `text.split()` returns. */
export function pythonSplit(text: string): TextRange[] {
  const words: TextRange[] = [];
  let index = 0;
  while (index < text.length) {
    if (isPythonWhitespace(text.charCodeAt(index))) {
      index++;
      continue;
    }
    const start = index;
    while (index < text.length && !isPythonWhitespace(text.charCodeAt(index))) index++;
    words.push({ start, end: index });
  }
  return words;
}

/** Python's `text.split()[0]`, or '' when there is no word. */
export function firstPythonWord(text: string): string {
  const first = pythonSplit(text)[0];
  return first ? text.slice(first.start, first.end) : '';
}

const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;

function isQuote(code: number): boolean {
  return code === DOUBLE_QUOTE || code === SINGLE_QUOTE;
}

/**
 * The ranges of the pieces `django.utils.text.smart_split(text)` yields. Django's regex is
 *
 *     ((?: [^\s'"]* (?: (?:"(?:[^"\\]|\\.)*" | '(?:[^'\\]|\\.)*') [^\s'"]* )+ ) | \S+)
 *
 * i.e. a piece is either a word containing at least one complete quoted string (quotes may be
 * glued to other characters: `x="a b"c`), or, failing that, a plain run of non-whitespace.
 */
export function smartSplit(text: string): TextRange[] {
  const pieces: TextRange[] = [];
  let index = 0;
  while (index < text.length) {
    if (isPythonWhitespace(text.charCodeAt(index))) {
      index++;
      continue;
    }
    const end = matchWordWithQuotes(text, index) ?? skipNonWhitespace(text, index);
    pieces.push({ start: index, end });
    index = end;
  }
  return pieces;
}

/** End of the regex's first alternative matched at `start`, or undefined when it does not match. */
function matchWordWithQuotes(text: string, start: number): number | undefined {
  let index = skipUnquotedWordCharacters(text, start);
  let matchedQuotedString = false;
  while (index < text.length && isQuote(text.charCodeAt(index))) {
    const closingQuote = findClosingQuote(text, index);
    // An unterminated quote ends the piece just before it (or, if it is the first quote,
    // makes this alternative fail so that `\S+` takes over).
    if (closingQuote === undefined) break;
    matchedQuotedString = true;
    index = skipUnquotedWordCharacters(text, closingQuote + 1);
  }
  return matchedQuotedString ? index : undefined;
}

/** Index of the quote closing the string opened at `openingQuote`, honouring backslash escapes. */
function findClosingQuote(text: string, openingQuote: number): number | undefined {
  const quote = text.charCodeAt(openingQuote);
  let index = openingQuote + 1;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === quote) return index;
    if (code === BACKSLASH) {
      // `\\.`: the escaped character may be anything but a newline (`.` without DOTALL).
      if (index + 1 >= text.length || text.charCodeAt(index + 1) === NEWLINE) return undefined;
      index += 2;
    } else {
      index++;
    }
  }
  return undefined;
}

/** `[^\s'"]*` */
function skipUnquotedWordCharacters(text: string, index: number): number {
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (isQuote(code) || isPythonWhitespace(code)) break;
    index++;
  }
  return index;
}

/** `\S+` */
function skipNonWhitespace(text: string, index: number): number {
  while (index < text.length && !isPythonWhitespace(text.charCodeAt(index))) index++;
  return index;
}
