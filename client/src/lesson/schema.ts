/**
 * A very small runtime schema library for the lesson panel's messages and stored data. Each schema
 * checks an `unknown` value and either returns it typed or names the first problem with a path
 * (`answers[3].option: expected an integer from 0 to 19`). No dependencies, no `eval`: it runs in the
 * extension host and, bundled, in the webview page.
 */

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export interface Schema<T> {
  /** Returns the value, typed, or an error naming where it went wrong. */
  parse(value: unknown, path?: string): Result<T>;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const fail = (path: string, problem: string): Result<never> => ({ ok: false, error: `${path || 'message'}: ${problem}` });

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  return typeof value === 'object' ? 'an object' : String(value);
}

export function str(options: { max: number; min?: number; pattern?: RegExp }): Schema<string> {
  const min = options.min ?? 0;
  return {
    parse(value, path = '') {
      if (typeof value !== 'string') return fail(path, `expected a string, got ${describe(value)}`);
      if (value.length < min || value.length > options.max) return fail(path, `expected ${min}-${options.max} characters, got ${value.length}`);
      if (options.pattern && !options.pattern.test(value)) return fail(path, `${describe(value)} is not of the expected form`);
      return ok(value);
    },
  };
}

export function int(min: number, max: number): Schema<number> {
  return {
    parse(value, path = '') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        return fail(path, `expected an integer from ${min} to ${max}, got ${describe(value)}`);
      }
      return ok(value);
    },
  };
}

export function num(min: number, max: number): Schema<number> {
  return {
    parse(value, path = '') {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
        return fail(path, `expected a number from ${min} to ${max}, got ${describe(value)}`);
      }
      return ok(value);
    },
  };
}

export const bool: Schema<boolean> = {
  parse(value, path = '') {
    return typeof value === 'boolean' ? ok(value) : fail(path, `expected true or false, got ${describe(value)}`);
  },
};

export function literal<const T extends string | number | boolean>(...allowed: T[]): Schema<T> {
  return {
    parse(value, path = '') {
      return (allowed as unknown[]).includes(value) ? ok(value as T) : fail(path, `expected ${allowed.map((a) => JSON.stringify(a)).join(' or ')}, got ${describe(value)}`);
    },
  };
}

export function nullable<T>(schema: Schema<T>): Schema<T | null> {
  return { parse: (value, path = '') => (value === null ? ok(null) : schema.parse(value, path)) };
}

export function arr<T>(item: Schema<T>, max: number): Schema<T[]> {
  return {
    parse(value, path = '') {
      if (!Array.isArray(value)) return fail(path, `expected an array, got ${describe(value)}`);
      if (value.length > max) return fail(path, `expected at most ${max} items, got ${value.length}`);
      const out: T[] = [];
      for (let index = 0; index < value.length; index++) {
        const result = item.parse(value[index], `${path}[${index}]`);
        if (!result.ok) return result;
        out.push(result.value);
      }
      return ok(out);
    },
  };
}

/** A record whose keys have a given form (make that form exclude `__proto__`). */
export function record<T>(key: Schema<string>, item: Schema<T>, max: number): Schema<Record<string, T>> {
  return {
    parse(value, path = '') {
      if (!isPlainObject(value)) return fail(path, `expected an object, got ${describe(value)}`);
      const keys = Object.keys(value);
      if (keys.length > max) return fail(path, `expected at most ${max} entries, got ${keys.length}`);
      const out: Record<string, T> = {};
      for (const name of keys) {
        const checkedKey = key.parse(name, `${path}{key}`);
        if (!checkedKey.ok) return checkedKey;
        if (name === '__proto__') return fail(path, 'a key named __proto__');
        const result = item.parse(value[name], path ? `${path}.${name}` : name);
        if (!result.ok) return result;
        out[name] = result.value;
      }
      return ok(out);
    },
  };
}

type Shape = Record<string, Schema<unknown>>;
type Optional<T> = Schema<T> & { optional: true };
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
export type ObjectOf<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> };

/** A field that may be left out (but is checked when present). */
export function optional<T>(schema: Schema<T>): Optional<T> {
  return { optional: true, parse: (value, path) => schema.parse(value, path) };
}

/** An object with exactly these fields: unknown fields are an error, not silently kept. */
export function obj<S extends Shape>(shape: S): Schema<ObjectOf<S>> {
  return {
    parse(value, path = '') {
      if (!isPlainObject(value)) return fail(path, `expected an object, got ${describe(value)}`);
      for (const name of Object.keys(value)) {
        if (!Object.hasOwn(shape, name)) return fail(path, `unexpected field ${JSON.stringify(name)}`);
      }
      const out: Record<string, unknown> = {};
      for (const [name, schema] of Object.entries(shape)) {
        const field = path ? `${path}.${name}` : name;
        if (!Object.hasOwn(value, name) || value[name] === undefined) {
          if ((schema as Partial<Optional<unknown>>).optional) continue;
          return fail(field, 'missing');
        }
        const result = schema.parse(value[name], field);
        if (!result.ok) return result;
        out[name] = result.value;
      }
      return ok(out as ObjectOf<S>);
    },
  };
}

/** A union told apart by its `type` field. */
export function tagged<M extends Record<string, Shape>>(variants: M): Schema<{ [K in keyof M]: { type: K } & ObjectOf<M[K]> }[keyof M]> {
  const schemas = new Map<string, Schema<unknown>>(Object.entries(variants).map(([type, shape]) => [type, obj({ ...shape, type: literal(type) })]));
  return {
    parse(value, path = '') {
      if (!isPlainObject(value)) return fail(path, `expected an object, got ${describe(value)}`);
      const type = value.type;
      const schema = typeof type === 'string' ? schemas.get(type) : undefined;
      if (!schema) return fail(path ? `${path}.type` : 'type', `unknown message type ${describe(type)}`);
      return schema.parse(value, path) as Result<never>;
    },
  };
}

/** A union of schemas: the first that accepts the value wins. */
export function union<T extends unknown[]>(...schemas: { [K in keyof T]: Schema<T[K]> }): Schema<T[number]> {
  return {
    parse(value, path = '') {
      let first: Result<never> | undefined;
      for (const schema of schemas) {
        const result = schema.parse(value, path);
        if (result.ok) return result;
        first ??= result as Result<never>;
      }
      return first ?? fail(path, 'no schema');
    },
  };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
