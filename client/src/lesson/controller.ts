/**
 * What the extension does with the page's messages: checks each one (shape, then meaning: a known
 * question, an option it has, the exercise that exists), ignores and logs anything else, records
 * progress, and runs exercises through the runner. No `vscode` here: the panel and the extension's
 * API feed it messages; tests can too.
 */
import type { LessonContent } from './content';
import { checkFillIn } from './fill-in';
import { parsePageMessage, type ExerciseRun, type FillInEvaluation, type HostMessage, type PageMessage, type QuizAttempt, type RunnerStatus, type View } from './messages';
import type { ProgressStore } from './progress';

/** Runs the learner's code where that is allowed, and says why not elsewhere. */
export interface Runner {
  status(): RunnerStatus;
  onDidChange(listener: (status: RunnerStatus) => void): { dispose(): void };
  runCode(code: string): Promise<ExerciseRun>;
  evaluateFillIn(answer: string): Promise<FillInEvaluation>;
}

/** The other end of one conversation: a panel's page (or a test). */
export interface Peer {
  post(message: HostMessage): void;
  /** The view a command asked for before the page was ready, if any (taken once). */
  takePendingView(): View | undefined;
}

export class LessonController {
  private contentPromise: Promise<LessonContent> | undefined;
  private running = false;

  constructor(
    private readonly loadContent: () => Promise<LessonContent>,
    readonly progress: ProgressStore,
    readonly runner: Runner,
    private readonly log: (message: string) => void,
  ) {}

  content(): Promise<LessonContent> {
    this.contentPromise ??= this.loadContent().catch((error: unknown) => {
      this.contentPromise = undefined; // try again next time
      throw error;
    });
    return this.contentPromise;
  }

  /** A section id, a rule code (`CACHE001`) or `quiz`/`simulator` -> the view to show; undefined when unknown. */
  async viewFor(target: string | undefined): Promise<View | undefined> {
    if (target === undefined || target === '') return undefined;
    if (target === 'quiz' || target === 'simulator') return { type: target };
    const content = await this.content();
    const id = /^CACHE\d{3}$/i.test(target) ? `rule-${target.toLowerCase()}` : target;
    return content.sectionIds.has(id) ? { type: 'section', id } : undefined;
  }

  /** Handles one message from a page. Malformed, unknown or meaningless messages are logged and dropped. */
  async handle(raw: unknown, peer: Peer, from = 'the lesson page'): Promise<void> {
    const parsed = parsePageMessage(raw);
    if (!parsed.ok) {
      this.log(`Ignored a message from ${from}: ${parsed.error} (${preview(raw)})`);
      return;
    }
    try {
      await this.dispatch(parsed.value, peer, from);
    } catch (error) {
      this.log(`Handling ${parsed.value.type} from ${from} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    }
  }

  private ignore(from: string, message: PageMessage, why: string): void {
    this.log(`Ignored ${message.type} from ${from}: ${why}`);
  }

  private async dispatch(message: PageMessage, peer: Peer, from: string): Promise<void> {
    switch (message.type) {
      case 'ready': {
        const content = await this.content();
        const view = peer.takePendingView();
        peer.post({ type: 'init', lesson: content.data, progress: this.progress.get(), runner: this.runner.status(), ...(view ? { view } : {}) });
        return;
      }
      case 'sectionViewed': {
        const content = await this.content();
        if (!content.sectionIds.has(message.section)) return this.ignore(from, message, `no section ${message.section}`);
        await this.progress.markSectionRead(message.section);
        return;
      }
      case 'answer': {
        const content = await this.content();
        const question = content.questions.get(message.questionId);
        if (!question) return this.ignore(from, message, `no question ${message.questionId}`);
        if (message.option >= question.options) return this.ignore(from, message, `question ${message.questionId} has ${question.options} options, not option ${message.option}`);
        await this.progress.recordAnswer(message.questionId, message.option, message.option === question.answer);
        return;
      }
      case 'quizAttempt': {
        const content = await this.content();
        const problem = attemptProblem(message.attempt, content.questions);
        if (problem) return this.ignore(from, message, problem);
        await this.progress.saveAttempt(message.attempt);
        return;
      }
      case 'quizFinished': {
        const content = await this.content();
        const bad = message.answers.find((a) => !content.questions.has(a.questionId) || a.option >= content.questions.get(a.questionId)!.options);
        if (bad) return this.ignore(from, message, `answer ${bad.option} to ${bad.questionId} does not exist`);
        await this.progress.finishQuiz(message.answers, { questions: content.questions });
        return;
      }
      case 'runExercise': {
        const content = await this.content();
        if (!content.codeExercise || message.exerciseId !== content.codeExercise.id) return this.ignore(from, message, `no code exercise ${message.exerciseId}`);
        const result = await this.exclusive(() => this.runner.runCode(message.code), (): ExerciseRun => ({ status: 'error', message: 'Another run is still going: wait for its result.', hints: [] }));
        if (result.status === 'checked') await this.progress.recordExercise(message.exerciseId, result.passed);
        peer.post({ type: 'exerciseResult', requestId: message.requestId, result });
        return;
      }
      case 'checkFillIn': {
        const content = await this.content();
        const spec = content.data.fillIn;
        if (!spec || message.exerciseId !== spec.id) return this.ignore(from, message, `no fill-in exercise ${message.exerciseId}`);
        let result: FillInEvaluation;
        if (checkFillIn(spec, message.answer).accepted) result = { status: 'matched' };
        else result = await this.exclusive(() => this.runner.evaluateFillIn(message.answer), (): FillInEvaluation => ({ status: 'error', message: 'Another run is still going: wait for its result.' }));
        if (result.status === 'matched' || (result.status === 'evaluated' && result.accepted)) await this.progress.recordExercise(message.exerciseId, true);
        else await this.progress.recordExercise(message.exerciseId, false);
        peer.post({ type: 'fillInResult', requestId: message.requestId, result });
        return;
      }
    }
  }

  /** One run at a time: learner code is slow by nature, and two at once would only compete. */
  private async exclusive<T>(run: () => Promise<T>, busy: () => T): Promise<T> {
    if (this.running) return busy();
    this.running = true;
    try {
      return await run();
    } finally {
      this.running = false;
    }
  }
}

/** Why an attempt does not fit the lesson's questions, or undefined when it does. */
export function attemptProblem(attempt: QuizAttempt, questions: LessonContent['questions']): string | undefined {
  if (attempt.index > attempt.order.length) return `question ${attempt.index} of ${attempt.order.length}`;
  if (new Set(attempt.order).size !== attempt.order.length) return 'a question is asked twice';
  for (const id of attempt.order) {
    const question = questions.get(id);
    if (!question) return `no question ${id}`;
    const order = attempt.optionOrder[id];
    if (!order || order.length !== question.options || [...order].sort((a, b) => a - b).some((value, index) => value !== index)) return `the option order of ${id} does not fit its ${question.options} options`;
    const chosen = attempt.answers[id];
    if (chosen !== undefined && chosen >= question.options) return `question ${id} has no option ${chosen}`;
  }
  for (const id of Object.keys(attempt.answers)) if (!attempt.order.includes(id)) return `an answer to ${id}, which the attempt does not ask`;
  return undefined;
}

/** A short, single-line view of a rejected message for the log (never its whole text). */
export function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
