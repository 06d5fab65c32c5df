/**
 * The quiz as the learner sees it: one question at a time, feedback with the explanation and a link to
 * the section as soon as an option is chosen, the running score, then the result, a review of the
 * mistakes and a retake with shuffled options.
 */
import type { QuestionData } from '../lesson/messages';
import type { PageContext } from './context';
import { append, clear, h, trusted } from './dom';
import * as quiz from './quiz';
import type { QuizAttempt } from './state';

export class QuizView {
  readonly element = h('section', { class: 'quiz', attrs: { 'aria-label': 'Quiz' } });
  private readonly questions: ReadonlyMap<string, QuestionData>;
  private attempt: QuizAttempt | null;

  /**
   * `restored` is the page's own saved attempt (a reload of this panel), `kept` the one the extension
   * keeps in the progress (a closed and reopened panel, another window): the further one wins.
   */
  constructor(private readonly ctx: PageContext, restored: QuizAttempt | null, kept: QuizAttempt | null = null) {
    this.questions = new Map(ctx.lesson.quiz.questions.map((question) => [question.id, question]));
    const usable = [restored, kept].filter((attempt): attempt is QuizAttempt => attempt !== null && quiz.fitsQuestions(attempt, this.questions));
    this.attempt = usable.sort((a, b) => quiz.progressOf(b) - quiz.progressOf(a))[0] ?? null;
  }

  /** Saves the attempt in the page and has the extension keep it. */
  private keep(): void {
    this.ctx.save();
    if (this.attempt) this.ctx.post({ type: 'quizAttempt', attempt: this.attempt });
  }

  state(): QuizAttempt | null {
    return this.attempt;
  }

  /** Shows the quiz; starts an attempt when there is none. */
  render(): void {
    if (!this.attempt) this.attempt = quiz.newAttempt(this.ctx.lesson.quiz.questions, 1);
    clear(this.element);
    if (quiz.isFinished(this.attempt)) this.renderResult(this.attempt);
    else this.renderQuestion(this.attempt);
  }

  /** Keyboard: 1-9 choose an option, Enter or → goes on. */
  onKey(event: KeyboardEvent): void {
    const attempt = this.attempt;
    if (!attempt || quiz.isFinished(attempt)) return;
    const target = event.target as HTMLElement | null;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    const id = quiz.currentId(attempt)!;
    if (/^[1-9]$/.test(event.key) && attempt.answers[id] === undefined) {
      const shown = attempt.optionOrder[id]!;
      const option = shown[Number(event.key) - 1];
      if (option !== undefined) {
        event.preventDefault();
        this.choose(option);
      }
    } else if ((event.key === 'Enter' || event.key === 'ArrowRight') && attempt.answers[id] !== undefined && target?.tagName !== 'A') {
      event.preventDefault();
      this.goOn();
    }
  }

  private choose(option: number): void {
    const attempt = this.attempt!;
    const id = quiz.currentId(attempt)!;
    if (!quiz.answer(attempt, option)) return;
    this.ctx.post({ type: 'answer', questionId: id, option });
    this.keep();
    this.render();
    this.element.querySelector<HTMLElement>('.quiz-next')?.focus();
  }

  private goOn(): void {
    const attempt = this.attempt!;
    quiz.next(attempt);
    if (quiz.isFinished(attempt) && !attempt.reported) {
      attempt.reported = true;
      this.ctx.post({ type: 'quizFinished', answers: attempt.order.flatMap((questionId) => (attempt.answers[questionId] === undefined ? [] : [{ questionId, option: attempt.answers[questionId]! }])) });
    }
    this.keep();
    this.render();
    (this.element.querySelector<HTMLElement>('.option:not([disabled])') ?? this.element.querySelector<HTMLElement>('h1'))?.focus();
  }

  private retake(): void {
    const number = (this.attempt?.number ?? 0) + 1;
    this.attempt = quiz.newAttempt(this.ctx.lesson.quiz.questions, number);
    this.keep();
    this.render();
    this.element.querySelector<HTMLElement>('.option')?.focus();
  }

  private header(attempt: QuizAttempt, position: string): HTMLElement {
    const { correct, answered } = quiz.score(attempt, this.questions);
    return h('header', { class: 'quiz-header' },
      h('h1', { attrs: { tabindex: -1 } }, this.ctx.lesson.quiz.title, attempt.number > 1 ? h('span', { class: 'attempt' }, ` · attempt ${attempt.number}`) : null),
      h('div', { class: 'quiz-status' },
        h('span', { class: 'quiz-position' }, position),
        this.meter(answered, attempt.order.length),
        h('span', { class: 'quiz-score', attrs: { 'aria-live': 'polite' } }, answered === 0 ? 'No answers yet' : `${correct} right of ${answered} answered`)));
  }

  /** How many questions are answered: an outlined track that is visibly empty at 0, filled in proportion. */
  private meter(answered: number, total: number): HTMLElement {
    const fill = h('span', { class: 'meter-fill' });
    fill.style.width = `${(100 * Math.min(answered, total)) / Math.max(1, total)}%`; // CSSOM: allowed by the CSP
    return h('span', { class: 'meter', attrs: { role: 'progressbar', 'aria-label': 'Questions answered', 'aria-valuemin': 0, 'aria-valuemax': total, 'aria-valuenow': answered, 'aria-valuetext': `${answered} of ${total} answered` } }, fill);
  }

  private renderQuestion(attempt: QuizAttempt): void {
    const id = quiz.currentId(attempt)!;
    const question = this.questions.get(id)!;
    const chosen = attempt.answers[id];
    const answered = chosen !== undefined;
    const options = attempt.optionOrder[id]!.map((original, position) => {
      const classes = ['option'];
      if (answered && original === question.answer) classes.push('correct');
      if (answered && original === chosen && chosen !== question.answer) classes.push('incorrect');
      if (original === chosen) classes.push('chosen');
      return h('li', null, h('button', {
        class: classes.join(' '),
        data: { option: String(original) },
        attrs: { type: 'button', disabled: answered, 'aria-pressed': original === chosen ? 'true' : 'false' },
        on: { click: () => this.choose(original) },
      }, h('span', { class: 'option-key', attrs: { 'aria-hidden': 'true' } }, String(position + 1)), trusted(question.optionsHtml[original]!, 'span', 'option-text')));
    });
    const last = attempt.index === attempt.order.length - 1;
    append(this.element, [
      this.header(attempt, `Question ${attempt.index + 1} of ${attempt.order.length}`),
      h('div', { class: 'question', data: { question: id } }, trusted(question.questionHtml, 'div', 'question-text')),
      h('ol', { class: 'options', attrs: { 'aria-label': 'Options' } }, options),
      answered ? this.feedback(question, chosen) : h('p', { class: 'hint-line' }, 'Choose an answer (or press its number).'),
      answered ? h('button', { class: 'primary quiz-next', attrs: { type: 'button' }, on: { click: () => this.goOn() } }, last ? 'See your score' : 'Next question') : null,
    ]);
  }

  private feedback(question: QuestionData, chosen: number): HTMLElement {
    const right = chosen === question.answer;
    return h('div', { class: `feedback ${right ? 'right' : 'wrong'}`, attrs: { role: 'status' } },
      h('p', { class: 'verdict' }, right ? '✓ Correct.' : '✗ Not quite. The answer is: ', right ? null : trusted(question.optionsHtml[question.answer]!, 'span')),
      trusted(question.explanationHtml, 'div', 'explanation'),
      this.readMore(question));
  }

  private readMore(question: QuestionData): HTMLElement {
    const related = question.related.filter((id) => this.ctx.lesson.sections.some((section) => section.id === id));
    return h('p', { class: 'read-more' }, 'Read more: ', this.ctx.sectionLink(question.section),
      related.length ? [' · related: ', related.flatMap((id, index) => [index ? ', ' : '', this.ctx.sectionLink(id)])] : null);
  }

  private renderResult(attempt: QuizAttempt): void {
    const { correct, total } = quiz.score(attempt, this.questions);
    const best = this.ctx.progress().quiz.best;
    const wrong = quiz.mistakes(attempt, this.questions);
    append(this.element, [
      this.header(attempt, 'Finished'),
      h('div', { class: 'result', attrs: { role: 'status' } },
        h('p', { class: 'result-score' }, `You answered ${correct} of ${total} correctly (${Math.round((100 * correct) / Math.max(1, total))}%).`),
        best ? h('p', { class: 'best-score' }, `Your best score: ${best.correct} of ${best.total}.`) : null),
      h('h2', null, wrong.length ? `Review your mistakes (${wrong.length})` : 'No mistakes to review: well done.'),
      wrong.length
        ? h('ol', { class: 'mistakes' }, wrong.map(({ question, chosen }) => h('li', { class: 'mistake', data: { question: question.id } },
          trusted(question.questionHtml, 'div', 'question-text'),
          h('p', { class: 'your-answer' }, 'Your answer: ', trusted(question.optionsHtml[chosen]!, 'span')),
          h('p', { class: 'right-answer' }, 'Correct answer: ', trusted(question.optionsHtml[question.answer]!, 'span')),
          trusted(question.explanationHtml, 'div', 'explanation'),
          this.readMore(question))))
        : null,
      h('button', { class: 'primary quiz-retake', attrs: { type: 'button' }, on: { click: () => this.retake() } }, 'Retake the quiz (options shuffled)'),
    ]);
  }

  /** Progress changed (e.g. the best score arrived): redraw the result if it is showing. */
  onProgress(): void {
    if (this.attempt && quiz.isFinished(this.attempt) && this.element.isConnected) this.render();
  }
}
