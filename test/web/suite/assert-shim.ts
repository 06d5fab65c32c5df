/**
 * The few `assert` functions the web suite uses, for the browser (Node's `assert` is not there and the npm
 * `assert` package is not a dependency). Same names and meaning as node:assert.
 */
class AssertionError extends Error {
  override name = 'AssertionError';
}

function fail(message: string | undefined, fallback: string): never {
  throw new AssertionError(message ?? fallback);
}

export function ok(value: unknown, message?: string): asserts value {
  if (!value) fail(message, `expected a truthy value, got ${String(value)}`);
}

export function strictEqual<T>(actual: unknown, expected: T, message?: string): asserts actual is T {
  if (!Object.is(actual, expected)) fail(message, `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

export function match(value: string, pattern: RegExp, message?: string): void {
  if (!pattern.test(value)) fail(message, `${JSON.stringify(value)} does not match ${pattern}`);
}

export default { ok, strictEqual, match };
