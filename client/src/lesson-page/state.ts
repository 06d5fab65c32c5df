/**
 * The page's own state, saved with `vscode.setState()` and handed back by VS Code after a reload (the
 * serializer restores the panel; the page restores itself). Checked when read back: a state from
 * another version or a changed lesson is dropped piece by piece, not trusted.
 */
import { MAX_CODE_LENGTH, MAX_FILL_IN_LENGTH, QuizAttempt, View } from '../lesson/messages';
import { literal, nullable, obj, str, type Infer } from '../lesson/schema';

export { QuizAttempt };
import { SimulatorState } from './simulator';

export const PageState = obj({
  version: literal(1),
  view: View,
  quiz: nullable(QuizAttempt),
  fillInAnswer: str({ max: MAX_FILL_IN_LENGTH }),
  code: nullable(str({ max: MAX_CODE_LENGTH })),
  simulator: nullable(SimulatorState),
});
export type PageState = Infer<typeof PageState>;
