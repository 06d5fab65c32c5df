/**
 * What ticks the steps of the "Get started with Cache Coach" walkthrough (package.json
 * `contributes.walkthroughs`) that VS Code cannot see by itself:
 *  - `cacheCoach.walkthrough.sawFinding`: the server reported a finding in an open file;
 *  - `onCommand:cacheCoach.walkthrough.quickFixApplied`: a Cache Coach quick fix was applied (each of
 *    our quick fixes carries this command, which does nothing else);
 *  - `cacheCoach.walkthrough.quizCompleted`: a quiz attempt was finished (kept in the progress store).
 */
import * as vscode from 'vscode';
import type { Middleware } from 'vscode-languageclient';

export const QUICK_FIX_APPLIED_COMMAND = 'cacheCoach.walkthrough.quickFixApplied';
export const SAW_FINDING_CONTEXT = 'cacheCoach.walkthrough.sawFinding';
export const QUIZ_COMPLETED_CONTEXT = 'cacheCoach.walkthrough.quizCompleted';

let sawFinding = false;

export function noteFindings(count: number): void {
  if (count <= 0 || sawFinding) return;
  sawFinding = true;
  void vscode.commands.executeCommand('setContext', SAW_FINDING_CONTEXT, true);
}

export function noteQuizCompleted(completed: boolean): void {
  void vscode.commands.executeCommand('setContext', QUIZ_COMPLETED_CONTEXT, completed);
}

export function registerWalkthrough(): vscode.Disposable {
  // Only a marker for the walkthrough's completion event: applying the fix is the code action's edit.
  return vscode.commands.registerCommand(QUICK_FIX_APPLIED_COMMAND, () => undefined);
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
