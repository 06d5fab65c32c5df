/**
 * Skimming: a module's text without the bodies of functions that cannot hold a cache API use, so that a
 * whole-project scan parses and reads only the code its rules look at. Most of a large models or views module
 * is methods that never name the cache; parsing them cost more than anything else in a scan (tree-sitter's
 * time grows with the text's length, blank or not: a body must go, not be blanked).
 *
 * Comment-only lines (suppressions aside) and docstrings are left out too: tree-sitter reads them character by
 * character, and on the development corpus they were a sixth of what was left to parse. So are the statements of
 * class bodies that no rule reads (model and form fields, `Meta` options: a seventh of what was left after that).
 *
 * A skipped body becomes the single statement `0`, at its first statement's indentation, and its function's
 * parameters their names (annotations and defaults go). Definitions, decorators, classes and module-level
 * statements are kept, so the facts list the same functions with the same parameters in the same order;
 * restoreOffsets moves every offset back to where it is in the whole text. What a skipped body would have told
 * (its calls, returns, assignments, reads of `request.user`) is read on demand: the whole text is parsed when a
 * rule first asks for one of them (fillOnDemand).
 *
 * A text that does not tokenize cleanly (an open bracket or string, an indentation Python would refuse) is not
 * skimmed. Another syntax error inside a skipped body is not seen: the skimmed text then parses cleanly where
 * tree-sitter's recovery from the error could have changed how later statements read. On real projects (77
 * repositories, Django, saleor) skimmed and whole findings are identical; a fuzz of broken sample modules found
 * findings only the skimmed text gave, never the other way round.
 */
import type { LineIndex } from '../text.js';
import { eachFactObject, escapeRegExp, fragmentValues, mayCallBoundNames, mayReadUserState, VIEW_ATTRIBUTES, type FunctionFacts, type PlainCall, type PyModuleFacts } from './facts.js';

/** A module's text with some function bodies left out. */
export interface SkimmedText {
  text: string;
  /** Each skipped function's body text, by where its definition starts in the whole text (its first decorator, or `def`/`async`). */
  skippedDefinitions: Map<number, string>;
  /** The skipped bodies' and class statements' text, one after another: what a search for a name in them must read. */
  skippedText: string;
  /** The parameter lists reduced to names (annotations and defaults), one after another: evaluated where the function is defined. */
  skippedParameters: string;
  /** For each skipped body: where its stand-in ends in the skimmed text, and how much shorter the text is from there on. */
  shifts: { skimmedEnd: number; removed: number }[];
}

/** One logical line of Python: a statement's first line with its continuations (brackets, backslashes, strings). */
interface LogicalLine {
  /** Offset of the first character (after the indentation). */
  start: number;
  /** Offset of the first character of its first physical line. */
  lineStart: number;
  /** Offset of the line break that ends it (or the text's length). */
  end: number;
  /** The last character that is not whitespace or part of a comment. */
  last: string;
  /** Where its code ends when it is a plain string (not an f-string) and nothing else; -1 otherwise. */
  loneStringEnd: number;
}

const DEFINITION = /(?:async[ \t]+)?def[ \t]/y;

/** A stretch of the whole text replaced in the skimmed one. */
interface Cut {
  start: number;
  end: number;
  standIn: string;
}

/**
 * The text without the body of every function whose definition (decorators, header and body) does not match
 * `keep`, and without the text no rule reads (see noiseCuts); undefined when there is nothing to leave out.
 * Functions inside a kept function are kept with it.
 */
export function skimFunctionBodies(text: string, keep: RegExp): SkimmedText | undefined {
  const tokens = logicalLines(text);
  // A text that does not tokenize cleanly is parsed whole: tree-sitter's recovery from an error inside a body
  // can change how the statements after it are read, and the skimmed text would not show that.
  if (!tokens || !indentationNests(text, tokens.lines)) return undefined;
  const skippedParts: string[] = [];
  const parameterParts: string[] = [];
  const skippedDefinitions = new Map<number, string>();
  const matches = matchOffsetsInCode(text, keep, tokens);
  const bodies = skippedBodies(text, tokens.lines, matches, (definitionStart, body, parameters) => {
    skippedParts.push(body);
    // Defaults are evaluated where the function is defined: a call in one is read on demand, as a body's is.
    if (parameters !== undefined) parameterParts.push(parameters);
    skippedDefinitions.set(definitionStart, body);
  });
  const classStatements = classStatementCuts(text, tokens.lines, matches);
  for (const cut of classStatements) skippedParts.push(text.slice(cut.start, cut.end));
  const cuts = mergeCuts(mergeCuts(bodies, classStatements), noiseCuts(text, tokens, bodies));
  if (cuts.length === 0) return undefined;
  const parts: string[] = [];
  const shifts: SkimmedText['shifts'] = [];
  let copied = 0;
  let removed = 0;
  for (const cut of cuts) {
    parts.push(text.slice(copied, cut.start), cut.standIn);
    removed += cut.end - cut.start - cut.standIn.length;
    copied = cut.end;
    shifts.push({ skimmedEnd: cut.end - removed, removed });
  }
  parts.push(text.slice(copied));
  return { text: parts.join(''), skippedDefinitions, skippedText: skippedParts.join('\n'), skippedParameters: parameterParts.join('\n'), shifts };
}

/**
 * Where `keep` matches in code: not in a comment or a docstring, which name the cache in words ("# cached for an
 * hour") far more often than they hold a use of it (and never one a rule reads). In increasing order.
 */
function matchOffsetsInCode(text: string, keep: RegExp, tokens: Tokens): number[] {
  const noise = tokens.noise.sort((a, b) => a.start - b.start);
  const matches: number[] = [];
  let next = 0;
  for (const match of text.matchAll(new RegExp(keep.source, keep.flags.includes('g') ? keep.flags : `${keep.flags}g`))) {
    const at = match.index;
    while (next < noise.length && noise[next].end <= at) next++;
    if (next < noise.length && noise[next].start <= at) continue;
    matches.push(at);
  }
  return matches;
}

/** Whether one of `offsets` (in increasing order) is in [start, end). */
function anyWithin(offsets: number[], start: number, end: number): boolean {
  let low = 0;
  let high = offsets.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (offsets[middle] < start) low = middle + 1;
    else high = middle;
  }
  return low < offsets.length && offsets[low] < end;
}

/** The bodies to skip, in order: each from its header's line break to its end, for a definition no code match falls in. */
function skippedBodies(text: string, lines: LogicalLine[], codeMatches: number[], skipped: (definitionStart: number, body: string, parameters: string | undefined) => void): Cut[] {
  const cuts: Cut[] = [];
  let index = 0;
  while (index < lines.length) {
    const line = lines[index];
    DEFINITION.lastIndex = line.start;
    if (!DEFINITION.test(text)) {
      index++;
      continue;
    }
    const indent = line.start - line.lineStart;
    let bodyEnd = index + 1;
    while (bodyEnd < lines.length && lines[bodyEnd].start - lines[bodyEnd].lineStart > indent) bodyEnd++;
    // A body on the header's own line (`def f(): return 1`), or none at all: nothing to skip.
    if (line.last !== ':' || bodyEnd === index + 1) {
      index = bodyEnd;
      continue;
    }
    let definitionStart = line.start;
    for (let decorator = index - 1; decorator >= 0 && lines[decorator].start - lines[decorator].lineStart === indent && text[lines[decorator].start] === '@'; decorator--) {
      definitionStart = lines[decorator].start;
    }
    const first = lines[index + 1];
    const last = lines[bodyEnd - 1];
    if (!anyWithin(codeMatches, definitionStart, last.end)) {
      const parameters = parameterNamesCut(text, line);
      if (parameters) cuts.push(parameters);
      // From the header's line break to the body's end, the body becomes `0` at its first statement's indentation.
      cuts.push({ start: line.end, end: last.end, standIn: `\n${text.slice(first.lineStart, first.start)}0` });
      skipped(definitionStart, text.slice(line.end, last.end), parameters && text.slice(parameters.start, parameters.end));
    }
    index = bodyEnd;
  }
  return cuts;
}

/** A definition's header up to its parameters' opening parenthesis (names outside ASCII are left as they are). */
const HEADER_TO_PARAMETERS = /(?:async[ \t]+)?def[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]*\(/y;
/** A parameter's star and name, at the start of its text. */
const PARAMETER_NAME = /[ \t\r\n]*(\*{0,2})[ \t]*([A-Za-z_][A-Za-z0-9_]*)?/y;

/**
 * For a skipped function: its parameter list and return annotation reduced to the parameter names, which is all
 * the facts read of them (`(self, request: HttpRequest, *args: Any, page: int = 1) -> HttpResponse` becomes
 * `(self, request, *args, page=0)`). Annotations are most of a typed project's headers. Undefined when the header
 * holds something the split below could misread: a lambda (its commas), a comment, a line continuation.
 */
function parameterNamesCut(text: string, header: LogicalLine): Cut | undefined {
  HEADER_TO_PARAMETERS.lastIndex = header.start;
  if (!HEADER_TO_PARAMETERS.test(text)) return undefined;
  const open = HEADER_TO_PARAMETERS.lastIndex - 1;
  const names: string[] = [];
  let depth = 0;
  let parameterStart = open + 1;
  let hasDefault = false;
  let close = -1;
  const addParameter = (end: number): boolean => {
    const source = text.slice(parameterStart, end);
    if (source.trim() === '') return true;
    PARAMETER_NAME.lastIndex = 0;
    const [, stars, name] = PARAMETER_NAME.exec(source)!;
    // The name must end where the parameter's name does (`café` is not `caf`).
    if (name !== undefined && PARAMETER_NAME.lastIndex < source.length && !/[ \t\r\n:=]/.test(source[PARAMETER_NAME.lastIndex])) return false;
    if (name === undefined) {
      // `*` and `/` on their own: markers, kept as they are.
      if (source.trim() !== '*' && source.trim() !== '/') return false;
      names.push(source.trim());
    } else {
      names.push(`${stars}${name}${hasDefault ? '=0' : ''}`);
    }
    return true;
  };
  for (let at = open + 1; at < header.end; at++) {
    const char = text.charCodeAt(at);
    if (char === DOUBLE_QUOTE || char === SINGLE_QUOTE) {
      const end = stringEnd(text, at);
      if (end < 0) return undefined;
      at = end - 1;
    } else if (char === HASH || char === BACKSLASH) {
      return undefined;
    } else if (char === OPEN_PAREN || char === OPEN_BRACKET || char === OPEN_BRACE) {
      depth++;
    } else if (char === CLOSE_PAREN || char === CLOSE_BRACKET || char === CLOSE_BRACE) {
      if (depth === 0) {
        if (!addParameter(at)) return undefined;
        close = at;
        break;
      }
      depth--;
    } else if (depth === 0 && char === COMMA) {
      if (!addParameter(at)) return undefined;
      parameterStart = at + 1;
      hasDefault = false;
    } else if (depth === 0 && char === EQUALS && !hasDefault) {
      const before = text.charCodeAt(at - 1);
      hasDefault = text.charCodeAt(at + 1) !== EQUALS && before !== EQUALS && before !== BANG && before !== LESS && before !== GREATER && before !== COLON;
    }
  }
  if (close < 0) return undefined;
  // What follows the parameters, to the header's colon: a return annotation, or nothing.
  const colon = text.lastIndexOf(':', header.end);
  const rest = text.slice(close + 1, colon);
  if (colon <= close || !/^[ \t]*(?:->[^#\\]*)?$/.test(rest) || /\blambda\b/.test(text.slice(open, colon))) return undefined;
  const standIn = `(${names.join(', ')})`;
  return standIn.length < colon - open ? { start: open, end: colon, standIn } : undefined;
}

const CLASS = /class[ \t]/y;
/** A class attribute the facts read (facts.ts classAttributes): `template_name = ...`, `model: type[Model] = ...`. */
const VIEW_ATTRIBUTE_ASSIGNMENT = new RegExp(`(?:${VIEW_ATTRIBUTES.join('|')})[ \\t]*[:=]`, 'y');

/**
 * The simple statements directly in a class body (module-level classes and the classes inside them) that no rule
 * reads: model and form fields, `Meta` options. The facts read a class's name, bases, decorators and methods, and
 * of its statements only the view attributes (VIEW_ATTRIBUTES); a statement is kept when it assigns one, names
 * the cache in code, or holds a suppression comment. Each one left out becomes `0`, so the body keeps its shape.
 */
function classStatementCuts(text: string, lines: LogicalLine[], codeMatches: number[]): Cut[] {
  const cuts: Cut[] = [];
  const indentOf = (line: LogicalLine): number => line.start - line.lineStart;
  /** The index after the last line of the block opened by line `index` (lines indented deeper than it). */
  const blockEnd = (index: number): number => {
    const indent = indentOf(lines[index]);
    let end = index + 1;
    while (end < lines.length && indentOf(lines[end]) > indent) end++;
    return end;
  };
  const isClassHeader = (line: LogicalLine): boolean => {
    CLASS.lastIndex = line.start;
    return line.last === ':' && CLASS.test(text);
  };
  const readClassBody = (from: number, to: number): void => {
    for (let index = from; index < to; ) {
      const line = lines[index];
      const end = blockEnd(index);
      if (isClassHeader(line)) readClassBody(index + 1, end);
      else if (end === index + 1 && isUnreadClassStatement(text, line, codeMatches)) cuts.push({ start: line.start, end: line.end, standIn: '0' });
      index = end;
    }
  };
  for (let index = 0; index < lines.length; ) {
    const end = blockEnd(index);
    if (isClassHeader(lines[index])) readClassBody(index + 1, end);
    index = end;
  }
  return cuts;
}

/** A one-line statement of a class body that no rule reads (see classStatementCuts). */
function isUnreadClassStatement(text: string, line: LogicalLine, codeMatches: number[]): boolean {
  if (line.end - line.start < 4 || line.last === ':' || line.loneStringEnd >= 0) return false;
  const first = text[line.start];
  if (first === '@') return false;
  DEFINITION.lastIndex = line.start;
  VIEW_ATTRIBUTE_ASSIGNMENT.lastIndex = line.start;
  if (DEFINITION.test(text) || VIEW_ATTRIBUTE_ASSIGNMENT.test(text) || anyWithin(codeMatches, line.start, line.end)) return false;
  const statement = text.slice(line.start, line.end);
  return !(statement.includes('#') && READ_COMMENT.test(statement));
}

/** A string literal's prefix (f-strings aside: they can call), before its quote. */
const PLAIN_STRING_START = /(?:[rR][bB]?|[bB][rR]?|[uU])?(?=["'])/y;
/** Characters that open or close nothing for logicalLines. */
const PLAIN_RUN = /[^\n\r#"'\\()[\]{}]+/y;
/** Comments that the facts read: suppressions (and the skip-file mark, read from the whole text anyway). */
const READ_COMMENT = /noqa|cache-coach/i;

/**
 * Outside the skipped bodies, what no rule reads but tree-sitter spends time on (a third of a typical models
 * module): lines holding only a comment go, and a statement that is only a string (a docstring) becomes `""`.
 * It stays a string statement, so a body keeps its shape (a docstring before a single `return`).
 */
function noiseCuts(text: string, tokens: Tokens, bodies: Cut[]): Cut[] {
  const cuts: Cut[] = [];
  let body = 0;
  /** Whether `offset` is inside a skipped body; offsets must come in increasing order. */
  const skipped = (offset: number): boolean => {
    while (body < bodies.length && bodies[body].end <= offset) body++;
    return body < bodies.length && bodies[body].start <= offset;
  };
  let comment = 0;
  const { lines, comments } = tokens;
  const takeCommentsBefore = (offset: number): void => {
    for (; comment < comments.length && comments[comment].lineStart < offset; comment++) {
      const { lineStart, start, end } = comments[comment];
      if (skipped(lineStart) || READ_COMMENT.test(text.slice(start, end))) continue;
      cuts.push({ start: lineStart, end: end + lineBreakLength(text, end), standIn: '' });
    }
  };
  for (const line of lines) {
    takeCommentsBefore(line.lineStart);
    if (skipped(line.start)) continue;
    if (line.loneStringEnd - line.start > 2) cuts.push({ start: line.start, end: line.loneStringEnd, standIn: '""' });
  }
  takeCommentsBefore(text.length);
  return cuts;
}

function lineBreakLength(text: string, at: number): number {
  if (at >= text.length) return 0;
  return text.charCodeAt(at) === CR && text.charCodeAt(at + 1) === LF ? 2 : 1;
}

/** Two lists of cuts, each in order and none overlapping another, as one list in order. */
function mergeCuts(first: Cut[], second: Cut[]): Cut[] {
  const merged: Cut[] = [];
  let i = 0;
  let j = 0;
  while (i < first.length || j < second.length) {
    if (j >= second.length || (i < first.length && first[i].start < second[j].start)) merged.push(first[i++]);
    else merged.push(second[j++]);
  }
  return merged;
}

/** Where offset `at` of the skimmed text is in the whole text. */
export function wholeOffset(skimmed: SkimmedText, at: number): number {
  const { shifts } = skimmed;
  // The last stand-in that ends at or before `at` says how much was removed before `at`.
  let low = 0;
  let high = shifts.length - 1;
  let removed = 0;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (shifts[middle].skimmedEnd <= at) {
      removed = shifts[middle].removed;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return at + removed;
}

/** Moves every offset of facts extracted from the skimmed text to the whole text (`lines` is the whole text's). */
export function restoreOffsets(facts: PyModuleFacts, skimmed: SkimmedText, lines: LineIndex): void {
  eachFactObject([...fragmentValues(facts), facts.suppressions], (record) => {
    if (typeof record.start === 'number') record.start = wholeOffset(skimmed, record.start);
    if (typeof record.end === 'number') record.end = wholeOffset(skimmed, record.end);
  });
  if (facts.lastImportEnd >= 0) facts.lastImportEnd = wholeOffset(skimmed, facts.lastImportEnd);
  for (const suppression of facts.suppressions) suppression.line = lines.positionAt(suppression.commentSpan.start).line;
}

/** A line holding only a comment (and the indentation before it). */
interface CommentLine {
  lineStart: number;
  /** Offset of the `#`. */
  start: number;
  /** Offset of the line break that ends it (or the text's length). */
  end: number;
}

interface Tokens {
  lines: LogicalLine[];
  comments: CommentLine[];
  /**
   * Every comment (on its own line or after code) but suppressions, and every statement that is only a plain
   * string, in no set order. A suppression stays as code would: the body holding `# noqa: CACHE006` is kept, so
   * that CACHE900 can tell whether it suppresses anything.
   */
  noise: { start: number; end: number }[];
}

/**
 * The logical lines of `text`, as Python's tokenizer sees them: blank lines and comment-only lines left out,
 * lines joined inside brackets, after a backslash and inside strings. The comment-only lines are listed apart.
 */
function logicalLines(text: string): Tokens | undefined {
  const lines: LogicalLine[] = [];
  const comments: CommentLine[] = [];
  const noise: Tokens['noise'] = [];
  const length = text.length;
  const lineEnd = lineEndFinder(text);
  let position = 0;
  while (position < length) {
    const lineStart = position;
    let char = text.charCodeAt(position);
    while (char === SPACE || char === TAB || char === FORM_FEED) char = text.charCodeAt(++position);
    if (position >= length) break;
    if (char === LF || char === CR || char === HASH) {
      const end = lineEnd(position);
      if (char === HASH) {
        comments.push({ lineStart, start: position, end });
        if (!READ_COMMENT.test(text.slice(position, end))) noise.push({ start: position, end });
      }
      position = end + 1;
      continue;
    }
    const start = position;
    let depth = 0;
    // Where a comment starts on the logical line's last physical line (its code ends there).
    let commentStart = -1;
    // Where the line's first string ends, if the line starts with one (a prefix aside).
    PLAIN_STRING_START.lastIndex = start;
    const firstQuote = PLAIN_STRING_START.test(text) ? PLAIN_STRING_START.lastIndex : -1;
    let firstStringEnd = -1;
    while (position < length) {
      // Runs of characters that open or close nothing are skipped in one step.
      PLAIN_RUN.lastIndex = position;
      if (PLAIN_RUN.test(text)) {
        position = PLAIN_RUN.lastIndex;
        if (position >= length) break;
      }
      char = text.charCodeAt(position);
      if (char === LF || char === CR) {
        if (depth === 0) break;
        commentStart = -1;
        position++;
      } else if (char === HASH) {
        commentStart = position;
        position = lineEnd(position);
        if (!READ_COMMENT.test(text.slice(commentStart, position))) noise.push({ start: commentStart, end: position });
      } else if (char === DOUBLE_QUOTE || char === SINGLE_QUOTE) {
        const quote = position;
        position = stringEnd(text, position);
        if (position < 0) return undefined;
        if (quote === firstQuote) firstStringEnd = position;
      } else if (char === BACKSLASH) {
        // A backslash outside a string: a line continuation (or a stray one: skip what follows either way).
        position += text.charCodeAt(position + 1) === CR && text.charCodeAt(position + 2) === LF ? 3 : 2;
        commentStart = -1;
      } else {
        if (char === OPEN_PAREN || char === OPEN_BRACKET || char === OPEN_BRACE) depth++;
        else if ((char === CLOSE_PAREN || char === CLOSE_BRACKET || char === CLOSE_BRACE) && depth > 0) depth--;
        position++;
      }
    }
    // A bracket still open at the end of the text.
    if (depth > 0) return undefined;
    let codeEnd = commentStart >= 0 ? commentStart : position;
    for (char = text.charCodeAt(codeEnd - 1); codeEnd > start && (char === SPACE || char === TAB || char === FORM_FEED || char === CR || char === LF); char = text.charCodeAt(--codeEnd - 1));
    const loneStringEnd = firstStringEnd === codeEnd ? codeEnd : -1;
    lines.push({ start, lineStart, end: position, last: text[codeEnd - 1], loneStringEnd });
    if (loneStringEnd >= 0) noise.push({ start, end: loneStringEnd });
    // Past the line break (\r\n counts as one).
    position += text.charCodeAt(position) === CR && text.charCodeAt(position + 1) === LF ? 2 : 1;
  }
  return { lines, comments, noise };
}

const [SPACE, TAB, FORM_FEED, LF, CR, HASH, DOUBLE_QUOTE, SINGLE_QUOTE, BACKSLASH] = [' ', '\t', '\f', '\n', '\r', '#', '"', "'", '\\'].map((char) => char.charCodeAt(0));
const [OPEN_PAREN, OPEN_BRACKET, OPEN_BRACE, CLOSE_PAREN, CLOSE_BRACKET, CLOSE_BRACE] = ['(', '[', '{', ')', ']', '}'].map((char) => char.charCodeAt(0));
const [COMMA, EQUALS, BANG, LESS, GREATER, COLON] = [',', '=', '!', '<', '>', ':'].map((char) => char.charCodeAt(0));

/**
 * For `text`: the offset of the line break that ends the line holding a position (or the text's length). A
 * text without \r is searched for \n only (a search for an absent \r would read the rest of the text each time).
 */
function lineEndFinder(text: string): (position: number) => number {
  const length = text.length;
  if (!text.includes('\r')) {
    return (position) => {
      const end = text.indexOf('\n', position);
      return end < 0 ? length : end;
    };
  }
  return (position) => {
    let at = position;
    while (at < length && text.charCodeAt(at) !== LF && text.charCodeAt(at) !== CR) at++;
    return at;
  };
}

/** What ends a string opened by each quote: an escape is skipped, a line break ends a one-line string early. */
const STRING_ENDS: Record<string, RegExp> = {
  "'": /\\[\s\S]|'|[\n\r]/g,
  '"': /\\[\s\S]|"|[\n\r]/g,
  "'''": /\\[\s\S]|'''/g,
  '"""': /\\[\s\S]|"""/g,
};

/** The offset after the string literal opening at `position`; -1 when it is never closed (a syntax error). */
function stringEnd(text: string, position: number): number {
  const quote = text[position];
  const triple = text[position + 1] === quote && text[position + 2] === quote;
  const end = STRING_ENDS[triple ? quote.repeat(3) : quote];
  end.lastIndex = position + (triple ? 3 : 1);
  for (let found = end.exec(text); found; found = end.exec(text)) {
    if (found[0][0] === '\\') continue;
    return found[0] === '\n' || found[0] === '\r' ? -1 : found.index + found[0].length;
  }
  return -1;
}

/**
 * Whether the logical lines indent as Python requires: deeper after a line ending in `:` and only there, and back
 * only to a level opened before (tabs to the next multiple of 8, as Python's tokenizer counts them).
 */
function indentationNests(text: string, lines: LogicalLine[]): boolean {
  const levels = [0];
  let opensBlock = false;
  for (const line of lines) {
    let width = 0;
    for (let at = line.lineStart; at < line.start; at++) width = text.charCodeAt(at) === TAB ? (Math.floor(width / 8) + 1) * 8 : width + 1;
    const current = levels[levels.length - 1];
    // After a line ending in `:`, the block must be indented.
    if (opensBlock && width <= current) return false;
    if (width > current) {
      if (!opensBlock) return false;
      levels.push(width);
    } else if (width < current) {
      while (levels.length > 1 && levels[levels.length - 1] > width) levels.pop();
      if (levels[levels.length - 1] !== width) return false;
    }
    opensBlock = line.last === ':';
  }
  return true;
}

interface Skim {
  skippedText: string;
  /** The calls the skimmed text holds: all of them, for names the skipped bodies never call. */
  keptCalls: PlainCall[];
  complete: () => void;
  completed: boolean;
}

const skims = new WeakMap<PyModuleFacts, Skim>();

/**
 * Makes `facts`, extracted from `skimmed`, answer like the whole module's. A skipped function's return value,
 * its reads of the user if its body names `request.user` (or the session, or cookies), and the
 * module's calls and template renders if a skipped body or class statement calls one of the names the module
 * binds, are read (once, from `wholeFacts()`) when first asked for. Nothing else can differ: cache API calls,
 * definitions, decorators, classes (their names, bases, methods and view attributes) and module-level statements
 * are all in the skimmed text, and `patch_vary_headers` is never in a skipped body. Each object keeps its
 * identity when the rest is filled in.
 */
export function fillOnDemand(facts: PyModuleFacts, skimmed: SkimmedText, wholeFacts: () => PyModuleFacts | undefined): void {
  const skipped = facts.functions.flatMap((fn, index) => {
    const body = skimmed.skippedDefinitions.get(fn.span.start);
    if (body === undefined) return [];
    // Assignments need no reading: data flow is kept only for functions that use the cache, which a skipped one never does.
    const fields: (keyof FunctionFacts)[] = ['returnExpr'];
    if (mayReadUserState(body)) fields.push('userStateReads');
    return [{ fn, index, fields }];
  });
  // Calls in a skipped body, class statement or default: all are left out of the skimmed text.
  const searched = skimmed.skippedParameters === '' ? skimmed.skippedText : `${skimmed.skippedText}\n${skimmed.skippedParameters}`;
  const callsComplete = !mayCallBoundNames(facts.bindings, searched);
  const skim: Skim = { skippedText: searched, keptCalls: facts.calls, completed: false, complete: () => undefined };
  const keptRenders = facts.templateRenders;
  skim.complete = () => {
    if (skim.completed) return;
    skim.completed = true;
    let whole: PyModuleFacts | undefined;
    try {
      whole = wholeFacts();
    } finally {
      // Even when reading the whole text failed, every field gets a value (a getter left behind would call itself).
      const same = whole !== undefined && whole.functions.length === facts.functions.length && whole.functions.every((fn, index) => fn.qualname === facts.functions[index].qualname);
      for (const { fn, index, fields } of skipped) {
        for (const field of fields) setValue(fn, field, same ? whole!.functions[index][field] : emptyBody()[field as keyof ReturnType<typeof emptyBody>]);
      }
      if (!callsComplete) {
        setValue(facts, 'calls', same ? whole!.calls : skim.keptCalls);
        setValue(facts, 'templateRenders', same ? whole!.templateRenders : keptRenders);
      }
      if (same) {
        facts.suppressions = whole!.suppressions;
        facts.hasSyntaxErrors = whole!.hasSyntaxErrors;
      }
    }
  };
  for (const { fn, fields } of skipped) for (const field of fields) onFirstRead(fn, field, skim.complete);
  if (!callsComplete) {
    onFirstRead(facts, 'calls', skim.complete);
    onFirstRead(facts, 'templateRenders', skim.complete);
    skims.set(facts, skim);
  }
}

/**
 * The module's calls, without reading the whole module when its skipped bodies hold no call by one of `names`;
 * undefined when they may. A call is kept in the facts only when its callee is a name the module binds
 * (`invalidate(key)` after `from .utils import invalidate as ...`), so the names bound to one of `names` are
 * what a skipped body would have to call.
 */
export function keptCallsNaming(facts: PyModuleFacts, names: readonly string[]): PlainCall[] | undefined {
  const skim = skims.get(facts);
  if (!skim || skim.completed) return undefined;
  const wanted = new Set(names);
  const locals = Object.entries(facts.bindings).filter(([, qualified]) => wanted.has(qualified.slice(qualified.lastIndexOf('.') + 1))).map(([local]) => local);
  if (locals.length > 0 && new RegExp(`\\b(?:${locals.map(escapeRegExp).join('|')})[ \\t]*\\(`).test(skim.skippedText)) return undefined;
  return skim.keptCalls;
}

function emptyBody(): Pick<FunctionFacts, 'returnExpr' | 'userStateReads'> {
  return { returnExpr: null, userStateReads: [] };
}

function onFirstRead<T extends object>(target: T, field: keyof T & string, complete: () => void): void {
  Object.defineProperty(target, field, {
    configurable: true,
    enumerable: true,
    get: () => {
      complete();
      return target[field];
    },
    set: (value: unknown) => setValue(target, field, value),
  });
}

function setValue<T extends object>(target: T, field: keyof T & string, value: unknown): void {
  Object.defineProperty(target, field, { configurable: true, enumerable: true, writable: true, value });
}
