/**
 * Time units of TTL expressions, without a type checker: what a name says (`TTL_MS`, `ttlSeconds`,
 * `ONE_DAY` = 86400), what a conversion does (`* 1000`, `/ 1000`, `/ 60`), and where the unit was
 * decided. And the flow of a TTL from a library call back to where it is written: through constants
 * (in this module or imported), default parameters and the call sites of the project's own wrappers.
 */
import type * as TS from 'typescript';
import { isTestPath, type TypeScriptApi } from './load.js';
import type { TsModule, TypeScriptProject } from './project.js';
import { functionName, isFunctionLike, lookup, unwrap, type FunctionLike } from './syntax.js';

export type TimeUnit = 'ms' | 's' | 'min' | 'h' | 'd';

export const UNIT_WORD: Readonly<Record<TimeUnit, string>> = { ms: 'milliseconds', s: 'seconds', min: 'minutes', h: 'hours', d: 'days' };
const SECONDS_PER: Readonly<Record<TimeUnit, number>> = { ms: 0.001, s: 1, min: 60, h: 3600, d: 86_400 };

/** Names that state their unit as a suffix (`ttlSeconds`, `TTL_MS`, `cacheMinutes`, `EXPIRY_IN_HOURS`). */
const NAME_UNITS: readonly [TimeUnit, RegExp][] = [
  ['ms', /(?:^ms|[a-z0-9]Ms|_MS|_ms|^MS|Millis|MILLIS|millis|Milliseconds|MILLISECONDS|milliseconds|Msecs?|MSECS?|_msecs?|^msecs?)$/],
  ['s', /(?:^seconds|Seconds|SECONDS|_seconds|^secs|Secs|SECS|_secs|InSec|_SEC|_sec)$/],
  ['min', /(?:^minutes|Minutes|MINUTES|_minutes|^mins|Mins|_MINS|_mins)$/],
  ['h', /(?:^hours|Hours|HOURS|_hours)$/],
  ['d', /(?:^days|Days|DAYS|_days)$/],
];

/** A duration by name (`ONE_DAY`, `oneHour`, `FIVE_MINUTES`, `HOUR`): its unit follows from its value. */
const DURATION_NAME = /(?:^|_|[a-z])(?:(\d+)_?|(ONE|TWO|THREE|FOUR|FIVE|SIX|TEN|FIFTEEN|TWENTY|THIRTY|One|Two|Three|Four|Five|Six|Ten|Fifteen|Twenty|Thirty|one|two|three|four|five|six|ten|fifteen|twenty|thirty)_?)?(SECOND|MINUTE|HOUR|DAY|WEEK|Second|Minute|Hour|Day|Week|second|minute|hour|day|week)S?s?$/;
const NUMBER_WORDS: Readonly<Record<string, number>> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, ten: 10, fifteen: 15, twenty: 20, thirty: 30 };
const DURATION_SECONDS: Readonly<Record<string, number>> = { second: 1, minute: 60, hour: 3600, day: 86_400, week: 604_800 };

export interface UnitFact {
  unit?: TimeUnit;
  value?: number;
  /** Where the unit was decided: a named constant at its use, or the conversion that produced it. */
  origin?: { module: TsModule; node: TS.Expression };
  /** Why, for messages: "`TTL_MS` is named in milliseconds", "`ONE_MINUTE / 60` turns seconds into minutes". */
  reason?: string;
  /** Only a bare `* 1000` among literals says milliseconds: weaker than a name. */
  weak?: boolean;
  /** Judged by its size alone (`ttl: 60` for lru-cache): the reason already says what it lasts. */
  magnitude?: boolean;
}

export function unitOfName(name: string): TimeUnit | undefined {
  for (const [unit, pattern] of NAME_UNITS) if (pattern.test(name)) return unit;
  return undefined;
}

/** `ONE_DAY` = 86400 is in seconds, `HOUR` = 3_600_000 in milliseconds; undefined when the value says neither. */
function unitOfDurationName(name: string, value: number | undefined): TimeUnit | undefined {
  if (value === undefined) return undefined;
  const match = DURATION_NAME.exec(name);
  if (!match) return undefined;
  const count = match[1] ? Number(match[1]) : match[2] ? NUMBER_WORDS[match[2].toLowerCase()] : 1;
  const seconds = count * DURATION_SECONDS[match[3].toLowerCase()];
  if (value === seconds) return 's';
  if (value === seconds * 1000) return 'ms';
  return undefined;
}

function nameOf(ts: TypeScriptApi, node: TS.Expression): string | undefined {
  if (ts.isIdentifier(node)) return node.text;
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) return node.argumentExpression.text;
  return undefined;
}

function describeValue(unit: TimeUnit, value: number | undefined): string {
  return value === undefined ? UNIT_WORD[unit] : `${value} (${UNIT_WORD[unit]})`;
}

/** The unit and value of a TTL expression, as far as names, constants and conversions tell. */
export function unitOf(project: TypeScriptProject, module: TsModule, expr: TS.Expression, depth = 0): UnitFact {
  if (depth > 12) return {};
  const ts = module.ts;
  const node = unwrap(ts, expr);
  const next = depth + 1;
  if (ts.isNumericLiteral(node)) return { value: Number(node.text) };
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ts.isIdentifier(node.expression.expression) && node.expression.expression.text === 'Math') {
    const method = node.expression.name.text;
    if (['floor', 'round', 'ceil', 'trunc'].includes(method) && node.arguments.length === 1) {
      const inner = unitOf(project, module, node.arguments[0], next);
      const round = Math[method as 'floor' | 'round' | 'ceil' | 'trunc'];
      return { ...inner, value: inner.value === undefined ? undefined : round(inner.value) };
    }
    return {};
  }
  const name = nameOf(ts, node);
  if (name !== undefined) {
    const constant = project.constantOf(module, node);
    const inner = constant ? unitOf(project, constant.module, constant.expr, next) : {};
    const duration = unitOfDurationName(name, inner.value);
    // `FIVE_MINUTES` = 300 is a duration (its value says the unit); `CACHE_MINUTES` = 15 is a number of minutes.
    const counted = DURATION_NAME.exec(name);
    const named = duration && (counted?.[1] || counted?.[2]) ? undefined : unitOfName(name);
    if (named) return { unit: named, value: inner.value, origin: { module, node }, reason: `\`${name}\` is named in ${UNIT_WORD[named]}` };
    if (duration) return { unit: duration, value: inner.value, origin: { module, node }, reason: `\`${name}\` is ${inner.value}, a duration in ${UNIT_WORD[duration]}` };
    return inner;
  }
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken) {
    const inner = unitOf(project, module, node.operand, next);
    return { ...inner, value: inner.value === undefined ? undefined : -inner.value };
  }
  if (!ts.isBinaryExpression(node)) return {};
  const left = unitOf(project, module, node.left, next);
  const right = unitOf(project, module, node.right, next);
  const operator = node.operatorToken.kind;
  const here = { module, node };
  const text = node.getText();
  if (operator === ts.SyntaxKind.PlusToken || operator === ts.SyntaxKind.MinusToken) {
    const value = left.value !== undefined && right.value !== undefined ? (operator === ts.SyntaxKind.PlusToken ? left.value + right.value : left.value - right.value) : undefined;
    if (left.unit && right.unit && left.unit !== right.unit) return { value };
    const carrier = left.unit ? left : right.unit ? right : undefined;
    return carrier ? { ...carrier, value } : { value };
  }
  if (operator !== ts.SyntaxKind.AsteriskToken && operator !== ts.SyntaxKind.SlashToken) return {};
  const multiply = operator === ts.SyntaxKind.AsteriskToken;
  const value = left.value !== undefined && right.value !== undefined ? (multiply ? left.value * right.value : right.value === 0 ? undefined : left.value / right.value) : undefined;
  if (left.unit && right.unit) return { value };
  if (!multiply && right.unit) return { value };
  const carrier = left.unit ? left : right.unit && multiply ? right : undefined;
  const factor = carrier === left ? right.value : left.value;
  if (!carrier) {
    // Literals only: a `* 1000` reads as a conversion to milliseconds (`60 * 60 * 1000`).
    const thousand = multiply && (left.weak || right.weak || left.value === 1000 || right.value === 1000);
    return thousand ? { unit: 'ms', value, weak: true, origin: left.weak ? left.origin : right.weak ? right.origin : here, reason: `\`${text}\` multiplies by 1000, which reads as milliseconds` } : { value };
  }
  const unit = carrier.unit as TimeUnit;
  if (factor === undefined || factor === 0) return { ...carrier, value };
  // A conversion changes the unit (`minutes * 60` is seconds, `ms / 1000` is seconds, `seconds / 60` is minutes);
  // any other factor counts durations (`ONE_HOUR * 6`) and keeps it.
  const converted = multiply ? SECONDS_PER[unit] / factor : SECONDS_PER[unit] * factor;
  const target = (Object.keys(SECONDS_PER) as TimeUnit[]).find((candidate) => Math.abs(SECONDS_PER[candidate] - converted) < 1e-9);
  const isConversion = target !== undefined && (multiply ? factor === 1000 || unit === 'min' || unit === 'h' || unit === 'd' : factor === 1000 || factor === 60 || factor === 60_000 || factor === 3600 || factor === 24);
  if (!isConversion || target === undefined) return { ...carrier, value };
  const verb = multiply ? 'multiplies' : 'divides';
  return { unit: target, value, origin: here, reason: `\`${text}\` ${verb} ${UNIT_WORD[unit]} by ${factor}, which gives ${describeValue(target, value)}` };
}

/** Where a TTL written in the wrong unit enters, and how it reaches the library call. */
export interface UnitMismatch {
  module: TsModule;
  node: TS.Expression;
  fact: UnitFact;
  expected: 's' | 'ms';
  /** The path from the place the value is written to the library's argument: `wrapRedis()`, `default of \`seconds\``. */
  via: string[];
}

const MAX_HOPS = 4;
const MAX_CALL_SITES = 300;
const MAX_STEPS = 2000;

/**
 * Follows a TTL argument back to where it is written and judges its unit there. A parameter of the
 * function around it is followed to its default value and to every call site of that function in the
 * project (`wrapRedis(key, fn, ONE_DAY)`), through a conversion on the way (`ttl / 1000` expects ms).
 */
export function traceTtl(project: TypeScriptProject, module: TsModule, expr: TS.Expression, expected: 's' | 'ms', via: string[] = [], hops = 0, budget = { steps: MAX_STEPS }): UnitMismatch[] {
  // Wrappers of wrappers fan out (call sites of call sites): a fixed budget per TTL keeps any project bounded.
  if (--budget.steps < 0) return [];
  const ts = module.ts;
  const node = unwrap(ts, expr);
  const parameter = parameterOf(ts, node);
  if (parameter) {
    const named = unitOfName(parameter.name);
    if (named && named !== expected) return [{ module, node, fact: { unit: named, origin: { module, node }, reason: `\`${parameter.name}\` is named in ${UNIT_WORD[named]}` }, expected, via }];
    if (hops >= MAX_HOPS) return [];
    const found: UnitMismatch[] = [];
    const initializer = parameter.declaration.initializer;
    if (initializer) found.push(...traceTtl(project, module, initializer, expected, [`the default of \`${parameter.name}\``, ...via], hops + 1, budget));
    const callee = functionName(ts, parameter.fn);
    if (callee) {
      for (const site of callSitesOf(project, module, parameter.fn)) {
        const argument = site.call.arguments[parameter.index];
        if (!argument || ts.isSpreadElement(argument)) continue;
        found.push(...traceTtl(project, site.module, argument, expected, [`${callee}()`, ...via], hops + 1, budget));
      }
    }
    return found;
  }
  // `ttl / 1000` where seconds are expected: `ttl` is expected in milliseconds (and the other way round).
  if (ts.isBinaryExpression(node) || (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isPropertyAccessExpression(node.expression) && node.expression.getText().startsWith('Math.'))) {
    const conversion = ts.isCallExpression(node) ? unwrap(ts, node.arguments[0]) : node;
    if (ts.isBinaryExpression(conversion)) {
      const multiply = conversion.operatorToken.kind === ts.SyntaxKind.AsteriskToken;
      const divide = conversion.operatorToken.kind === ts.SyntaxKind.SlashToken;
      const thousand = (side: TS.Expression): boolean => project.numberValue(module, side) === 1000;
      const operand = unwrap(ts, conversion.left);
      if ((multiply || divide) && thousand(conversion.right) && parameterOf(ts, operand)) {
        const inner: 's' | 'ms' | undefined = multiply && expected === 'ms' ? 's' : divide && expected === 's' ? 'ms' : undefined;
        return inner ? traceTtl(project, module, operand, inner, via, hops, budget) : [];
      }
    }
  }
  const fact = unitOf(project, module, node);
  if (fact.unit) {
    if (fact.unit === expected || (fact.weak && expected === 'ms')) return [];
    return [{ module, node, fact, expected, via }];
  }
  // No unit said: only the magnitude is left. Under 1000 where milliseconds are expected reads as seconds;
  // a whole number of seconds of a thousand hours or more that is a multiple of 1000 reads as milliseconds.
  const value = fact.value;
  if (value === undefined) return [];
  // Only round numbers of seconds (30, 60, 300, 600...): 1, 100 or 250 ms are deliberate short TTLs (placeholders, lock windows).
  if (expected === 'ms' && value >= 30 && value < 1000 && value % 30 === 0) return [{ module, node, fact: { value, unit: 's', magnitude: true, reason: `\`${node.getText()}\` is ${value}: ${value} ms, a round number of seconds, so entries expire almost at once` }, expected, via }];
  if (expected === 's' && value >= 3_600_000 && value % 1000 === 0) return [{ module, node, fact: { value, unit: 'ms', reason: `\`${node.getText()}\` is ${value}, which looks like milliseconds` }, expected, via }];
  return [];
}

interface ParameterRef {
  name: string;
  declaration: TS.ParameterDeclaration;
  fn: FunctionLike;
  index: number;
}

function parameterOf(ts: TypeScriptApi, node: TS.Expression): ParameterRef | undefined {
  if (!ts.isIdentifier(node)) return undefined;
  const declaration = lookup(ts, node.text, node);
  if (declaration?.kind !== 'parameter' || declaration.path.length > 0 || declaration.node.dotDotDotToken) return undefined;
  return { name: node.text, declaration: declaration.node, fn: declaration.fn, index: declaration.fn.parameters.indexOf(declaration.node) };
}

export interface CallSite {
  module: TsModule;
  call: TS.CallExpression;
}

/** The calls of a project function from non-test modules that can reach it (by name, then resolved). */
export function callSitesOf(project: TypeScriptProject, module: TsModule, fn: FunctionLike): CallSite[] {
  const ts = module.ts;
  const name = functionName(ts, fn);
  if (!name) return [];
  return project.memo(`calls:${module.path}:${fn.pos}`, () => {
    const sites: CallSite[] = [];
    const word = new RegExp(`\\b${name.replace(/\$/g, '\\$')}\\b`);
    for (const candidate of project.candidateModules()) {
      if (isTestPath(candidate.path) || !word.test(candidate.text)) continue;
      for (const call of candidate.calls) {
        if (sites.length >= MAX_CALL_SITES) return sites;
        if (!ts.isCallExpression(call)) continue;
        const callee = unwrap(ts, call.expression);
        const calleeName = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
        if (calleeName !== name) continue;
        if (isFunctionLike(ts, call.parent) && call.parent === fn) continue;
        const target = project.valueOf(candidate, callee);
        if (target?.kind === 'function' && target.node === fn) sites.push({ module: candidate, call });
      }
    }
    return sites;
  });
}
