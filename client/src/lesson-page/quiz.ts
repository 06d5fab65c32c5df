/**
 * The quiz's model: one attempt at a time, one question at a time. The first attempt shows the options
 * as written; a retake shuffles them. Answers are kept as the original option index, so what the page
 * reports does not depend on the order shown. No DOM.
 */
import type { QuestionData } from '../lesson/messages';
import type { QuizAttempt } from './state';

export type Random = () => number;

function shuffled(count: number, random: Random): number[] {
  const order = Array.from({ length: count }, (_, index) => index);
  for (let index = count - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other]!, order[index]!];
  }
  return order;
}

export function newAttempt(questions: readonly QuestionData[], number: number, random: Random = Math.random): QuizAttempt {
  const optionOrder: QuizAttempt['optionOrder'] = {};
  for (const question of questions) {
    const count = question.optionsHtml.length;
    optionOrder[question.id] = number > 1 ? shuffled(count, random) : Array.from({ length: count }, (_, index) => index);
  }
  return { order: questions.map((question) => question.id), optionOrder, index: 0, answers: {}, number, reported: false };
}

/** Keeps a restored attempt only if it still fits the lesson's questions. */
export function fitsQuestions(attempt: QuizAttempt, questions: ReadonlyMap<string, QuestionData>): boolean {
  if (attempt.index > attempt.order.length) return false;
  return attempt.order.every((id) => {
    const question = questions.get(id);
    const order = attempt.optionOrder[id];
    const answer = attempt.answers[id];
    return question !== undefined && order !== undefined && order.length === question.optionsHtml.length
      && [...order].sort((a, b) => a - b).every((value, index) => value === index)
      && (answer === undefined || answer < question.optionsHtml.length);
  });
}

/** How far an attempt has come, for choosing between two copies of it: later attempts, then more answers. */
export function progressOf(attempt: QuizAttempt): number {
  return attempt.number * 10_000 + Object.keys(attempt.answers).length * 10 + (attempt.index >= attempt.order.length ? 1 : 0);
}

export function isFinished(attempt: QuizAttempt): boolean {
  return attempt.index >= attempt.order.length;
}

export function currentId(attempt: QuizAttempt): string | undefined {
  return attempt.order[attempt.index];
}

/** Records the answer to the current question (once: a second click changes nothing). */
export function answer(attempt: QuizAttempt, option: number): boolean {
  const id = currentId(attempt);
  if (id === undefined || attempt.answers[id] !== undefined) return false;
  attempt.answers[id] = option;
  return true;
}

export function next(attempt: QuizAttempt): void {
  const id = currentId(attempt);
  if (id !== undefined && attempt.answers[id] !== undefined) attempt.index++;
}

export function score(attempt: QuizAttempt, questions: ReadonlyMap<string, QuestionData>): { correct: number; answered: number; total: number } {
  let correct = 0;
  let answered = 0;
  for (const id of attempt.order) {
    const chosen = attempt.answers[id];
    if (chosen === undefined) continue;
    answered++;
    if (questions.get(id)?.answer === chosen) correct++;
  }
  return { correct, answered, total: attempt.order.length };
}

export function mistakes(attempt: QuizAttempt, questions: ReadonlyMap<string, QuestionData>): { question: QuestionData; chosen: number }[] {
  return attempt.order.flatMap((id) => {
    const question = questions.get(id);
    const chosen = attempt.answers[id];
    return question && chosen !== undefined && chosen !== question.answer ? [{ question, chosen }] : [];
  });
}
