/** The README's rule table and rule sections, generated from the rules' own docs. */
import { RULES } from '../rules/index.js';

export const README_RULES_START = '<!-- rules:start (generated from server/src/rules by `npm run readme:rules`; do not edit) -->';
export const README_RULES_END = '<!-- rules:end -->';

const FIX_LABEL = { safe: 'safe', unsafe: 'unsafe (quick fix only)', none: '—' } as const;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function readmeRulesSection(): string {
  const table = [
    '| Code | Name | Severity | Fix | Flags |',
    '| --- | --- | --- | --- | --- |',
    ...RULES.map((rule) => `| [${rule.code}](#${rule.code.toLowerCase()}) | ${rule.name} | ${rule.severity} | ${FIX_LABEL[rule.fix]} | ${cell(rule.docs.summary)} |`),
  ];
  const sections = RULES.map((rule) => {
    // Template rules show Django template code; GitHub highlights it as `django`. TS/JS rules show TypeScript.
    const fence = rule.checkTemplate ? '```django' : rule.checkTypeScript ? '```ts' : '```python';
    return [
      `### ${rule.code}`,
      '',
      `**${rule.name}** · ${rule.severity} · underlines ${rule.span} · fix: ${FIX_LABEL[rule.fix]}`,
      '',
      rule.docs.summary,
      '',
      `**Why:** ${rule.docs.why}`,
      '',
      fence,
      rule.docs.example,
      '```',
      '',
      rule.docs.useInsteadNote ? `Use instead: ${rule.docs.useInsteadNote}` : 'Use instead:',
      '',
      fence,
      rule.docs.useInstead,
      '```',
      '',
      `**What it cannot see:** ${rule.docs.cannotSee}`,
    ].join('\n');
  });
  return [README_RULES_START, '', ...table, '', ...sections.flatMap((section) => [section, '']), README_RULES_END].join('\n');
}

/** README text with its generated section replaced; throws when the markers are missing. */
export function withRulesSection(readme: string): string {
  const start = readme.indexOf(README_RULES_START);
  const end = readme.indexOf(README_RULES_END);
  if (start < 0 || end < start) throw new Error('README.md has no rules:start / rules:end markers');
  return readme.slice(0, start) + readmeRulesSection() + readme.slice(end + README_RULES_END.length);
}
