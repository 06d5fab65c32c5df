/** The CLI's output formats: text, json, sarif, github. These are contracts other tools parse. */
import { LineIndex } from '../analysis/text.js';
import type { Finding } from '../analysis/types.js';
import { RULES } from '../rules/index.js';
import { ruleUrl } from '../rules/rule.js';

export interface CliFinding {
  code: string;
  name: string;
  severity: string;
  message: string;
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  url: string;
  fixable: boolean;
}

/** 1-based lines, columns in Unicode code points, end exclusive. */
export function toCliFinding(finding: Finding, lines: LineIndex, homepage: string): CliFinding {
  return {
    code: finding.code,
    name: finding.name,
    severity: finding.severity,
    message: finding.message,
    path: finding.path,
    line: finding.range.start.line + 1,
    column: lines.codePointColumn(finding.range.start) + 1,
    endLine: finding.range.end.line + 1,
    endColumn: lines.codePointColumn(finding.range.end) + 1,
    url: ruleUrl(homepage, finding.code),
    fixable: finding.fixes.some((fix) => fix.safety === 'safe'),
  };
}

export function formatText(findings: CliFinding[]): string {
  return findings.map((finding) => `${finding.path}:${finding.line}:${finding.column}: ${finding.code} ${finding.message}\n`).join('');
}

export function formatJson(findings: CliFinding[]): string {
  return `${JSON.stringify(findings, null, 2)}\n`;
}

export function formatGithub(findings: CliFinding[]): string {
  const level = (severity: string): string => (severity === 'error' ? 'error' : severity === 'warning' ? 'warning' : 'notice');
  const escapeData = (text: string): string => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const escapeProperty = (text: string): string => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
  return findings
    .map(
      (finding) =>
        `::${level(finding.severity)} file=${escapeProperty(finding.path)},line=${finding.line},col=${finding.column},endLine=${finding.endLine},endColumn=${finding.endColumn},title=${escapeProperty(`${finding.code} ${finding.name}`)}::${escapeData(`${finding.code} ${finding.message}`)}\n`,
    )
    .join('');
}

export function formatSarif(findings: CliFinding[], version: string, homepage: string): string {
  const level = (severity: string): string => (severity === 'error' ? 'error' : severity === 'warning' ? 'warning' : 'note');
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Cache Coach',
            informationUri: homepage,
            version,
            rules: RULES.map((rule) => ({
              id: rule.code,
              name: rule.name,
              shortDescription: { text: rule.docs.summary },
              fullDescription: { text: rule.docs.why },
              helpUri: ruleUrl(homepage, rule.code),
              help: { text: `${rule.docs.summary}\n\n${rule.docs.why}`, markdown: `${rule.docs.summary}\n\n${rule.docs.why}\n\n**Use instead:**${rule.docs.useInsteadNote ? ` ${rule.docs.useInsteadNote}` : ''}\n\n\`\`\`${rule.checkTypeScript ? 'ts' : rule.checkTemplate ? 'django' : 'python'}\n${rule.docs.useInstead}\n\`\`\`` },
              defaultConfiguration: { level: level(rule.severity) },
            })),
          },
        },
        results: findings.map((finding) => ({
          ruleId: finding.code,
          ruleIndex: RULES.findIndex((rule) => rule.code === finding.code),
          level: level(finding.severity),
          message: { text: finding.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: finding.path.split('/').map(encodeURIComponent).join('/') },
                region: { startLine: finding.line, startColumn: finding.column, endLine: finding.endLine, endColumn: finding.endColumn },
              },
            },
          ],
        })),
        columnKind: 'unicodeCodePoints',
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

export { LineIndex };
