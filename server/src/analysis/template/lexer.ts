/**
 * A Django template lexer that reproduces `django.template.base.Lexer` (Django 3.2) token for
 * token, plus source offsets, and a light outline of the tags that caching rules care about.
 *
 * Offsets are UTF-16 code unit offsets (JavaScript string indices). Lines follow Django: only
 * `\n` starts a line (a lone `\r` does not), but they are 0-based here where Django's are 1-based.
 * Nothing in this module throws, and lexing is linear in the size of the source.
 */
import { firstPythonWord, pythonSplit, smartSplit, stripRange, type TextRange } from './python-text.js';

export type TemplateTokenKind = 'text' | 'variable' | 'block' | 'comment';

export interface TemplateToken {
  kind: TemplateTokenKind;
  /** As Django's `Token.contents`: the inner text, stripped, for variables, blocks and comments. */
  contents: string;
  /** Offset of the token's first character (the `{` of `{%`, or the first character of text). */
  start: number;
  /** Exclusive end offset. */
  end: number;
  /** Offset where `contents` begins in the source. */
  contentsStart: number;
  /** 0-based line of `start`. */
  line: number;
}

/** One piece of `Token.split_contents()`, with its source offsets. */
export interface TagBit {
  text: string;
  start: number;
  end: number;
}

export interface TemplateTag {
  /** The tag name as Django's parser dispatches on it: `token.contents.split()[0]` ('' for `{% %}`). */
  name: string;
  bits: TagBit[];
  token: TemplateToken;
}

/** A `{% cache %}…{% endcache %}` block. */
export interface CacheBlock {
  open: TemplateTag;
  /** Missing when the template ends before the matching `{% endcache %}`. */
  close?: TemplateTag;
  /** Offset just after the opening tag. */
  bodyStart: number;
  /** Offset of the closing tag, or the end of the source when there is none. */
  bodyEnd: number;
}

export interface TemplateVariable {
  /** The filter expression, e.g. `user.name|default:"x"`. */
  expression: string;
  /** Offsets of `expression` in the source. */
  start: number;
  end: number;
  token: TemplateToken;
}

export interface TemplateLoad {
  /** Libraries loaded in full: `{% load static cache %}` gives ['static', 'cache']; empty for the `from` form. */
  libraries: string[];
  /** `{% load a b from lib %}` gives { names: ['a', 'b'], library: 'lib' }. */
  fromForm?: { names: string[]; library: string };
  tag: TemplateTag;
}

export interface TemplateComment {
  /** `inline` for `{# … #}`; `block` for `{% comment %}…{% endcomment %}`. */
  kind: 'inline' | 'block';
  /** The stripped `{# #}` contents, or the raw body of a comment block. */
  text: string;
  /** Offsets of the whole comment, delimiters included (to the end of the source if unclosed). */
  start: number;
  end: number;
}

export interface TemplateOutline {
  /** Every block tag the Django parser would see, in order (not those inside comment blocks). */
  tags: TemplateTag[];
  variables: TemplateVariable[];
  loads: TemplateLoad[];
  extendsTag?: TemplateTag;
  includes: TemplateTag[];
  /** In the order their opening tags appear; nested blocks are listed after their parent. */
  cacheBlocks: CacheBlock[];
  comments: TemplateComment[];
}

// ---------------------------------------------------------------------------------------------
// Lexing
// ---------------------------------------------------------------------------------------------

/** Same tokens as Django's `Lexer(source).tokenize()`. */
export function tokenize(source: string): TemplateToken[] {
  const tokens: TemplateToken[] = [];
  const tags = new TagScanner(source);
  const lines = new LineCounter(source);
  // Inside `{% verbatim %}`: the block contents that ends it ('endverbatim' or 'endverbatim name').
  let verbatimEnd: string | undefined;
  let textStart = 0;

  for (let tag = tags.next(0); tag; tag = tags.next(tag.end)) {
    if (tag.start > textStart) tokens.push(textToken(source, textStart, tag.start, lines));
    textStart = tag.end;
    const token = tagToken(source, tag, lines.lineAt(tag.start));
    if (verbatimEnd !== undefined) {
      if (token.kind !== 'block' || token.contents !== verbatimEnd) {
        tokens.push(textToken(source, tag.start, tag.end, lines));
        continue;
      }
      verbatimEnd = undefined;
    }
    if (token.kind === 'block' && opensVerbatim(token.contents)) verbatimEnd = `end${token.contents}`;
    tokens.push(token);
  }
  if (textStart < source.length) tokens.push(textToken(source, textStart, source.length, lines));
  return tokens;
}

/** Django: `block_content[:9] in ('verbatim', 'verbatim ')`. */
function opensVerbatim(contents: string): boolean {
  return contents === 'verbatim' || contents.startsWith('verbatim ');
}

function textToken(source: string, start: number, end: number, lines: LineCounter): TemplateToken {
  return { kind: 'text', contents: source.slice(start, end), start, end, contentsStart: start, line: lines.lineAt(start) };
}

type TagKind = Exclude<TemplateTokenKind, 'text'>;

/** Where one match of Django's `tag_re` is in the source. */
interface TagMatch {
  kind: TagKind;
  start: number;
  end: number;
}

const TAG_CLOSERS: Record<TagKind, string> = { block: '%}', variable: '}}', comment: '#}' };

/** The kind of tag opened at `start` (`{%`, `{{` or `{#`), if any. */
function tagOpenedAt(source: string, start: number): TagKind | undefined {
  switch (source.charCodeAt(start + 1)) {
    case 0x25 /* % */:
      return 'block';
    case 0x7b /* { */:
      return 'variable';
    case 0x23 /* # */:
      return 'comment';
    default:
      return undefined;
  }
}

function tagToken(source: string, tag: TagMatch, line: number): TemplateToken {
  // Django strips comment contents too: it means to keep them only for "Translators" comments,
  // but its test `token_string.find('Translators')` is truthy whenever the mark is absent.
  const inner = stripRange(source, tag.start + 2, tag.end - 2);
  return {
    kind: tag.kind,
    contents: source.slice(inner.start, inner.end),
    start: tag.start,
    end: tag.end,
    contentsStart: inner.start,
    line,
  };
}

/**
 * Finds the matches of Django's `tag_re`, `({%.*?%}|{{.*?}}|{#.*?#})`, left to right. Without
 * DOTALL, `.` stops at `\n` (only `\n`: `\r` is an ordinary character), so a tag never spans
 * lines, and the shortest match wins: `{{ a }}}` is a tag followed by the text `}`.
 */
class TagScanner {
  private readonly closers: Record<TagKind, ForwardSearch>;
  private readonly newlines: ForwardSearch;

  constructor(private readonly source: string) {
    this.closers = {
      block: new ForwardSearch(source, TAG_CLOSERS.block),
      variable: new ForwardSearch(source, TAG_CLOSERS.variable),
      comment: new ForwardSearch(source, TAG_CLOSERS.comment),
    };
    this.newlines = new ForwardSearch(source, '\n');
  }

  /** The next tag starting at or after `from`; calls must not go backwards. */
  next(from: number): TagMatch | undefined {
    for (let brace = this.source.indexOf('{', from); brace !== -1; brace = this.source.indexOf('{', brace + 1)) {
      const kind = tagOpenedAt(this.source, brace);
      const end = kind && this.tagEnd(kind, brace);
      if (kind && end !== undefined) return { kind, start: brace, end };
    }
    return undefined;
  }

  private tagEnd(kind: TagKind, start: number): number | undefined {
    const closerAt = this.closers[kind].next(start + 2);
    if (closerAt === -1) return undefined;
    const newlineAt = this.newlines.next(start + 2);
    if (newlineAt !== -1 && newlineAt < closerAt) return undefined;
    return closerAt + 2;
  }
}

/**
 * `text.indexOf(needle, from)` for non-decreasing `from`, reusing the last answer while it is
 * still ahead: searched stretches never overlap, so all searches together are linear.
 */
class ForwardSearch {
  private searchedFrom = -1;
  private foundAt = -1;

  constructor(
    private readonly text: string,
    private readonly needle: string,
  ) {}

  next(from: number): number {
    const answerStillValid = this.searchedFrom !== -1 && from >= this.searchedFrom && (this.foundAt === -1 || this.foundAt >= from);
    if (!answerStillValid) {
      this.searchedFrom = from;
      this.foundAt = this.text.indexOf(this.needle, from);
    }
    return this.foundAt;
  }
}

/** 0-based line numbers (counting `\n` like Django) for non-decreasing offsets. */
class LineCounter {
  private line = 0;
  private nextNewline: number;

  constructor(private readonly text: string) {
    this.nextNewline = text.indexOf('\n');
  }

  lineAt(offset: number): number {
    while (this.nextNewline !== -1 && this.nextNewline < offset) {
      this.line++;
      this.nextNewline = this.text.indexOf('\n', this.nextNewline + 1);
    }
    return this.line;
  }
}

// ---------------------------------------------------------------------------------------------
// split_contents
// ---------------------------------------------------------------------------------------------

/**
 * Same pieces as Django's `token.split_contents()`: `smart_split` of the contents, with a
 * translated string split by the spaces inside it (`_("a" b")`) glued back together. Django
 * joins glued pieces with one space whatever separated them in the source (other whitespace,
 * or nothing), so only for those bits can `text` differ from the source between `start` and
 * `end`. Where Django would raise (a `_("` that never closes), the glued piece runs to the end.
 */
export function splitContents(token: TemplateToken): TagBit[] {
  const pieces = smartSplit(token.contents).map((range) => toTagBit(token, range));
  const bits: TagBit[] = [];
  for (let index = 0; index < pieces.length; index++) {
    const piece = pieces[index];
    if (!startsTranslatedString(piece.text)) {
      bits.push(piece);
      continue;
    }
    const sentinel = `${piece.text[2]})`;
    const glued = [piece];
    while (!glued[glued.length - 1].text.endsWith(sentinel) && index + 1 < pieces.length) glued.push(pieces[++index]);
    bits.push(gluePieces(glued));
  }
  return bits;
}

function startsTranslatedString(text: string): boolean {
  return text.startsWith('_("') || text.startsWith("_('");
}

function toTagBit(token: TemplateToken, range: TextRange): TagBit {
  return {
    text: token.contents.slice(range.start, range.end),
    start: token.contentsStart + range.start,
    end: token.contentsStart + range.end,
  };
}

function gluePieces(pieces: TagBit[]): TagBit {
  return {
    text: pieces.map((piece) => piece.text).join(' '),
    start: pieces[0].start,
    end: pieces[pieces.length - 1].end,
  };
}

// ---------------------------------------------------------------------------------------------
// Outline
// ---------------------------------------------------------------------------------------------

/** The tags, variables, loads, cache blocks and comments of a template, as Django's parser sees them. */
export function outline(source: string): TemplateOutline {
  const builder = new OutlineBuilder(source);
  const tokens = tokenize(source);
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index];
    if (token.kind === 'variable') builder.addVariable(token);
    else if (token.kind === 'comment') builder.addInlineComment(token);
    else if (token.kind === 'block') {
      const tag = toTag(token);
      if (tag.name === 'comment') index = builder.addCommentBlock(tag, tokens, index);
      else builder.addTag(tag);
    }
  }
  return builder.result;
}

function toTag(token: TemplateToken): TemplateTag {
  return { name: firstPythonWord(token.contents), bits: splitContents(token), token };
}

class OutlineBuilder {
  readonly result: TemplateOutline = { tags: [], variables: [], loads: [], includes: [], cacheBlocks: [], comments: [] };
  private readonly openCacheBlocks: CacheBlock[] = [];

  constructor(private readonly source: string) {}

  addVariable(token: TemplateToken): void {
    const start = token.contentsStart;
    this.result.variables.push({ expression: token.contents, start, end: start + token.contents.length, token });
  }

  addInlineComment(token: TemplateToken): void {
    this.result.comments.push({ kind: 'inline', text: token.contents, start: token.start, end: token.end });
  }

  addTag(tag: TemplateTag): void {
    this.result.tags.push(tag);
    switch (tag.name) {
      case 'load':
        this.result.loads.push(toLoad(tag));
        break;
      case 'extends':
        this.result.extendsTag ??= tag;
        break;
      case 'include':
        this.result.includes.push(tag);
        break;
      case 'cache':
        this.openCacheBlock(tag);
        break;
      case 'endcache':
        this.closeCacheBlock(tag);
        break;
    }
  }

  /**
   * Like Django's `parser.skip_past('endcomment')`: every token up to a block whose contents are
   * exactly `endcomment` is ignored. Returns the index of that closing token (or the last index).
   */
  addCommentBlock(open: TemplateTag, tokens: TemplateToken[], openIndex: number): number {
    this.result.tags.push(open);
    let closeIndex = openIndex + 1;
    while (closeIndex < tokens.length && !isEndComment(tokens[closeIndex])) closeIndex++;
    const close = closeIndex < tokens.length ? tokens[closeIndex] : undefined;
    this.result.comments.push({
      kind: 'block',
      text: this.source.slice(open.token.end, close ? close.start : this.source.length),
      start: open.token.start,
      end: close ? close.end : this.source.length,
    });
    if (close) this.result.tags.push(toTag(close));
    return closeIndex;
  }

  private openCacheBlock(tag: TemplateTag): void {
    // Until its `{% endcache %}` turns up, a block runs to the end of the source.
    const block: CacheBlock = { open: tag, bodyStart: tag.token.end, bodyEnd: this.source.length };
    this.result.cacheBlocks.push(block);
    this.openCacheBlocks.push(block);
  }

  /** Django's `parser.parse(('endcache',))` stops at any tag named endcache, arguments or not. */
  private closeCacheBlock(tag: TemplateTag): void {
    const block = this.openCacheBlocks.pop();
    if (!block) return;
    block.close = tag;
    block.bodyEnd = tag.token.start;
  }
}

function isEndComment(token: TemplateToken): boolean {
  return token.kind === 'block' && token.contents === 'endcomment';
}

/** Django's `load` tag reads `token.contents.split()`, not `split_contents()`. */
function toLoad(tag: TemplateTag): TemplateLoad {
  const contents = tag.token.contents;
  const words = pythonSplit(contents).map((word) => contents.slice(word.start, word.end));
  if (words.length >= 4 && words[words.length - 2] === 'from') {
    return { libraries: [], fromForm: { names: words.slice(1, -2), library: words[words.length - 1] }, tag };
  }
  return { libraries: words.slice(1), tag };
}
