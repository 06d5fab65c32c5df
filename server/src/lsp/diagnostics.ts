/** Engine findings as LSP diagnostics; fixes travel in `Diagnostic.data` for the code actions. */
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import type { Finding, Fix } from '../analysis/types.js';

export const DIAGNOSTIC_SOURCE = 'Cache Coach';

export interface DiagnosticData {
  fixes: Fix[];
}

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

export function toDiagnostic(finding: Finding, docsUrl: (code: string) => string): Diagnostic {
  const data: DiagnosticData = { fixes: finding.fixes };
  return {
    range: finding.range,
    severity: SEVERITY[finding.severity],
    code: finding.code,
    codeDescription: { href: docsUrl(finding.code) },
    source: DIAGNOSTIC_SOURCE,
    message: finding.message,
    data,
  };
}

export function fixesOf(diagnostic: Diagnostic): Fix[] {
  const data = diagnostic.data as Partial<DiagnosticData> | undefined;
  return Array.isArray(data?.fixes) ? data.fixes : [];
}
