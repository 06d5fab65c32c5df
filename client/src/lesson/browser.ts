/**
 * The lesson panel for VS Code in the browser (vscode.dev, github.dev; extension-browser.ts): the same
 * panel, quiz, simulator and progress, but no processes can be started there, so the exercises get
 * their checks from the data (the fill-in) and hints read from the code (the @cached decorator), with
 * the reason. Nothing here or in what it imports uses Node.
 */
import * as vscode from 'vscode';
import type { Runner } from './controller';
import type { ExerciseRun, FillInEvaluation, RunnerStatus } from './messages';
import { registerLessonWith, type LessonApi } from './register';
import { staticHints } from './static-hints';

export type { LessonApi } from './register';
export { noteFindings, noteStep, quickFixMarker, walkthroughSteps } from './walkthrough';
export { lessonCodeLinks } from './code-links';

export const BROWSER_REASON = 'Cache Coach runs exercise code only in VS Code on the desktop, where it can start your Python.';

/** A runner that never runs anything, and says why. */
export class HintsOnlyRunner implements Runner, vscode.Disposable {
  status(): RunnerStatus {
    return { state: 'unavailable', reason: BROWSER_REASON };
  }

  onDidChange(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  async runCode(code: string): Promise<ExerciseRun> {
    return { status: 'unavailable', reason: BROWSER_REASON, hints: staticHints(code) };
  }

  async evaluateFillIn(): Promise<FillInEvaluation> {
    return { status: 'unavailable', reason: BROWSER_REASON };
  }

  dispose(): void {}
}

export function registerLesson(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): LessonApi {
  return registerLessonWith(context, output, () => new HintsOnlyRunner());
}
