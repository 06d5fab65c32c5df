/** Text mutations for the fuzzer: cuts, duplicated lines, unbalanced brackets and quotes, random characters, huge literals. */
import type { Rng } from './prng.js';

export interface MutationContext {
  /** Snippets holding a cache call (the `inject` mutation). */
  snippets: readonly string[];
  /** Replacement tokens (the `token` mutation). */
  tokens: readonly string[];
  /** Another corpus text (the `splice` mutation). */
  donor(rng: Rng): string;
}

type Mutation = (text: string, rng: Rng, context: MutationContext) => string;

const BRACKETS = ['(', ')', '[', ']', '{', '}', '{%', '%}', '{{', '}}', '{#', '#}', '<', '>', '${', '`'];
const QUOTES = ['"', "'", '"""', "'''", 'f"', "b'", 'r"', 'rb"""', '\\', '\\"', '#', '//', '/*', '*/', '<!--'];
const ODD_CHARACTERS = [
  '\u0000', '\u0001', '\u0008', '\u000b', '\u000c', '\u001b', '\u007f', '\u0085', '\u00a0', '\u00e9', '\u0301', '\u200b', '\u200d', '\u2028', '\u2029',
  '\ufeff', '\ufffd', '\uffff', '\ud800', '\udfff', '\u{1F600}', '\u{1F468}\u200d\u{1F469}\u200d\u{1F467}', '\u{10FFFF}', '\u{20000}', '\r', '\n', '\r\n', '\t', ' ',
];

function at(text: string, rng: Rng): number {
  return rng.int(text.length + 1);
}

function insert(text: string, offset: number, piece: string): string {
  return text.slice(0, offset) + piece + text.slice(offset);
}

/** Offsets where lines start. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineStartNear(text: string, rng: Rng): number {
  const starts = lineStarts(text);
  return rng.pick(starts);
}

function indentAt(text: string, offset: number): string {
  return /^[ \t]*/.exec(text.slice(offset, offset + 200))![0];
}

function randomCharacter(rng: Rng): string {
  switch (rng.int(4)) {
    case 0:
      return String.fromCharCode(rng.range(0x20, 0x7e));
    case 1:
      return rng.pick(ODD_CHARACTERS);
    case 2:
      return String.fromCharCode(rng.int(0x10000));
    default:
      return String.fromCodePoint(rng.range(0x10000, 0x10ffff));
  }
}

export const MUTATIONS: Record<string, Mutation> = {
  /** Deletes a run of characters. */
  cut(text, rng) {
    const start = at(text, rng);
    return text.slice(0, start) + text.slice(Math.min(text.length, start + 1 + rng.skewed(40, 4000)));
  },
  /** Deletes whole lines. */
  cutLines(text, rng) {
    const starts = lineStarts(text);
    const first = rng.int(starts.length);
    const last = Math.min(starts.length, first + 1 + rng.skewed(3, 200));
    return text.slice(0, starts[first]) + (last < starts.length ? text.slice(starts[last]) : '');
  },
  /** Stops the file anywhere, mid-token or mid-line. */
  truncate(text, rng) {
    return text.slice(0, at(text, rng));
  },
  /** Duplicates a run of lines, a few times or many. */
  duplicateLines(text, rng) {
    const starts = lineStarts(text);
    const first = rng.int(starts.length);
    const last = Math.min(starts.length, first + 1 + rng.skewed(3, 40));
    const end = last < starts.length ? starts[last] : text.length;
    let chunk = text.slice(starts[first], end);
    if (!chunk.endsWith('\n')) chunk += '\n';
    const times = rng.chance(0.05) ? rng.range(50, 400) : rng.range(1, 4);
    if (chunk.length * times > 400_000) return text;
    return text.slice(0, end) + (end === text.length && !text.endsWith('\n') ? '\n' : '') + chunk.repeat(times) + text.slice(end);
  },
  /** Moves a run of lines elsewhere. */
  moveLines(text, rng) {
    const starts = lineStarts(text);
    const first = rng.int(starts.length);
    const last = Math.min(starts.length, first + 1 + rng.skewed(3, 30));
    const end = last < starts.length ? starts[last] : text.length;
    const chunk = text.slice(starts[first], end);
    const rest = text.slice(0, starts[first]) + text.slice(end);
    return insert(rest, lineStartNear(rest, rng), chunk);
  },
  /** Unbalanced brackets (template delimiters too). */
  bracket(text, rng) {
    let result = text;
    for (let i = rng.range(1, 3); i > 0; i--) result = insert(result, at(result, rng), rng.pick(BRACKETS));
    return result;
  },
  /** Unbalanced quotes, string prefixes, comment starts. */
  quote(text, rng) {
    let result = text;
    for (let i = rng.range(1, 3); i > 0; i--) result = insert(result, at(result, rng), rng.pick(QUOTES));
    return result;
  },
  /** Random characters: controls, NUL, lone surrogates, astral characters, line separators. */
  randomCharacters(text, rng) {
    let piece = '';
    for (let i = rng.range(1, 16); i > 0; i--) piece += randomCharacter(rng);
    return insert(text, at(text, rng), piece);
  },
  /** Overwrites single characters. */
  flip(text, rng) {
    let result = text;
    for (let i = rng.range(1, 8); i > 0 && result.length > 0; i--) {
      const offset = rng.int(result.length);
      result = result.slice(0, offset) + randomCharacter(rng) + result.slice(offset + 1);
    }
    return result;
  },
  /** A huge string, number, name or comment (mostly kilobytes, sometimes hundreds of them). */
  hugeLiteral(text, rng) {
    const size = rng.chance(0.02) ? rng.range(100_000, 600_000) : rng.range(500, 30_000);
    const unit = rng.pick(['a', '9', 'x_', ' ', 'é', '\u{1F600}', '\\n', '{', '(', '%']);
    const body = unit.repeat(Math.ceil(size / unit.length));
    const piece = rng.pick([`"${body}"`, `'''${body}'''`, body, `# ${body}`, `{{ ${body} }}`, `{% cache 1 ${body} %}`, `f"{${body}}"`, `\`${body}\``]);
    return insert(text, at(text, rng), piece);
  },
  /** Deep nesting of brackets or template blocks. */
  deepNesting(text, rng) {
    const depth = rng.chance(0.05) ? rng.range(1000, 5000) : rng.range(10, 300);
    const [open, close] = rng.pick([
      ['(', ')'], ['[', ']'], ['{', '}'], ['f"{', '}"'], ['{% if x %}', '{% endif %}'], ['{% cache 1 n %}', '{% endcache %}'], ['{% block b %}', '{% endblock %}'], ['{{ (', ') }}'],
    ]);
    const balanced = rng.chance(0.6);
    return insert(text, at(text, rng), open.repeat(depth) + (balanced ? close.repeat(depth) : close.repeat(rng.int(depth))));
  },
  /** Another corpus file's text, spliced in. */
  splice(text, rng, context) {
    const donor = context.donor(rng);
    const start = at(donor, rng);
    const piece = donor.slice(start, start + rng.skewed(400, 20_000));
    return insert(text, rng.chance(0.5) ? lineStartNear(text, rng) : at(text, rng), piece);
  },
  /** A snippet with a cache call at a line start, indented like that line. */
  inject(text, rng, context) {
    const offset = lineStartNear(text, rng);
    const indent = rng.chance(0.7) ? indentAt(text, offset) : rng.pick(['', '    ', '\t', '        ', '  ']);
    const snippet = rng.pick(context.snippets);
    const piece = snippet.split('\n').map((line) => indent + line).join('\n') + '\n';
    return insert(text, offset, piece);
  },
  /** A snippet anywhere at all (mid-line, mid-token). */
  injectAnywhere(text, rng, context) {
    return insert(text, at(text, rng), rng.pick(context.snippets));
  },
  /** A number, string or name replaced by an interesting token. */
  token(text, rng, context) {
    const pattern = /-?\d+(?:\.\d+)?|"[^"\n]*"|'[^'\n]*'|[A-Za-z_][A-Za-z0-9_]*/g;
    pattern.lastIndex = at(text, rng);
    const match = pattern.exec(text);
    if (!match) return text + rng.pick(context.tokens);
    return text.slice(0, match.index) + rng.pick(context.tokens) + text.slice(match.index + match[0].length);
  },
  /** CRLF, bare CR or mixed line breaks. */
  lineBreaks(text, rng) {
    switch (rng.int(3)) {
      case 0:
        return text.replace(/\r?\n/g, '\r\n');
      case 1:
        return text.replace(/\r?\n/g, '\r');
      default:
        return text.replace(/\n/g, () => rng.pick(['\n', '\r\n', '\r', '\n\r']));
    }
  },
  /** Tabs for spaces, or indentation dropped, on some lines. */
  indentation(text, rng) {
    const mode = rng.int(3);
    return text.replace(/^[ \t]+/gm, (indent) => {
      if (!rng.chance(0.3)) return indent;
      if (mode === 0) return indent.replace(/ {4}/g, '\t');
      if (mode === 1) return '';
      return indent + rng.pick([' ', '\t', '    ']);
    });
  },
  /** A byte order mark, or astral characters and tabs at the starts of lines (UTF-16 vs code-point columns). */
  prefix(text, rng) {
    if (rng.chance(0.3)) return '\ufeff' + text;
    return text.replace(/^/gm, () => (rng.chance(0.2) ? rng.pick(['\u{1F600}', '\t', '\u00e9', '\ufeff', '\u{1F468}\u200d\u{1F469}']) : ''));
  },
};

const NAMES = Object.keys(MUTATIONS);
/** How often each mutation is picked: `inject` most, so most inputs hold a cache call. */
const WEIGHTS = NAMES.map((name) => ({ inject: 7, injectAnywhere: 2, token: 3, cut: 3, cutLines: 3, duplicateLines: 3, hugeLiteral: 1, deepNesting: 1, truncate: 1.5 })[name] ?? 2);

/** Applies one to five mutations; returns the text and the names of the mutations used. */
export function mutate(text: string, rng: Rng, context: MutationContext): { text: string; operations: string[] } {
  const operations: string[] = [];
  let result = text;
  const count = 1 + Math.min(4, rng.skewed(1.2, 4));
  for (let i = 0; i < count; i++) {
    const name = NAMES[rng.weighted(WEIGHTS)];
    const next = MUTATIONS[name](result, rng, context);
    // Keep inputs within what a per-input budget can analyse (hostile sizes are the hardening tests' job).
    if (next.length > 1_500_000) continue;
    result = next;
    operations.push(name);
  }
  return { text: result, operations };
}

/** A window of lines of a large file, around a line matching `focus` when there is one. */
export function window(text: string, rng: Rng, focus: RegExp, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const starts = lineStarts(text);
  const focused: number[] = [];
  for (let line = 0; line < starts.length; line++) {
    const end = line + 1 < starts.length ? starts[line + 1] : text.length;
    if (focus.test(text.slice(starts[line], end))) focused.push(line);
  }
  const center = focused.length > 0 && rng.chance(0.85) ? rng.pick(focused) : rng.int(starts.length);
  const before = rng.range(5, 100);
  const after = rng.range(5, 150);
  const first = Math.max(0, center - before);
  const last = Math.min(starts.length, center + after);
  const slice = text.slice(starts[first], last < starts.length ? starts[last] : text.length);
  return slice.length > maxLength ? slice.slice(0, maxLength) : slice;
}
