/**
 * Lesson progress kept across restarts: sections read, the last answer to each question, quiz scores,
 * exercises passed. Stored in the extension's global state (any Memento), checked when read back: a
 * value that does not fit (another version, a hand edit) starts afresh rather than breaking the panel.
 */
import { emptyProgress, Progress, type QuizAttempt, type Score } from './messages';

export const PROGRESS_KEY = 'cacheCoach.progress';

/** The part of vscode.Memento this store uses. */
export interface MementoLike {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

export interface QuizKey {
  /** Known questions: their correct option and how many options they have. */
  questions: ReadonlyMap<string, { answer: number; options: number }>;
}

export class ProgressStore {
  private value: Progress;
  private readonly listeners = new Set<(progress: Progress) => void>();

  constructor(private readonly memento: MementoLike, private readonly log: (message: string) => void = () => {}) {
    this.value = this.load();
  }

  private load(): Progress {
    const stored = this.memento.get<unknown>(PROGRESS_KEY);
    if (stored === undefined) return emptyProgress();
    const parsed = Progress.parse(stored);
    if (parsed.ok) return parsed.value;
    this.log(`Lesson progress in global state is not readable (${parsed.error}); starting afresh.`);
    return emptyProgress();
  }

  get(): Progress {
    return structuredClone(this.value);
  }

  onDidChange(listener: (progress: Progress) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private async save(): Promise<void> {
    await this.memento.update(PROGRESS_KEY, this.value);
    const snapshot = this.get();
    for (const listener of this.listeners) listener(snapshot);
  }

  async markSectionRead(section: string): Promise<void> {
    if (this.value.sectionsRead.includes(section)) return;
    this.value.sectionsRead.push(section);
    await this.save();
  }

  /** Records one answer (the caller has checked that the question and option exist). */
  async recordAnswer(questionId: string, option: number, correct: boolean): Promise<void> {
    this.value.answers[questionId] = { option, correct };
    await this.save();
  }

  /** Scores a finished attempt from its answers (unknown questions were filtered out by the caller). */
  async finishQuiz(answers: readonly { questionId: string; option: number }[], key: QuizKey): Promise<Score> {
    const seen = new Map<string, number>();
    for (const { questionId, option } of answers) if (key.questions.has(questionId)) seen.set(questionId, option);
    let correct = 0;
    for (const [questionId, option] of seen) {
      const truth = key.questions.get(questionId)!;
      const right = option === truth.answer;
      if (right) correct++;
      this.value.answers[questionId] = { option, correct: right };
    }
    const score: Score = { correct, total: Math.max(1, key.questions.size) };
    const best = this.value.quiz.best;
    const current = this.value.quiz.current;
    this.value.quiz = {
      attempts: this.value.quiz.attempts + 1,
      last: score,
      best: !best || score.correct / score.total > best.correct / best.total ? score : best,
      ...(current ? { current } : {}),
    };
    await this.save();
    return score;
  }

  /** Keeps the quiz attempt as it stands (the caller has checked it against the questions). */
  async saveAttempt(attempt: QuizAttempt): Promise<void> {
    this.value.quiz.current = structuredClone(attempt);
    await this.save();
  }

  async recordExercise(exerciseId: string, passed: boolean): Promise<void> {
    const before = this.value.exercises[exerciseId];
    // A pass stays a pass: a later failed try does not take it back.
    if (before?.passed && !passed) return;
    this.value.exercises[exerciseId] = { passed };
    await this.save();
  }

  async reset(): Promise<void> {
    this.value = emptyProgress();
    await this.memento.update(PROGRESS_KEY, undefined);
    const snapshot = this.get();
    for (const listener of this.listeners) listener(snapshot);
  }
}
