/** What the page's views share: the lesson, progress, the runner's state, and ways to talk and move. */
import type { LessonData, PageMessage, Progress, RunnerStatus, View } from '../lesson/messages';

export interface PageContext {
  readonly lesson: LessonData;
  progress(): Progress;
  runner(): RunnerStatus;
  post(message: PageMessage): void;
  navigate(view: View): void;
  /** Saves the page's state (vscode.setState) soon. */
  save(): void;
  /** A link that opens a section inside the page. */
  sectionLink(id: string, text?: string): HTMLAnchorElement;
}
