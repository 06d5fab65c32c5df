/**
 * Evaluates the small part of Python that builds a cache key from a few variables, without running
 * Python: string literals (with r/u/f prefixes), f-string fields, `%` formatting, `.format()`,
 * `+`, `str()`, `int()`, `repr()` and `sep.join([...])`, over ints and strings. The fill-in exercise
 * uses it where no Python may run (an untrusted workspace, the browser): an answer is right when it
 * builds the expected key for every case. Anything outside that subset gives `undefined` ("cannot
 * tell"), never a guess.
 */

type Value = { kind: 'str'; value: string } | { kind: 'int'; value: number } | { kind: 'seq'; items: Value[] } | { kind: 'method'; self: string; name: string } | { kind: 'builtin'; name: string };

class Unsupported extends Error {}

const MAX_DEPTH = 40;
const MAX_LENGTH = 10_000;

interface Token {
  type: 'str' | 'num' | 'name' | 'op' | 'end';
  text: string;
  /** For str tokens: the prefix letters, lower-cased, and the literal's body without quotes. */
  prefix?: string;
  body?: string;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < source.length) {
    const rest = source.slice(index);
    const space = /^[ \t]+/.exec(rest);
    if (space) {
      index += space[0].length;
      continue;
    }
    const literal = /^([rRuUfF]{0,2})("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')/.exec(rest);
    if (literal && !/[bB]/.test(literal[1]!)) {
      const quoted = literal[2]!;
      const quote = quoted.startsWith('"""') || quoted.startsWith("'''") ? 3 : 1;
      tokens.push({ type: 'str', text: literal[0], prefix: literal[1]!.toLowerCase(), body: quoted.slice(quote, quoted.length - quote) });
      index += literal[0].length;
      continue;
    }
    const number = /^\d+(?![\w.])/.exec(rest);
    if (number) {
      tokens.push({ type: 'num', text: number[0] });
      index += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (name) {
      tokens.push({ type: 'name', text: name[0] });
      index += name[0].length;
      continue;
    }
    if ('+%()[],.='.includes(rest[0]!)) {
      tokens.push({ type: 'op', text: rest[0]! });
      index += 1;
      continue;
    }
    throw new Unsupported(`unexpected ${JSON.stringify(rest[0])}`);
  }
  tokens.push({ type: 'end', text: '' });
  return tokens;
}

function unescape(body: string, raw: boolean): string {
  if (raw) return body;
  const simple: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', '\n': '' };
  return body.replace(/\\(.)/gs, (whole, char: string) => simple[char] ?? whole);
}

const str = (value: string): Value => {
  if (value.length > MAX_LENGTH) throw new Unsupported('too long');
  return { kind: 'str', value };
};

function toStr(value: Value): string {
  if (value.kind === 'str') return value.value;
  if (value.kind === 'int') return String(value.value);
  throw new Unsupported('str() of a sequence');
}

function toRepr(value: Value): string {
  if (value.kind === 'int') return String(value.value);
  if (value.kind === 'str') {
    const quote = value.value.includes("'") && !value.value.includes('"') ? '"' : "'";
    return quote + value.value.replace(/\\/g, '\\\\').replace(new RegExp(quote, 'g'), `\\${quote}`) + quote;
  }
  throw new Unsupported('repr() of a sequence');
}

function toInt(value: Value): number {
  if (value.kind === 'int') return value.value;
  if (value.kind === 'str' && /^\s*[+-]?\d+\s*$/.test(value.value)) return Number(value.value.trim());
  throw new Unsupported('int() of something else');
}

/** One replacement field's value, after its conversion (!s, !r) and format spec ('', 's', 'd'). */
function formatField(value: Value, conversion: string | undefined, spec: string): string {
  if (conversion === 's') value = str(toStr(value));
  else if (conversion === 'r' || conversion === 'a') value = str(toRepr(value));
  else if (conversion !== undefined) throw new Unsupported('conversion');
  if (spec === '') return toStr(value);
  if (spec === 's' && value.kind === 'str') return value.value;
  if (spec === 'd' && value.kind === 'int') return String(value.value);
  throw new Unsupported('format spec');
}

/** Splits a field `expr!r:spec` into its parts. */
function splitField(field: string): { expr: string; conversion?: string; spec: string } {
  const match = /^([^!:]*)(?:!([a-z]))?(?::(.*))?$/s.exec(field);
  if (!match) throw new Unsupported('field');
  return { expr: match[1]!, ...(match[2] !== undefined ? { conversion: match[2] } : {}), spec: match[3] ?? '' };
}

/** Walks a template's text and fields: `{{` and `}}` are literal braces; a field may not nest braces. */
function expandTemplate(template: string, field: (text: string) => string): string {
  let out = '';
  for (let index = 0; index < template.length; index++) {
    const char = template[index]!;
    if (char === '{' && template[index + 1] === '{') {
      out += '{';
      index++;
    } else if (char === '}' && template[index + 1] === '}') {
      out += '}';
      index++;
    } else if (char === '{') {
      const close = template.indexOf('}', index);
      if (close < 0 || template.slice(index + 1, close).includes('{')) throw new Unsupported('field');
      out += field(template.slice(index + 1, close));
      index = close;
    } else if (char === '}') throw new Unsupported('single }');
    else out += char;
    if (out.length > MAX_LENGTH) throw new Unsupported('too long');
  }
  return out;
}

function percentFormat(template: string, argument: Value): string {
  const args = argument.kind === 'seq' ? argument.items : [argument];
  let used = 0;
  const out = template.replace(/%(.)/gs, (_whole, directive: string) => {
    if (directive === '%') return '%';
    const value = args[used++];
    if (value === undefined) throw new Unsupported('not enough arguments');
    if (directive === 's') return toStr(value);
    if (directive === 'r') return toRepr(value);
    if (directive === 'd' || directive === 'i') {
      if (value.kind !== 'int') throw new Unsupported('%d needs a number');
      return String(value.value);
    }
    throw new Unsupported('directive');
  });
  if (used !== args.length) throw new Unsupported('not all arguments converted');
  return out;
}

class Parser {
  private position = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[], private readonly variables: Readonly<Record<string, number | string>>) {}

  private peek(): Token {
    return this.tokens[this.position]!;
  }

  private take(text?: string): Token {
    const token = this.tokens[this.position]!;
    if (text !== undefined && token.text !== text) throw new Unsupported(`expected ${text}`);
    this.position++;
    return token;
  }

  private isOp(text: string): boolean {
    const token = this.peek();
    return token.type === 'op' && token.text === text;
  }

  whole(): Value {
    const value = this.expression();
    if (this.peek().type !== 'end') throw new Unsupported('trailing text');
    return value;
  }

  private expression(): Value {
    if (++this.depth > MAX_DEPTH) throw new Unsupported('too deep');
    let left = this.term();
    while (this.isOp('+')) {
      this.take();
      const right = this.term();
      if (left.kind === 'str' && right.kind === 'str') left = str(left.value + right.value);
      else if (left.kind === 'int' && right.kind === 'int') left = { kind: 'int', value: left.value + right.value };
      else throw new Unsupported('TypeError');
    }
    this.depth--;
    return left;
  }

  private term(): Value {
    let left = this.postfix();
    while (this.isOp('%')) {
      this.take();
      const right = this.postfix();
      if (left.kind === 'str') left = str(percentFormat(left.value, right));
      else if (left.kind === 'int' && right.kind === 'int' && right.value !== 0) left = { kind: 'int', value: ((left.value % right.value) + right.value) % right.value };
      else throw new Unsupported('TypeError');
    }
    return left;
  }

  private postfix(): Value {
    let value = this.atom();
    for (;;) {
      if (this.isOp('.')) {
        this.take();
        const name = this.take();
        if (name.type !== 'name' || value.kind !== 'str' || !['format', 'join', 'lower', 'upper', 'strip'].includes(name.text)) throw new Unsupported('attribute');
        value = { kind: 'method', self: value.value, name: name.text };
      } else if (this.isOp('(')) {
        value = this.call(value);
      } else return value;
    }
  }

  private call(callee: Value): Value {
    this.take('(');
    const positional: Value[] = [];
    const keywords: Record<string, Value> = Object.create(null) as Record<string, Value>;
    while (!this.isOp(')')) {
      const next = this.tokens[this.position + 1];
      if (this.peek().type === 'name' && next?.type === 'op' && next.text === '=') {
        const name = this.take().text;
        this.take('=');
        keywords[name] = this.expression();
      } else positional.push(this.expression());
      if (!this.isOp(',')) break;
      this.take(',');
    }
    this.take(')');
    const onlyOne = (): Value => {
      if (positional.length !== 1 || Object.keys(keywords).length) throw new Unsupported('arguments');
      return positional[0]!;
    };
    if (callee.kind === 'builtin') {
      if (callee.name === 'str') return str(toStr(onlyOne()));
      if (callee.name === 'repr') return str(toRepr(onlyOne()));
      return { kind: 'int', value: toInt(onlyOne()) };
    }
    if (callee.kind !== 'method') throw new Unsupported('not callable');
    if (callee.name === 'format') {
      let automatic = 0;
      return str(expandTemplate(callee.self, (field) => {
        const { expr, conversion, spec } = splitField(field);
        let value: Value | undefined;
        if (expr === '') value = positional[automatic++];
        else if (/^\d+$/.test(expr)) value = positional[Number(expr)];
        else if (/^[A-Za-z_]\w*$/.test(expr)) value = keywords[expr];
        if (value === undefined) throw new Unsupported('format field');
        return formatField(value, conversion, spec);
      }));
    }
    if (callee.name === 'join') {
      const items = onlyOne();
      if (items.kind !== 'seq' || items.items.some((item) => item.kind !== 'str')) throw new Unsupported('TypeError');
      return str(items.items.map(toStr).join(callee.self));
    }
    if (positional.length || Object.keys(keywords).length) throw new Unsupported('arguments');
    return str(callee.name === 'lower' ? callee.self.toLowerCase() : callee.name === 'upper' ? callee.self.toUpperCase() : callee.self.trim());
  }

  private atom(): Value {
    const token = this.peek();
    if (token.type === 'str') {
      let text = '';
      while (this.peek().type === 'str') text += this.literal(this.take()); // adjacent literals join
      return str(text);
    }
    if (token.type === 'num') {
      this.take();
      return { kind: 'int', value: Number(token.text) };
    }
    if (token.type === 'name') {
      this.take();
      if (Object.hasOwn(this.variables, token.text)) {
        const value = this.variables[token.text]!;
        return typeof value === 'number' ? { kind: 'int', value } : str(value);
      }
      if (['str', 'int', 'repr'].includes(token.text)) return { kind: 'builtin', name: token.text };
      throw new Unsupported(`name ${token.text}`);
    }
    if (this.isOp('(') || this.isOp('[')) {
      const close = this.take().text === '(' ? ')' : ']';
      const items: Value[] = [];
      let comma = false;
      while (!this.isOp(close)) {
        items.push(this.expression());
        if (!this.isOp(',')) break;
        this.take(',');
        comma = true;
      }
      this.take(close);
      if (close === ')' && items.length === 1 && !comma) return items[0]!;
      return { kind: 'seq', items };
    }
    throw new Unsupported('expression expected');
  }

  private literal(token: Token): string {
    const raw = token.prefix!.includes('r');
    if (!token.prefix!.includes('f')) return unescape(token.body!, raw);
    return expandTemplate(unescape(token.body!, raw), (field) => {
      const { expr, conversion, spec } = splitField(field);
      const value = new Parser(tokenize(expr.trim()), this.variables).whole();
      return formatField(value, conversion, spec);
    });
  }
}

/**
 * The text the expression builds with these variables, or undefined when it is not a string or uses
 * something outside the supported subset (or would raise in Python, e.g. `"a" + 1`).
 */
export function evaluateKeyExpression(expression: string, variables: Readonly<Record<string, number | string>>): string | undefined {
  if (expression.length > MAX_LENGTH || /\n/.test(expression.trim())) return undefined;
  try {
    const value = new Parser(tokenize(expression.trim()), variables).whole();
    return value.kind === 'str' ? value.value : undefined;
  } catch (error) {
    if (error instanceof Unsupported || error instanceof RangeError) return undefined;
    throw error;
  }
}
