/**
 * The fill-in exercise's checks (lessons/FORMAT.md, "exercises/"): normalise the learner's answer with
 * the spec's steps, accept it when it is one of the accepted forms, otherwise pick the hint of the first
 * feedback entry whose pattern matches, else the fallback hint. An answer in none of the listed forms
 * is still accepted when it builds the expected key for every case, as worked out without Python by
 * key-expression.ts. Shared by the page (instant feedback) and the extension (which can also run the
 * answer in Python).
 */
import { evaluateKeyExpression } from './key-expression';

/** The steps this code knows, in the spec's vocabulary. An unknown step makes the spec unusable. */
export const NORMALIZE_STEPS = ['trim', 'strip-trailing-comma', 'unify-quotes', 'lowercase-prefixes', 'remove-spaces-outside-strings', 'strip-outer-parentheses'] as const;

interface Part {
  text: string;
  string: boolean;
}

/** Splits Python-ish text into string literals (with their prefixes) and the code between them. */
function split(text: string): Part[] {
  const parts: Part[] = [];
  const pattern = /([rRbBuUfF]{0,2})("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    let start = match.index;
    let prefix = match[1]!;
    const previous = text[start - 1];
    if (prefix && previous !== undefined && /[A-Za-z0-9_]/.test(previous)) {
      // The letters belong to a name (`user_idf"..."` cannot happen, but `x.format` followed by a quote can): no prefix.
      start += prefix.length;
      prefix = '';
    }
    if (start < last) continue;
    parts.push({ text: text.slice(last, start), string: false }, { text: text.slice(start, match.index + match[0].length), string: true });
    last = match.index + match[0].length;
  }
  parts.push({ text: text.slice(last), string: false });
  return parts.filter((part) => part.text.length > 0 || part.string);
}

function mapParts(text: string, map: (part: Part) => string): string {
  return split(text).map(map).join('');
}

function isWrapped(text: string): boolean {
  if (!text.startsWith('(') || !text.endsWith(')')) return false;
  const code = mapParts(text, (part) => (part.string ? ' '.repeat(part.text.length) : part.text));
  let depth = 0;
  for (let index = 0; index < code.length; index++) {
    if (code[index] === '(') depth++;
    else if (code[index] === ')') depth--;
    if (depth === 0 && index < code.length - 1) return false;
  }
  return depth === 0;
}

/** Applies the normalisation steps, in order. Throws on a step this code does not know. */
export function normalizeAnswer(answer: string, steps: readonly string[]): string {
  let result = answer;
  for (const step of steps) {
    switch (step) {
      case 'trim':
        result = result.trim();
        break;
      case 'strip-trailing-comma':
        result = result.replace(/,\s*$/, '');
        break;
      case 'unify-quotes':
        result = mapParts(result, (part) => {
          if (!part.string) return part.text;
          const prefix = /^[A-Za-z]*/.exec(part.text)![0];
          const literal = part.text.slice(prefix.length);
          if (literal.startsWith("'''") || !literal.startsWith("'")) return part.text;
          const body = literal.slice(1, -1);
          if (body.includes('"')) return part.text;
          return `${prefix}"${body.replace(/\\'/g, "'")}"`;
        });
        break;
      case 'lowercase-prefixes':
        result = mapParts(result, (part) => (part.string ? part.text.replace(/^[A-Za-z]+/, (prefix) => prefix.toLowerCase()) : part.text));
        break;
      case 'remove-spaces-outside-strings':
        result = mapParts(result, (part) => (part.string ? part.text : part.text.replace(/[ \t]+/g, '')));
        break;
      case 'strip-outer-parentheses':
        while (isWrapped(result)) result = result.slice(1, -1);
        break;
      default:
        throw new Error(`unknown normalisation step ${JSON.stringify(step)}`);
    }
  }
  return result;
}

export interface FillInSpec {
  steps: readonly string[];
  accepted: readonly string[];
  /** The variable the key is built from (`user_id`) and the key each of its values must give. */
  variable?: string;
  cases?: readonly { value: number; expect: string }[];
  feedback: readonly { match: string; hintHtml: string }[];
  fallbackHintHtml: string;
}

export type FillInVerdict =
  | { accepted: true; normalized: string; by: 'form' | 'evaluation' }
  | { accepted: false; normalized: string; hintHtml: string; matchedFeedback: boolean };

/** Checks an answer against the accepted forms; a wrong answer gets its hint. Runs no code. */
export function checkFillIn(spec: FillInSpec, answer: string): FillInVerdict {
  const normalized = normalizeAnswer(answer, spec.steps);
  if (spec.accepted.includes(normalized)) return { accepted: true, normalized, by: 'form' };
  if (buildsEveryKey(spec, answer)) return { accepted: true, normalized, by: 'evaluation' };
  for (const entry of spec.feedback) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(entry.match);
    } catch {
      continue; // a broken pattern in the data gives no hint rather than breaking the exercise
    }
    if (pattern.test(normalized)) return { accepted: false, normalized, hintHtml: entry.hintHtml, matchedFeedback: true };
  }
  return { accepted: false, normalized, hintHtml: spec.fallbackHintHtml, matchedFeedback: false };
}

/** True when the answer, evaluated without Python, builds the expected key for every case. */
export function buildsEveryKey(spec: FillInSpec, answer: string): boolean {
  const { variable, cases } = spec;
  if (!variable || !cases || cases.length === 0) return false;
  const expression = answerForEvaluation(answer);
  return cases.every((item) => evaluateKeyExpression(expression, { [variable]: item.value }) === item.expect);
}

/** The answer as it is run in Python: trimmed, without the trailing comma a learner may copy. */
export function answerForEvaluation(answer: string): string {
  return answer.trim().replace(/,\s*$/, '').trim();
}
