/**
 * What ticks the steps of the "Get started with Cache Coach" walkthrough (package.json
 * `contributes.walkthroughs`) that VS Code cannot see by itself. Each step done is recorded in global state
 * as it happens, and its context key is set again at every activation, so what the user did before ever
 * opening the Welcome page (or in an earlier window) shows as done:
 *  - `cacheCoach.walkthrough.openedLesson`: the lesson panel was opened;
 *  - `cacheCoach.walkthrough.sawFinding`: the server reported a finding in an open file;
 *  - `cacheCoach.walkthrough.appliedFix`: a Cache Coach quick fix or Fix All was applied (each of our quick
 *    fixes carries the `cacheCoach.walkthrough.quickFixApplied` command, which records it);
 *  - `cacheCoach.walkthrough.quizCompleted`: a quiz attempt was finished (kept in the progress store).
 */
import * as vscode from 'vscode';
import type { Middleware } from 'vscode-languageclient';

export const QUICK_FIX_APPLIED_COMMAND = 'cacheCoach.walkthrough.quickFixApplied';
export const OPENED_LESSON_CONTEXT = 'cacheCoach.walkthrough.openedLesson';
export const SAW_FINDING_CONTEXT = 'cacheCoach.walkthrough.sawFinding';
export const APPLIED_FIX_CONTEXT = 'cacheCoach.walkthrough.appliedFix';
export const QUIZ_COMPLETED_CONTEXT = 'cacheCoach.walkthrough.quizCompleted';
/** The global-state key of the steps done: `{ openedLesson?: true, sawFinding?: true, appliedFix?: true }`. */
export const WALKTHROUGH_KEY = 'cacheCoach.walkthrough';

export type WalkthroughStep = 'openedLesson' | 'sawFinding' | 'appliedFix';
const CONTEXT_KEYS: Record<WalkthroughStep, string> = { openedLesson: OPENED_LESSON_CONTEXT, sawFinding: SAW_FINDING_CONTEXT, appliedFix: APPLIED_FIX_CONTEXT };

const RESTORE_DELAY_MS = 15_000;

let state: vscode.Memento | undefined;
const done = new Set<WalkthroughStep>();

/** Records a step as done (once), and ticks it. */
export function noteStep(step: WalkthroughStep): void {
  if (done.has(step)) return;
  done.add(step);
  void vscode.commands.executeCommand('setContext', CONTEXT_KEYS[step], true);
  if (state) void state.update(WALKTHROUGH_KEY, Object.fromEntries([...done].map((name) => [name, true])));
}

export function noteFindings(count: number): void {
  if (count > 0) noteStep('sawFinding');
}

export function noteQuizCompleted(completed: boolean): void {
  void vscode.commands.executeCommand('setContext', QUIZ_COMPLETED_CONTEXT, completed);
}

/** The steps recorded so far (the extension's tests read them). */
export function walkthroughSteps(): WalkthroughStep[] {
  return [...done].sort();
}

/** Reads what was done earlier, sets its context keys, and registers the quick-fix marker command. */
export function registerWalkthrough(globalState: vscode.Memento): vscode.Disposable {
  state = globalState;
  const recorded = globalState.get<Partial<Record<WalkthroughStep, boolean>>>(WALKTHROUGH_KEY) ?? {};
  const restored = (Object.keys(CONTEXT_KEYS) as WalkthroughStep[]).filter((step) => recorded[step] === true);
  for (const step of restored) done.add(step);
  // VS Code ticks an `onContext` step only when its key turns true after the walkthrough is registered: a key
  // already true at registration is remembered as seen and never ticks in that window. Activation can come
  // before that (workspaceContains), so the recorded keys are set when an editor VS Code does not expose
  // (the Welcome page) opens, which is after registration, or else a while after activation.
  let restoredKeys = false;
  const restore = (): void => {
    if (restoredKeys) return;
    restoredKeys = true;
    for (const step of restored) void vscode.commands.executeCommand('setContext', CONTEXT_KEYS[step], true);
  };
  const timer = setTimeout(restore, RESTORE_DELAY_MS);
  const tabs = vscode.window.tabGroups.onDidChangeTabs((event) => {
    if (event.opened.some((tab) => tab.input === undefined)) restore();
  });
  return vscode.Disposable.from(
    new vscode.Disposable(() => clearTimeout(timer)),
    tabs,
    vscode.commands.registerCommand(QUICK_FIX_APPLIED_COMMAND, () => noteStep('appliedFix')),
  );
}

/** Language client middleware: marks our quick fixes so that applying one ticks the walkthrough step. */
export const quickFixMarker: Pick<Middleware, 'provideCodeActions'> = {
  async provideCodeActions(document, range, context, token, next) {
    const actions = await next(document, range, context, token);
    for (const action of actions ?? []) {
      if (action instanceof vscode.CodeAction && !action.command && action.kind && vscode.CodeActionKind.QuickFix.contains(action.kind)) {
        action.command = { title: 'Cache Coach walkthrough: quick fix applied', command: QUICK_FIX_APPLIED_COMMAND };
      }
    }
    return actions;
  },
};
