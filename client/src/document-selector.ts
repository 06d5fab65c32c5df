/** The documents Cache Coach analyses (DESIGN.md, "The server"). */
import type { DocumentSelector } from 'vscode-languageclient';

const TEMPLATE_LANGUAGES = ['django-html', 'django-txt', 'jinja-html'];
const SCRIPT_LANGUAGES = ['typescript', 'typescriptreact', 'javascript', 'javascriptreact'];

export const DOCUMENT_SELECTOR: DocumentSelector = [
  { scheme: 'file', language: 'python' },
  ...SCRIPT_LANGUAGES.map((language) => ({ scheme: 'file', language })),
  ...TEMPLATE_LANGUAGES.map((language) => ({ scheme: 'file', language })),
  { scheme: 'file', pattern: '**/templates/**/*.{html,txt,jinja,j2}' },
];
