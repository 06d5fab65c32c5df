/** A rule's documentation as text (for `cache-coach rule CODE`) and as a README table row. */
import type { Rule } from '../rules/rule.js';

export function ruleDocsText(rule: Rule): string {
  const indent = (text: string): string => text.split('\n').map((line) => `    ${line}`).join('\n');
  return [
    `${rule.code} ${rule.name}  (${rule.severity}; fix: ${rule.fix}; underlines ${rule.span})`,
    '',
    rule.docs.summary,
    '',
    'Why it is a problem',
    `  ${rule.docs.why}`,
    '',
    'Example',
    indent(rule.docs.example),
    '',
    'Use instead',
    ...(rule.docs.useInsteadNote ? [`  ${rule.docs.useInsteadNote}`, ''] : []),
    indent(rule.docs.useInstead),
    '',
    'What it cannot see',
    `  ${rule.docs.cannotSee}`,
    '',
  ].join('\n');
}
