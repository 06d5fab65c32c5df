/**
 * The page's own state, saved with `vscode.setState()` and handed back by VS Code after a reload (the
 * serializer restores the panel; the page restores itself). Checked when read back: a state from
 * another version or a changed lesson is dropped piece by piece, not trusted.
 */
import { ID, MAX_CODE_LENGTH, MAX_FILL_IN_LENGTH, MAX_OPTIONS, MAX_QUESTIONS, View } from '../lesson/messages';
import { arr, bool, int, literal, nullable, obj, record, str, type Infer } from '../lesson/schema';
import { SimulatorState } from './simulator';

export const QuizAttempt = obj({
  /** Question ids in the order asked. */
  order: arr(ID, MAX_QUESTIONS),
  /** For each question, the original option indexes in the order shown. */
  optionOrder: record(ID, arr(int(0, MAX_OPTIONS - 1), MAX_OPTIONS), MAX_QUESTIONS),
  /** The question being shown (order.length once the attempt is over). */
  index: int(0, MAX_QUESTIONS),
  /** Original option index chosen, per question. */
  answers: record(ID, int(0, MAX_OPTIONS - 1), MAX_QUESTIONS),
  number: int(1, 1_000_000),
  /** Whether the extension was told this attempt ended. */
  reported: bool,
});
export type QuizAttempt = Infer<typeof QuizAttempt>;

export const PageState = obj({
  version: literal(1),
  view: View,
  quiz: nullable(QuizAttempt),
  fillInAnswer: str({ max: MAX_FILL_IN_LENGTH }),
  code: nullable(str({ max: MAX_CODE_LENGTH })),
  simulator: nullable(SimulatorState),
});
export type PageState = Infer<typeof PageState>;
