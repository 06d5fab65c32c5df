/** Hover on the cache API, on settings and backends, and on rule codes in noqa comments. */
import type { Hover, Position, Range } from 'vscode-languageserver';
import type { Finding } from '../analysis/types.js';
import { backendDoc, cacheMethodDoc, cacheTagDoc, cacheTagUsingDoc, qualifiedNameDoc, renderHover, settingsKeyDoc } from '../docs/cache-api.js';
import type { TemplateModule } from '../analysis/template/project.js';
import { describeCall } from '../analysis/typescript/calls.js';
import { LIBRARY_LABEL, type LibraryId } from '../analysis/typescript/libraries.js';
import type { TsModule, TypeScriptProject } from '../analysis/typescript/project.js';
import type { PyModule } from '../analysis/python/project.js';
import { ruleByCode } from '../rules/index.js';
import type { Rule } from '../rules/rule.js';

export interface HoverLinks {
  lesson(section: string): string;
  ruleDocs(code: string): string;
}

export function pythonHover(module: PyModule, offset: number, links: HoverLinks): Hover | null {
  const markdown = hoverMarkdown(module, offset, links);
  return markdown ? { contents: { kind: 'markdown', value: markdown } } : null;
}

function hoverMarkdown(module: PyModule, offset: number, links: HoverLinks): string | null {
  const position = module.lines.positionAt(offset);
  const lineText = module.lines.lineText(position.line);
  const column = position.character;

  const code = noqaCodeAt(lineText, column);
  if (code) {
    const rule = ruleByCode(code);
    return rule ? ruleHover(rule, links) : null;
  }
  const call = module.facts.cacheCalls.find((candidate) => candidate.methodSpan.start <= offset && offset <= candidate.methodSpan.end);
  if (call) {
    const doc = cacheMethodDoc(call.method);
    if (doc) return renderHover(doc, links.lesson);
  }
  const literal = stringLiteralAt(lineText, column);
  if (literal !== null) {
    const doc = backendDoc(literal) ?? qualifiedNameDoc(literal) ?? (isSettingsKeyContext(module) ? settingsKeyDoc(literal) : undefined);
    return doc ? renderHover(doc, links.lesson) : null;
  }
  const word = wordAt(lineText, column);
  if (!word) return null;
  const qualified = module.facts.bindings[word];
  const doc = (qualified ? qualifiedNameDoc(qualified) : undefined) ?? (word === 'CACHES' ? settingsKeyDoc('CACHES') : undefined);
  return doc ? renderHover(doc, links.lesson) : null;
}

function isSettingsKeyContext(module: PyModule): boolean {
  return module.facts.assignments.some((assignment) => assignment.name === 'CACHES');
}

export function ruleHover(rule: Rule, links: HoverLinks): string {
  return [
    `**${rule.code} ${rule.name}** (${rule.severity})`,
    '',
    rule.docs.summary,
    '',
    rule.docs.why,
    '',
    `[Rule docs](${links.ruleDocs(rule.code)}) · [Lesson](${links.lesson(rule.lessonSection)})`,
  ].join('\n');
}

/**
 * What the hover adds over a finding (VS Code shows it under the diagnostic): a link to the rule's page in
 * the lesson, beside the diagnostic's own code link. Null when no finding covers the position.
 */
export function findingsHover(findings: readonly Finding[], position: Position, links: HoverLinks): string | null {
  const codes = [...new Set(findings.filter((finding) => contains(finding.range, position)).map((finding) => finding.code))];
  if (codes.length === 0) return null;
  return codes
    .map((code) => `${code}: [Lesson: ${code} ${ruleByCode(code)?.name ?? ''}](${links.lesson(code.toLowerCase())}) · [Rule docs](${links.ruleDocs(code)})`)
    .join('\n\n');
}

function contains(range: Range, position: Position): boolean {
  const after = (a: Position, b: Position): boolean => a.line > b.line || (a.line === b.line && a.character >= b.character);
  return after(position, range.start) && after(range.end, position);
}

/** The CACHE code under the cursor inside a `noqa` comment. */
export function noqaCodeAt(lineText: string, column: number): string | null {
  const noqa = /noqa\s*:/i.exec(lineText);
  if (!noqa || column < noqa.index) return null;
  for (const match of lineText.slice(noqa.index).matchAll(/CACHE\d{3}/gi)) {
    const start = noqa.index + match.index;
    if (column >= start && column <= start + match[0].length) return match[0].toUpperCase();
  }
  return null;
}

function stringLiteralAt(lineText: string, column: number): string | null {
  for (const match of lineText.matchAll(/(["'])((?:\\.|(?!\1).)*)\1/g)) {
    if (column > match.index && column < match.index + match[0].length) return match[2];
  }
  return null;
}

function wordAt(lineText: string, column: number): string | null {
  for (const match of lineText.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
    if (column >= match.index && column <= match.index + match[0].length) return match[0];
  }
  return null;
}

/** Hover on `{% cache %}` and each of its arguments, and on rule codes in `{# noqa #}` comments. */
export function templateHover(template: TemplateModule, offset: number, links: HoverLinks): Hover | null {
  const position = template.lines.positionAt(offset);
  const code = noqaCodeAt(template.lines.lineText(position.line), position.character);
  if (code) {
    const rule = ruleByCode(code);
    return rule ? { contents: { kind: 'markdown', value: ruleHover(rule, links) } } : null;
  }
  const tag = template.outline.tags.find((candidate) => candidate.name === 'cache' && candidate.token.start <= offset && offset < candidate.token.end);
  if (!tag) return null;
  const bitIndex = tag.bits.findIndex((bit) => bit.start <= offset && offset <= bit.end);
  const argument = bitIndex <= 0 ? null : bitIndex - 1;
  const doc = argument !== null && /^using=/.test(tag.bits[bitIndex].text) ? cacheTagUsingDoc() : cacheTagDoc(argument);
  return { contents: { kind: 'markdown', value: renderHover(doc, links.lesson) } };
}

const LIBRARY_UNITS: Readonly<Record<LibraryId, string>> = {
  ioredis: 'seconds with `EX`, milliseconds with `PX`',
  'node-redis': 'seconds with `EX`, milliseconds with `PX`',
  'cache-manager': 'milliseconds since v5 (seconds before)',
  keyv: 'milliseconds',
  'lru-cache': 'milliseconds',
  'node-cache': 'seconds',
};

/** Hover on a method call of a traced cache client: the library, what the call does, and the TTL's unit. */
export function typescriptHover(project: TypeScriptProject, module: TsModule, offset: number, links: HoverLinks): Hover | null {
  const code = noqaCodeAt(module.lines.lineText(module.lines.positionAt(offset).line), module.lines.positionAt(offset).character);
  if (code) {
    const rule = ruleByCode(code);
    return rule ? { contents: { kind: 'markdown', value: ruleHover(rule, links) } } : null;
  }
  const ts = module.ts;
  for (const call of module.calls) {
    if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression)) continue;
    const name = call.expression.name;
    if (offset < name.getStart(module.source) || offset > name.getEnd()) continue;
    const client = project.clientOf(module, call.expression.expression);
    if (!client) return null;
    const operation = describeCall(project, module, call, client);
    const library = LIBRARY_LABEL[client.library];
    const lines = [`**${library}** \`.${name.text}()\` — a cache client from \`${client.library}\``, ''];
    if (operation?.kind === 'store') {
      lines.push(operation.expiry === 'set' ? 'Stores a value **with** an expiry.' : operation.expiry === 'none' ? 'Stores a value with **no expiry**: it stays until deleted or evicted.' : 'Stores a value; its expiry comes from options Cache Coach cannot read.');
    } else if (operation?.kind === 'get') {
      lines.push('Reads a value (a miss returns nothing: compute it, then store it with a TTL).');
    } else if (operation?.kind === 'expire') {
      lines.push('Sets or changes the expiry of a key.');
    }
    for (const ttl of operation && operation.kind !== 'get' ? operation.ttls : []) {
      lines.push('', `TTL \`${module.text.slice(ttl.expr.getStart(module.source), ttl.expr.getEnd())}\` (${ttl.label}) is in **${ttl.unit === 'ms' ? 'milliseconds' : ttl.unit === 's' ? 'seconds' : 'an unknown unit'}**.`);
    }
    lines.push('', `${library} measures TTLs in ${LIBRARY_UNITS[client.library]}.`, '', `[Lesson: Timeouts and expiry](${links.lesson('timeouts')})`);
    return { contents: { kind: 'markdown', value: lines.join('\n') } };
  }
  return null;
}
