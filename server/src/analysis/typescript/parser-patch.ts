/**
 * A mend to TypeScript's parser (typescript 5.9 and 6.0), applied to its source text when it is bundled
 * (esbuild.config.mjs) or loaded from the package (node/typescript.ts).
 *
 * Wherever an expression starts with `async`, the parser first asks whether this is an arrow function without
 * parentheses (`async x => ...`). To answer, it parses the whole expression after `async` and throws it away:
 * `async function () {...}` or `async.each(items, function () {...})` is parsed twice. Nested, that doubles at
 * every level: twenty nested `g(async function () {` take 5 s, and an async.js callback pyramid of the same
 * depth 11 s; a file being typed, with its braces still open, can take minutes, and the CLI or the language
 * server stalls on it. Such an arrow function needs an identifier right after `async`, so the mend answers
 * "no" at once when the next token is punctuation or a reserved word (`function`, `(`, `.`), where the parse
 * it saves could only have said no. Every other answer is unchanged.
 */

/** The lines of `isUnParenthesizedAsyncArrowFunctionWorker` just before the speculative parse. */
const SPECULATIVE_PARSE = `      if (scanner2.hasPrecedingLineBreak() || token() === 39 /* EqualsGreaterThanToken */) {
        return 0 /* False */;
      }
      const expr = parseBinaryExpressionOrHigher(0 /* Lowest */);`;

/** Identifier-like tokens are the identifier (80) and the contextual keywords after the last reserved word (118). */
const NOT_AN_IDENTIFIER = `      if (token() !== 80 /* Identifier */ && token() <= 118 /* LastReservedWord */) {
        return 0 /* False */;
      }
`;

/** `source` (typescript's lib/typescript.js) with the mend; undefined when it does not hold the code mended (another version). */
export function patchTypeScriptParser(source: string): string | undefined {
  const at = source.indexOf(SPECULATIVE_PARSE);
  if (at < 0 || source.indexOf(SPECULATIVE_PARSE, at + 1) >= 0) return undefined;
  const parseAt = at + SPECULATIVE_PARSE.lastIndexOf('      const expr');
  return source.slice(0, parseAt) + NOT_AN_IDENTIFIER + source.slice(parseAt);
}
