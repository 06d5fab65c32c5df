/**
 * One fuzz input: how it is generated (deterministically from seed, front end and index), how it is run
 * through the engine, and the properties checked on the result.
 */
import { DEFAULT_CONFIG } from '../../server/src/analysis/config.js';
import { Workspace } from '../../server/src/engine/workspace.js';
import type { PythonWasm } from '../../server/src/analysis/python/parser.js';
import { applyEdits, LineIndex } from '../../server/src/analysis/text.js';
import type { Finding, Range, Span } from '../../server/src/analysis/types.js';
import { buildKeyMap, type KeyMap } from '../../server/src/engine/key-map.js';
import { loadTypeScript } from '../../server/src/node/typescript.js';
import { loadPythonWasm } from '../../server/src/node/wasm.js';
import { companionPaths, corpusOf, frontEndByName, readCompanion, type FrontEnd } from './front-ends.js';
import { mutate, window, type MutationContext } from './mutate.js';
import { rng } from './prng.js';

export type Mode = 'single' | 'project' | 'editor';

export interface FuzzInput {
  frontEnd: string;
  mode: Mode;
  /** The mutated file's workspace path. */
  path: string;
  text: string;
  /** In a kept fixture, instead of `text`: pieces, `[piece, n]` repeated n times (a 40,000-character name stays small). */
  textParts?: (string | [string, number])[];
  /** `editor` mode: the text the editor opened before changing it to `text`. */
  before?: string;
  /** Sample-project files (relative paths) analysed beside it, unmutated. */
  companions: string[];
  /** `editor` mode: the safe fixes come back as a change of the open document (as from an editor) or through update() (a file watcher). */
  fixVia?: 'change' | 'update';
  /** Where the input came from: corpus file and mutations. */
  origin: string;
}

export type FailureKind = 'throw' | 'range' | 'span' | 'edit-range' | 'edit-overlap' | 'hang';

export interface Failure {
  kind: FailureKind;
  message: string;
}

export interface Outcome {
  failures: Failure[];
  /** Time in the engine (create, update, check), milliseconds. */
  ms: number;
  /** UTF-16 code units analysed (the mutated file and its companions). */
  size: number;
  /** Whether the mutated file passed the front end's pre-filter (holds a cache call). */
  candidate: boolean;
  findings: number;
}

const FOCUS = /cache|CACHE|csrf|vary_on|Redis|redis|Keyv|LRU/;
/** Larger corpus files are fuzzed a window of lines at a time (the whole file 2% of the time). */
const WINDOW = 8_000;

export function generateInput(frontEnd: FrontEnd, seed: string | number, index: number): FuzzInput {
  const random = rng(seed, frontEnd.name, index);
  const corpus = corpusOf(frontEnd);
  const file = corpus[random.weighted(corpus.map((entry) => entry.weight))];
  const base = random.chance(0.02) ? file.text : window(file.text, random, FOCUS, WINDOW);
  const context: MutationContext = {
    snippets: frontEnd.snippets,
    tokens: frontEnd.tokens,
    donor: (donorRandom) => window(corpus[donorRandom.int(corpus.length)].text, donorRandom, FOCUS, WINDOW),
  };
  const { text, operations } = mutate(base, random, context);
  const mode = (['single', 'project', 'editor'] as const)[random.weighted([0.55, 0.3, 0.15])];
  const companions: string[] = [];
  if (mode === 'project') {
    const all = companionPaths().filter((path) => path !== file.path && (frontEnd.companion?.(path) ?? true));
    for (let i = random.range(2, 5); i > 0; i--) {
      const path = random.pick(all);
      if (!companions.includes(path)) companions.push(path);
    }
  }
  const editor = mode === 'editor' ? { before: base, fixVia: random.chance(0.7) ? ('change' as const) : ('update' as const) } : {};
  return { frontEnd: frontEnd.name, mode, path: file.path, text, ...editor, companions, origin: `${file.origin} [${operations.join(', ')}]` };
}

let wasm: PythonWasm | undefined;
const companionTexts = new Map<string, string>();

function companionText(path: string): string {
  let text = companionTexts.get(path);
  if (text === undefined) {
    text = readCompanion(path);
    companionTexts.set(path, text);
  }
  return text;
}

/**
 * Spans handed to LineIndex.rangeOf while the engine runs. rangeOf clamps offsets into the text, so a rule
 * reporting a span past the end would otherwise turn into a plausible range silently.
 */
const badSpans: string[] = [];
let watching = false;
const originalRangeOf = LineIndex.prototype.rangeOf;
LineIndex.prototype.rangeOf = function rangeOf(this: LineIndex, span: Span): Range {
  if (watching && !(Number.isInteger(span.start) && Number.isInteger(span.end) && span.start >= 0 && span.start <= span.end && span.end <= this.text.length)) {
    badSpans.push(`span {start: ${span.start}, end: ${span.end}} in a text of length ${this.text.length}`);
  }
  return originalRangeOf.call(this, span);
};

/** The input with `textParts` expanded into `text`. */
export function materialise(input: FuzzInput): FuzzInput {
  if (!input.textParts) return input;
  const { textParts, ...rest } = input;
  return { ...rest, text: textParts.map((part) => (typeof part === 'string' ? part : part[0].repeat(part[1]))).join('') };
}

/** Runs one input through the engine and checks the properties. Never throws. */
export async function runInput(given: FuzzInput): Promise<Outcome> {
  const input = materialise(given);
  const frontEnd = frontEndByName(input.frontEnd);
  wasm ??= loadPythonWasm();
  const files = new Map<string, string>();
  for (const path of input.companions) files.set(path, companionText(path));
  files.set(input.path, input.mode === 'editor' ? (input.before ?? '') : input.text);
  const failures: Failure[] = [];
  let candidate = false;
  let findings = 0;
  let size = 0;
  for (const text of files.values()) size += text.length;
  badSpans.length = 0;
  watching = true;
  const started = performance.now();
  try {
    const workspace = await Workspace.create({
      wasm,
      source: { read: (path) => files.get(path) },
      paths: [...files.keys()],
      configFor: () => DEFAULT_CONFIG,
      ...(frontEnd.needsTypeScript ? { loadTypeScript } : {}),
    });
    const texts = (): Map<string, string> => files;
    const verify = (found: Finding[], label: string): void => {
      findings += found.length;
      failures.push(...checkFindings(found, texts(), label));
    };
    if (input.mode === 'editor') {
      workspace.openDocument(input.path, input.before ?? '');
      verify(workspace.check([input.path]), 'opened');
      const change = diff(input.before ?? '', input.text);
      files.set(input.path, input.text);
      workspace.changeDocument(input.path, input.text, [change]);
      size += input.text.length;
    }
    candidate = frontEnd.isCandidate(workspace, input.path);
    const found = input.mode === 'project' ? workspace.check() : workspace.check([input.path]);
    verify(found, input.mode === 'editor' ? 'changed' : 'checked');
    // The key map, for the inputs analysed as a whole project (every input would add a third to the slice's time).
    if (input.mode === 'project') failures.push(...checkKeyMap(buildKeyMap(workspace, { findings: found }), files));
    // Apply the safe fixes to the mutated file, as --fix does, and analyse the result once more.
    const edits = found.filter((finding) => finding.path === input.path).flatMap((finding) => finding.fixes.find((fix) => fix.safety === 'safe')?.edits ?? []);
    if (edits.length > 0 && failures.length === 0) {
      const fixed = applyEdits(input.text, edits);
      if (fixed !== input.text) {
        files.set(input.path, fixed);
        // An editor applies a fix as one more change of the open document; the CLI (or a file watcher) updates the file.
        if (input.mode === 'editor' && input.fixVia !== 'update') workspace.changeDocument(input.path, fixed, [diff(input.text, fixed)]);
        else workspace.update(input.path, fixed);
        verify(workspace.check([input.path]), 'after its safe fixes');
      }
    }
  } catch (error) {
    failures.push({ kind: 'throw', message: error instanceof Error ? `${error.name}: ${error.message}\n${(error.stack ?? '').split('\n').slice(1, 8).join('\n')}` : String(error) });
  } finally {
    watching = false;
  }
  const ms = performance.now() - started;
  for (const span of new Set(badSpans)) failures.push({ kind: 'span', message: `a rule reported ${span} (LineIndex.rangeOf clamped it)` });
  return { failures, ms, size, candidate, findings };
}

/** Every site of the key map (`cache-coach keys`, the Cache keys view) inside its document, its end after its start. */
function checkKeyMap(map: KeyMap, texts: ReadonlyMap<string, string>): Failure[] {
  const failures: Failure[] = [];
  for (const entry of map.keys) {
    for (const site of [...entry.writes, ...entry.reads, ...entry.invalidations]) {
      const text = texts.get(site.path);
      const lines = text === undefined ? 0 : new LineIndex(text).lineCount;
      const where = `key map: ${entry.kind} ${JSON.stringify(entry.key)} ${site.method} at ${site.path}:${site.line}:${site.column}-${site.endLine}:${site.endColumn}`;
      if (text === undefined) failures.push({ kind: 'range', message: `${where}: a file not in the workspace` });
      else if (site.line < 1 || site.endLine > lines || site.column < 1 || site.endLine < site.line || (site.endLine === site.line && site.endColumn < site.column)) failures.push({ kind: 'range', message: `${where}: outside the document or reversed` });
    }
  }
  return failures;
}

/** The single change that turns `before` into `after` (common prefix and suffix kept), as the server passes it. */
function diff(before: string, after: string) {
  let start = 0;
  const shortest = Math.min(before.length, after.length);
  while (start < shortest && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let suffix = 0;
  while (suffix < shortest - start && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  const oldEnd = before.length - suffix;
  const newEnd = after.length - suffix;
  const old = new LineIndex(before);
  const next = new LineIndex(after);
  return { start, oldEnd, newEnd, startPosition: old.positionAt(start), oldEndPosition: old.positionAt(oldEnd), newEndPosition: next.positionAt(newEnd) };
}

/** Every range (finding and fix edit) inside its document, ordered, not splitting a line break or a surrogate pair; a fix's edits not overlapping. */
export function checkFindings(findings: readonly Finding[], texts: ReadonlyMap<string, string>, label: string): Failure[] {
  const failures: Failure[] = [];
  const indexes = new Map<string, LineIndex>();
  for (const finding of findings) {
    const text = texts.get(finding.path);
    const where = `${finding.code} (${label}) in ${finding.path}`;
    if (text === undefined) {
      failures.push({ kind: 'range', message: `${where}: a finding for a file not in the workspace` });
      continue;
    }
    let lines = indexes.get(finding.path);
    if (!lines) {
      lines = new LineIndex(text);
      indexes.set(finding.path, lines);
    }
    const problem = rangeProblem(finding.range, lines);
    if (problem) failures.push({ kind: 'range', message: `${where}: ${problem}` });
    for (const fix of finding.fixes) {
      const offsets: { start: number; end: number }[] = [];
      for (const edit of fix.edits) {
        const editProblem = rangeProblem(edit.range, lines);
        if (editProblem) failures.push({ kind: 'edit-range', message: `${where}, fix "${fix.title}": ${editProblem}` });
        else offsets.push({ start: lines.offsetAt(edit.range.start), end: lines.offsetAt(edit.range.end) });
      }
      offsets.sort((a, b) => a.start - b.start || a.end - b.end);
      for (let i = 1; i < offsets.length; i++) {
        const [a, b] = [offsets[i - 1], offsets[i]];
        if (b.start < a.end && !(a.start === b.start && a.end === b.end)) failures.push({ kind: 'edit-overlap', message: `${where}, fix "${fix.title}": edits [${a.start}, ${a.end}) and [${b.start}, ${b.end}) overlap` });
      }
    }
  }
  return failures;
}

/** Why a range is not a valid LSP range of the text, or undefined. */
export function rangeProblem(range: Range, lines: LineIndex): string | undefined {
  const show = `${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}`;
  for (const position of [range.start, range.end]) {
    if (!Number.isInteger(position.line) || !Number.isInteger(position.character)) return `range ${show} has a non-integer position`;
    if (position.line < 0 || position.line >= lines.lineCount) return `range ${show} names line ${position.line} of ${lines.lineCount}`;
    const length = lines.lineEnd(position.line) - lines.lineStart(position.line);
    if (position.character < 0 || position.character > length) return `range ${show}: character ${position.character} is outside line ${position.line} (length ${length})`;
    const offset = lines.lineStart(position.line) + position.character;
    const before = lines.text.charCodeAt(offset - 1);
    const after = lines.text.charCodeAt(offset);
    if (position.character > 0 && before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff) return `range ${show} splits a surrogate pair`;
  }
  if (range.start.line > range.end.line || (range.start.line === range.end.line && range.start.character > range.end.character)) return `range ${show} ends before it starts`;
  return undefined;
}
