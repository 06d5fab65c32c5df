/**
 * The lesson panel, wired into VS Code: commands, serializer, URI handler, progress store, exercise
 * runner, walkthrough context keys. Shared by the desktop entry (desktop.ts: the runner runs Python) and
 * the browser entry (browser.ts: no processes, so hints only); neither this file nor anything it
 * imports uses Node.
 */
import * as vscode from 'vscode';
import { loadLesson, type LessonContent } from './content';
import { LessonController, type Runner } from './controller';
import type { Progress } from './messages';
import { LessonPanels, VIEW_TYPE } from './panel';
import { PROGRESS_KEY, ProgressStore } from './progress';
import { LessonSerializer } from './serializer';
import { LessonUriHandler, lessonUri } from './uri-handler';
import { noteQuizCompleted, noteStep, registerWalkthrough } from './walkthrough';

/** What the extension's API offers about the lesson (its tests use it; it goes through the page's message path). */
export interface LessonApi {
  /** Answers a quiz question exactly as the page does (the message is checked the same way); resolves to the progress after. */
  answer(questionId: string, option: number): Promise<Progress>;
  progress(): Progress;
  /** The `<scheme>://cache-coach.cache-coach/lesson?section=...` link for a section. */
  uri(section?: string): string;
}

/** How an entry makes its exercise runner: given the lesson (loaded once) and the lessons/ folder. */
export type RunnerFactory = (content: () => Promise<LessonContent>, lessons: vscode.Uri, log: (message: string) => void) => Runner & vscode.Disposable;

export function registerLessonWith(context: vscode.ExtensionContext, output: vscode.LogOutputChannel, makeRunner: RunnerFactory): LessonApi {
  const warn = (message: string): void => output.warn(`[lesson] ${message}`);
  const info = (message: string): void => output.info(`[lesson] ${message}`);
  const progress = new ProgressStore(context.globalState, warn);
  context.globalState.setKeysForSync([PROGRESS_KEY]);
  const lessons = vscode.Uri.joinPath(context.extensionUri, 'lessons');
  const decoder = new TextDecoder('utf-8');
  const read = async (relative: string): Promise<string> => decoder.decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(lessons, ...relative.split('/'))));
  let controller: LessonController | undefined;
  const runner = makeRunner(() => controller!.content(), lessons, info);
  controller = new LessonController(() => loadLesson(read), progress, runner, warn);
  const lesson = controller;
  const panels = new LessonPanels(context.extensionUri, lesson);

  const open = async (target: unknown): Promise<void> => {
    let wanted: string | undefined;
    if (typeof target === 'string') wanted = target;
    else if (target !== undefined && target !== null) warn(`Open Lesson got ${typeof target} instead of a section id; opening the lesson.`);
    let view;
    try {
      view = await lesson.viewFor(wanted);
    } catch (error) {
      void vscode.window.showErrorMessage(`Cache Coach could not read its lesson: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (wanted && !view) warn(`There is no lesson section "${wanted}"; opening the lesson where it was.`);
    panels.show(view);
    noteStep('openedLesson');
  };

  noteQuizCompleted(progress.get().quiz.attempts > 0);
  context.subscriptions.push(
    runner,
    panels,
    progress.onDidChange((current) => noteQuizCompleted(current.quiz.attempts > 0)),
    vscode.commands.registerCommand('cacheCoach.openLesson', (section?: unknown) => open(section)),
    vscode.commands.registerCommand('cacheCoach.startQuiz', () => open('quiz')),
    vscode.commands.registerCommand('cacheCoach.resetProgress', async () => {
      await progress.reset();
      void vscode.window.showInformationMessage('Cache Coach: lesson progress reset.');
    }),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, new LessonSerializer(panels)),
    vscode.window.registerUriHandler(new LessonUriHandler(open, warn)),
    registerWalkthrough(context.globalState),
  );

  const noPeer = { post: () => undefined, takePendingView: () => undefined };
  return {
    answer: async (questionId, option) => {
      await lesson.handle({ type: 'answer', questionId, option }, noPeer, 'the extension API');
      return progress.get();
    },
    progress: () => progress.get(),
    uri: (section) => lessonUri(section).toString(true),
  };
}
