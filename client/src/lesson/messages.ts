/**
 * The messages between the lesson panel's page and the extension, and the data they carry. Both sides
 * check what they receive with these schemas: the extension ignores (and logs) any page message that
 * does not fit; the page ignores host messages that do not fit. Shared by the extension host and the
 * webview bundle, so nothing here may import `vscode` or Node.
 */
import { arr, bool, int, literal, nullable, obj, optional, record, str, tagged, union, type Infer, type Result } from './schema';

/** Section, question and exercise ids: lower-case words joined by dashes (`rule-cache001`, `q-add-existing`). */
export const ID = str({ min: 1, max: 80, pattern: /^[a-z0-9]+(?:-[a-z0-9]+)*$/ });
export const MAX_CODE_LENGTH = 100_000;
export const MAX_FILL_IN_LENGTH = 500;
export const MAX_OPTIONS = 12;
export const MAX_QUESTIONS = 500;
const REQUEST_ID = int(0, Number.MAX_SAFE_INTEGER);
const TEXT = str({ max: 20_000 });
const HTML = str({ max: 500_000 });

// ---------------------------------------------------------------------------------------------------
// What the page shows

export const View = tagged({
  section: { id: ID },
  quiz: {},
  simulator: {},
});
export type View = Infer<typeof View>;

// ---------------------------------------------------------------------------------------------------
// The lesson, rendered (Markdown already turned into escaped HTML by the extension)

export const SectionData = obj({
  id: ID,
  title: TEXT,
  kind: literal('concept', 'mistake'),
  rule: optional(str({ max: 20 })),
  ruleName: optional(str({ max: 100 })),
  concept: optional(ID),
  html: HTML,
});
export type SectionData = Infer<typeof SectionData>;

export const QuestionData = obj({
  id: ID,
  section: ID,
  related: arr(ID, 20),
  questionHtml: TEXT,
  optionsHtml: arr(TEXT, MAX_OPTIONS),
  answer: int(0, MAX_OPTIONS - 1),
  explanationHtml: TEXT,
});
export type QuestionData = Infer<typeof QuestionData>;

export const FillInData = obj({
  id: ID,
  kind: literal('fill-in'),
  title: TEXT,
  section: ID,
  concept: ID,
  promptHtml: TEXT,
  code: TEXT,
  blank: str({ min: 1, max: 40 }),
  steps: arr(str({ max: 60 }), 20),
  accepted: arr(str({ max: MAX_FILL_IN_LENGTH }), 200),
  variable: str({ max: 60, pattern: /^([A-Za-z_][A-Za-z0-9_]*)?$/ }),
  cases: arr(obj({ value: int(-1e9, 1e9), expect: str({ max: 500 }) }), 10),
  feedback: arr(obj({ match: str({ max: 500 }), hintHtml: TEXT }), 100),
  hintsHtml: arr(TEXT, 20),
  fallbackHintHtml: TEXT,
});
export type FillInData = Infer<typeof FillInData>;

export const CodeExerciseData = obj({
  id: ID,
  kind: literal('code'),
  title: TEXT,
  section: ID,
  concept: ID,
  promptHtml: TEXT,
  starter: str({ max: MAX_CODE_LENGTH }),
  checks: arr(obj({ id: ID, description: TEXT, required: bool }), 50),
  hintsHtml: arr(TEXT, 20),
});
export type CodeExerciseData = Infer<typeof CodeExerciseData>;

export const LessonData = obj({
  title: TEXT,
  sections: arr(SectionData, 200),
  quiz: obj({ title: TEXT, questions: arr(QuestionData, MAX_QUESTIONS) }),
  fillIn: nullable(FillInData),
  codeExercise: nullable(CodeExerciseData),
});
export type LessonData = Infer<typeof LessonData>;

// ---------------------------------------------------------------------------------------------------
// A quiz attempt: kept by the page (vscode.setState) and, so that it survives a closed panel or a
// reload, by the extension in the learner's progress

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

// ---------------------------------------------------------------------------------------------------
// Progress, kept in the extension's global state

export const Score = obj({ correct: int(0, MAX_QUESTIONS), total: int(1, MAX_QUESTIONS) });
export type Score = Infer<typeof Score>;

export const Progress = obj({
  version: literal(1),
  sectionsRead: arr(ID, 500),
  /** The last answer given to each question (the original option index, before shuffling). */
  answers: record(ID, obj({ option: int(0, MAX_OPTIONS - 1), correct: bool }), MAX_QUESTIONS),
  /** `current`: the latest attempt, finished or not, so a reopened panel carries on where it was. */
  quiz: obj({ attempts: int(0, 1_000_000), last: nullable(Score), best: nullable(Score), current: optional(QuizAttempt) }),
  exercises: record(ID, obj({ passed: bool }), 50),
});
export type Progress = Infer<typeof Progress>;

export function emptyProgress(): Progress {
  // Plain objects: their keys are ids (ID's pattern rules out `__proto__` and the like) of known questions and exercises.
  return { version: 1, sectionsRead: [], answers: {}, quiz: { attempts: 0, last: null, best: null }, exercises: {} };
}

// ---------------------------------------------------------------------------------------------------
// Running exercises

/** Whether the learner's Python may run, and with what. */
export const RunnerStatus = union(
  obj({ state: literal('checking') }),
  obj({ state: literal('ready'), python: TEXT, django: TEXT }),
  obj({ state: literal('unavailable'), reason: TEXT }),
);
export type RunnerStatus = Infer<typeof RunnerStatus>;

export const CheckResult = obj({
  id: ID,
  description: TEXT,
  required: bool,
  passed: bool,
  message: TEXT,
  hint: nullable(TEXT),
});
export type CheckResult = Infer<typeof CheckResult>;

export const ExerciseRun = union(
  obj({ status: literal('checked'), passed: bool, django: nullable(TEXT), checks: arr(CheckResult, 50), output: TEXT }),
  obj({ status: literal('timeout'), limitSeconds: int(1, 3600), hints: arr(TEXT, 20) }),
  obj({ status: literal('unavailable'), reason: TEXT, hints: arr(TEXT, 20) }),
  obj({ status: literal('error'), message: TEXT, hints: arr(TEXT, 20) }),
);
export type ExerciseRun = Infer<typeof ExerciseRun>;

/**
 * The extension's verdict on a fill-in answer: one of the accepted forms (`matched`), or run in Python
 * (accepted when every case gave its expected value), or why it could not run.
 */
export const FillInEvaluation = union(
  obj({ status: literal('matched') }),
  obj({ status: literal('evaluated'), accepted: bool, values: arr(nullable(TEXT), 10) }),
  obj({ status: literal('timeout'), limitSeconds: int(1, 3600) }),
  obj({ status: literal('unavailable'), reason: TEXT }),
  obj({ status: literal('error'), message: TEXT }),
);
export type FillInEvaluation = Infer<typeof FillInEvaluation>;

// ---------------------------------------------------------------------------------------------------
// Page -> extension

export const PageMessage = tagged({
  /** The page has loaded and wants its data. */
  ready: {},
  /** A section was shown to the learner. */
  sectionViewed: { section: ID },
  /** One quiz answer: the original option index. */
  answer: { questionId: ID, option: int(0, MAX_OPTIONS - 1) },
  /** The quiz attempt as it stands after each answer, step or retake: kept in the progress. */
  quizAttempt: { attempt: QuizAttempt },
  /** A quiz attempt ended: the extension computes the score from these answers itself. */
  quizFinished: { answers: arr(obj({ questionId: ID, option: int(0, MAX_OPTIONS - 1) }), MAX_QUESTIONS) },
  /** Run the hidden checks on the learner's code. */
  runExercise: { requestId: REQUEST_ID, exerciseId: ID, code: str({ max: MAX_CODE_LENGTH }) },
  /** Check a fill-in answer: by its form, else (where Python may run) by running it. */
  checkFillIn: { requestId: REQUEST_ID, exerciseId: ID, answer: str({ min: 1, max: MAX_FILL_IN_LENGTH }) },
});
export type PageMessage = Infer<typeof PageMessage>;

// ---------------------------------------------------------------------------------------------------
// Extension -> page

export const HostMessage = tagged({
  init: { lesson: LessonData, progress: Progress, runner: RunnerStatus, view: optional(View) },
  show: { view: View },
  progress: { progress: Progress },
  runner: { runner: RunnerStatus },
  exerciseResult: { requestId: REQUEST_ID, result: ExerciseRun },
  fillInResult: { requestId: REQUEST_ID, result: FillInEvaluation },
});
export type HostMessage = Infer<typeof HostMessage>;

export function parsePageMessage(value: unknown): Result<PageMessage> {
  return PageMessage.parse(value);
}

export function parseHostMessage(value: unknown): Result<HostMessage> {
  return HostMessage.parse(value);
}
