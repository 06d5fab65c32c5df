/**
 * Django templates open as plain "HTML" in VS Code (no file association for `django-html`): in a Django
 * project, offer once to open `templates/**` HTML files as Django HTML (coloured `{% %}` tags). The answer is
 * remembered per workspace. Cache Coach checks those files whatever their language id (document-selector.ts).
 */
import * as vscode from 'vscode';

export const TEMPLATES_GLOB = '**/templates/**/*.html';
export const USE_DJANGO_HTML = 'Use Django HTML';
export const NOT_NOW = 'No, keep HTML';
/** workspaceState: 'accepted' | 'declined' | 'dismissed' once asked. */
export const DJANGO_HTML_OFFER_KEY = 'cacheCoach.djangoHtmlOffer';

const SKIPPED = '**/{node_modules,.git,.venv,venv,env,.tox,site-packages}/**';

export type OfferOutcome = 'accepted' | 'declined' | 'dismissed' | 'asked-before' | 'associated-already' | 'not-django';

/** A Django project: a manage.py, or HTML under a templates/ folder that holds template tags. */
async function isDjangoProject(): Promise<boolean> {
  if ((await vscode.workspace.findFiles('**/manage.py', SKIPPED, 1)).length > 0) return true;
  const decoder = new TextDecoder('utf-8');
  for (const uri of await vscode.workspace.findFiles(TEMPLATES_GLOB, SKIPPED, 20)) {
    try {
      if (/\{%\s*\w+|\{\{\s*\w+/.test(decoder.decode((await vscode.workspace.fs.readFile(uri)).slice(0, 64 * 1024)))) return true;
    } catch {
      // unreadable: look at the next one
    }
  }
  return false;
}

export async function offerDjangoHtml(state: vscode.Memento, log: (message: string) => void): Promise<OfferOutcome> {
  if (!vscode.workspace.workspaceFolders?.length) return 'not-django';
  if (state.get(DJANGO_HTML_OFFER_KEY)) return 'asked-before';
  const files = vscode.workspace.getConfiguration('files');
  if (Object.values(files.get<Record<string, string>>('associations') ?? {}).includes('django-html')) return 'associated-already';
  if (!(await isDjangoProject())) return 'not-django';
  const choice = await vscode.window.showInformationMessage(
    'Cache Coach: this is a Django project. Open the HTML files under templates/ as Django HTML, with template tags coloured? (Cache Coach checks them either way.)',
    USE_DJANGO_HTML,
    NOT_NOW,
  );
  const outcome: OfferOutcome = choice === USE_DJANGO_HTML ? 'accepted' : choice === NOT_NOW ? 'declined' : 'dismissed';
  await state.update(DJANGO_HTML_OFFER_KEY, outcome);
  if (outcome === 'accepted') {
    const current = files.inspect<Record<string, string>>('associations')?.workspaceValue ?? {};
    await files.update('associations', { ...current, [TEMPLATES_GLOB]: 'django-html' }, vscode.ConfigurationTarget.Workspace);
    log(`files.associations: ${TEMPLATES_GLOB} -> django-html (workspace settings)`);
  }
  return outcome;
}
