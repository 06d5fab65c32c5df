/**
 * The lesson panel for VS Code on the desktop: everything in register.ts, with the exercise runner that
 * runs the learner's Python (runner-service.ts). extension.ts calls `registerLesson`.
 */
import type * as vscode from 'vscode';
import { registerLessonWith, type LessonApi } from './register';
import { RunnerService } from './runner-service';

export type { LessonApi } from './register';

export function registerLesson(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): LessonApi {
  return registerLessonWith(context, output, (content, lessons, log) => new RunnerService(content, lessons, log));
}
