import type * as TS from 'typescript';
import { creationTtls, describeCall, type TtlArgument } from '../analysis/typescript/calls.js';
import { LIBRARY_LABEL, type LibraryId } from '../analysis/typescript/libraries.js';
import { isTestPath, type TypeScriptApi } from '../analysis/typescript/load.js';
import { spanOf, unwrap } from '../analysis/typescript/syntax.js';
import type { FixSpec, Rule } from './rule.js';

/** Names that say seconds (`ttlSeconds`, `TTL_SECONDS`, `CACHE_SECS`) or milliseconds (`ttlMs`, `TTL_MS`, `timeoutMillis`). */
const SECONDS_NAME = /(?:^seconds|Seconds|SECONDS|_seconds|^secs|Secs|SECS|_secs|InSec|_SEC|_sec)$/;
const MILLISECONDS_NAME = /(?:^ms|[a-z0-9]Ms|_MS|_ms|^MS|Millis|MILLIS|millis|Milliseconds|MILLISECONDS|milliseconds)$/;

export const cache203: Rule = {
  code: 'CACHE203',
  name: 'js-ttl-unit',
  severity: 'warning',
  span: 'the TTL',
  fix: 'unsafe',
  lessonSection: 'timeouts',
  docs: {
    summary:
      'A TTL in the wrong unit for its library: seconds where milliseconds are expected (cache-manager v5 and later, Keyv, lru-cache, Redis `PX`), or milliseconds where seconds are expected (node-cache, Redis `EX`, `setex`, `expire`).',
    why:
      "A TTL of `60` meant as a minute lives 60 ms in lru-cache, Keyv or cache-manager 5: the cache never hits and every request goes to the database. The other way round, `'EX', 60 * 1000` keeps a one-minute value for almost 17 hours. Libraries disagree on units, and cache-manager changed from seconds to milliseconds in v5.",
    example: "const products = new LRUCache<string, Product>({ max: 500, ttl: 60 });\nawait redis.set(key, value, 'EX', 5 * 60 * 1000);",
    useInstead: "const products = new LRUCache<string, Product>({ max: 500, ttl: 60 * 1000 });\nawait redis.set(key, value, 'EX', 5 * 60);",
    cannotSee:
      'It judges constant TTLs (literals, arithmetic, constants in this module or imported) and names that state a unit (`ttlSeconds`, `TTL_MS`); a TTL computed at run time or read from configuration is not checked. A literal under 1000 where milliseconds are expected is taken as seconds, so a deliberate sub-second TTL needs a `noqa`. Where seconds are expected it flags a `* 1000` factor, a milliseconds name, or a whole number of seconds of a thousand hours or more that is a multiple of 1000. cache-manager\'s unit comes from the major version in the nearest package.json listing it (`createCache` implies v6); when neither tells, it stays quiet. Test files (`*.test.ts`, `*.spec.js`, `__tests__/`) are not checked: tests use tiny TTLs and throw-away clients on purpose.',
  },
  checkTypeScript({ module, project, report }) {
    if (isTestPath(module.path)) return;
    const ts = module.ts;
    const seen = new Set<TS.Node>();
    const check = (ttl: TtlArgument, library: LibraryId): void => {
      if (!ttl.unit || seen.has(ttl.expr)) return;
      seen.add(ttl.expr);
      const expr = unwrap(ts, ttl.expr);
      const value = project.numberValue(module, ttl.expr);
      const name = ts.isIdentifier(expr) ? expr.text : ts.isPropertyAccessExpression(expr) ? expr.name.text : undefined;
      const text = ttl.expr.getText();
      const takes = `${LIBRARY_LABEL[library]} takes \`${ttl.label}\``;
      if (ttl.unit === 'ms') {
        const small = value !== undefined && value > 0 && value < 1000;
        const secondsName = name !== undefined && SECONDS_NAME.test(name);
        if (!small && !secondsName) return;
        const message = small
          ? `${takes} in milliseconds: ${text} is ${value} ms, not ${value} seconds, so entries expire almost at once.`
          : `${takes} in milliseconds, but \`${name}\` reads as seconds.`;
        report({
          span: spanOf(ttl.expr),
          message,
          fixes: [{ title: 'Convert seconds to milliseconds (* 1000)', safety: 'unsafe', edits: [{ span: spanOf(ttl.expr), newText: `${operand(ts, ttl.expr)} * 1000` }] }],
        });
        return;
      }
      const thousand = project.hasThousandFactor(module, ttl.expr);
      const millisecondsName = name !== undefined && MILLISECONDS_NAME.test(name);
      const large = value !== undefined && value >= 3_600_000 && value % 1000 === 0;
      if (!thousand && !millisecondsName && !large) return;
      const duration = value !== undefined ? ` (${value} seconds is ${humanSeconds(value)})` : '';
      report({ span: spanOf(ttl.expr), message: `${takes} in seconds, but ${text} looks like milliseconds${duration}.`, fixes: secondsFixes(ts, ttl) });
    };
    for (const call of module.calls) {
      const created = project.creationAt(module, call);
      if (created) for (const ttl of creationTtls(project, created)) check(ttl, created.library);
      if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression)) continue;
      const client = project.clientOf(module, call.expression.expression);
      if (!client) continue;
      const operation = describeCall(project, module, call, client);
      if (operation && operation.kind !== 'get') for (const ttl of operation.ttls) check(ttl, client.library);
    }
  },
};

/** The expression as an operand of `*` or `/`: parenthesised unless it is a primary expression. */
function operand(ts: TypeScriptApi, expr: TS.Expression): string {
  const text = expr.getText();
  const primary = ts.isIdentifier(expr) || ts.isNumericLiteral(expr) || ts.isPropertyAccessExpression(expr) || ts.isElementAccessExpression(expr) || ts.isCallExpression(expr) || ts.isParenthesizedExpression(expr);
  return primary ? text : `(${text})`;
}

function secondsFixes(ts: TypeScriptApi, ttl: TtlArgument): FixSpec[] {
  if (ttl.switchUnit) {
    const { label, ...edit } = ttl.switchUnit;
    return [{ title: `Use ${label} (milliseconds) instead`, safety: 'unsafe', edits: [edit] }];
  }
  const expr = unwrap(ts, ttl.expr);
  if (ts.isBinaryExpression(expr) && expr.operatorToken.kind === ts.SyntaxKind.AsteriskToken) {
    const isThousand = (side: TS.Expression): boolean => ts.isNumericLiteral(side) && Number(side.text) === 1000;
    const rest = isThousand(expr.right) ? expr.left : isThousand(expr.left) ? expr.right : undefined;
    if (rest) return [{ title: 'Drop the * 1000 (seconds, not milliseconds)', safety: 'unsafe', edits: [{ span: spanOf(ttl.expr), newText: rest.getText() }] }];
  }
  return [{ title: 'Convert milliseconds to seconds (/ 1000)', safety: 'unsafe', edits: [{ span: spanOf(ttl.expr), newText: `${operand(ts, ttl.expr)} / 1000` }] }];
}

function humanSeconds(seconds: number): string {
  const round = (amount: number): string => String(Math.round(amount * 10) / 10);
  if (seconds >= 86_400) return `${round(seconds / 86_400)} days`;
  if (seconds >= 3_600) return `${round(seconds / 3_600)} hours`;
  if (seconds >= 60) return `${round(seconds / 60)} minutes`;
  return `${seconds} seconds`;
}
