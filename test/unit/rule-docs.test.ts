import assert from 'node:assert/strict';
import { test } from 'node:test';
import ts from 'typescript';
import { formatSarif } from '../../server/src/cli/formats.js';
import { readmeRulesSection } from '../../server/src/cli/readme-rules.js';
import { ruleDocsText } from '../../server/src/cli/rule-docs.js';
import { RULES } from '../../server/src/rules/index.js';
import { djangoTemplateError } from '../helpers/django-template.js';
import { pythonSyntaxError } from '../helpers/python.js';

/** Why `code` is not code of the rule's language, or null: prose in a code block reads as a broken example. */
function notCode(rule: (typeof RULES)[number], code: string): string | null {
  if (rule.checkTypeScript) {
    const file = ts.createSourceFile('example.ts', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const diagnostics = (file as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics;
    return diagnostics.length > 0 ? ts.flattenDiagnosticMessageText(diagnostics[0].messageText, '\n') : null;
  }
  // Snippets may leave out `{% load cache %}` (CACHE103 is about that); the tag is made a builtin here.
  if (rule.checkTemplate) return djangoTemplateError(code, { builtins: ['django.templatetags.cache'] });
  return pythonSyntaxError(code);
}

test('every rule\'s "Use instead" is code of its language: no prose inside the code block', () => {
  for (const rule of RULES) assert.equal(notCode(rule, rule.docs.useInstead), null, `${rule.code} useInstead:\n${rule.docs.useInstead}`);
});

test('a "Use instead" note is prose before the code block, in the README, `cache-coach rule` and SARIF', () => {
  const noted = RULES.filter((rule) => rule.docs.useInsteadNote);
  assert.ok(noted.some((rule) => rule.code === 'CACHE001'));
  const readme = readmeRulesSection();
  const sarif = JSON.parse(formatSarif([], '0.0.0', 'https://example.invalid')) as { runs: { tool: { driver: { rules: { id: string; help: { markdown: string } }[] } } }[] };
  for (const rule of noted) {
    const note = rule.docs.useInsteadNote!;
    const fence = rule.checkTemplate ? '```django' : rule.checkTypeScript ? '```ts' : '```python';
    assert.ok(readme.includes(`Use instead: ${note}\n\n${fence}\n${rule.docs.useInstead}\n\`\`\``), `${rule.code} README`);
    const text = ruleDocsText(rule);
    assert.ok(text.includes(`Use instead\n  ${note}\n\n    ${rule.docs.useInstead.split('\n')[0]}`), `${rule.code} rule text:\n${text}`);
    const help = sarif.runs[0].tool.driver.rules.find((entry) => entry.id === rule.code)!.help.markdown;
    assert.ok(help.includes(`**Use instead:** ${note}\n\n\`\`\``), `${rule.code} SARIF help`);
  }
});
