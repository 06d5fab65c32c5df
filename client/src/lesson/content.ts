/**
 * Reads the lesson (lessons/, formats in lessons/FORMAT.md) and renders it for the page: Markdown to
 * escaped HTML, the quiz, the two exercises. Reads through a function it is given (VS Code's file
 * system in the extension, node:fs in tests), so it needs neither VS Code nor Node.
 */
import { LessonData, type CodeExerciseData, type FillInData, type QuestionData, type SectionData } from './messages';
import { createMarkdown } from './markdown';
import { NORMALIZE_STEPS } from './fill-in';

interface ManifestSection {
  id: string;
  title: string;
  file: string;
  order: number;
  kind: 'concept' | 'mistake';
  rule?: string;
  ruleName?: string;
  concept?: string;
}

interface Manifest {
  title: string;
  sections: ManifestSection[];
  quiz: string;
  exercises: string[];
}

interface QuizFile {
  title: string;
  questions: { id: string; section: string; related?: string[]; question: string; options: string[]; answer: number; explanation: string }[];
}

interface FillInSpecFile {
  id: string;
  kind: 'fill-in';
  title: string;
  section: string;
  concept: string;
  prompt: string;
  code: string;
  blank: string;
  variables?: Record<string, unknown>;
  normalize: { steps: { id: string }[] };
  accepted: string[];
  evaluate?: { program: string; cases: { value: unknown; expect: string }[] };
  feedback: { match: string; hint: string }[];
  hints: string[];
  fallbackHint: string;
}

interface CodeSpecFile {
  id: string;
  kind: 'code';
  title: string;
  section: string;
  concept: string;
  prompt: string;
  starter: string;
  learnerFile?: string;
  checks: { file: string; list: { id: string; description: string; required: boolean }[] };
  hints: string[];
}

/** What the extension keeps besides the page's data: what it needs to score and to run things. */
export interface LessonContent {
  data: LessonData;
  sectionIds: ReadonlySet<string>;
  questions: ReadonlyMap<string, { answer: number; options: number }>;
  fillIn: { id: string; evaluate: { program: string; cases: { value: unknown; expect: string }[] } | null } | null;
  /** `checksFile` is relative to lessons/ (`exercises/cached_checks.py`). */
  codeExercise: { id: string; checksFile: string; learnerFile: string } | null;
}

/** Reads a file of lessons/ by its relative path (`/`-separated), as UTF-8 text. */
export type ReadLessonFile = (relativePath: string) => Promise<string>;

const folderOf = (path: string): string => (path.includes('/') ? path.slice(0, path.lastIndexOf('/') + 1) : '');

export async function loadLesson(read: ReadLessonFile): Promise<LessonContent> {
  const readFile = (file: string): Promise<string> => read(file);
  const readJson = async <T>(file: string): Promise<T> => JSON.parse(await readFile(file)) as T;
  const manifest = await readJson<Manifest>('lesson.json');
  const ordered = [...manifest.sections].sort((a, b) => a.order - b.order);
  const sectionIds = new Set(ordered.map((section) => section.id));
  const md = createMarkdown({ sections: sectionIds });
  const inline = (text: string): string => md.renderInline(text);

  const sections: SectionData[] = await Promise.all(
    ordered.map(async (section) => {
      const text = await readFile(section.file);
      const data: SectionData = { id: section.id, title: section.title, kind: section.kind, html: md.render(text) };
      if (section.rule) data.rule = section.rule;
      if (section.ruleName) data.ruleName = section.ruleName;
      if (section.concept) data.concept = section.concept;
      return data;
    }),
  );

  const quiz = await readJson<QuizFile>(manifest.quiz);
  const questions: QuestionData[] = quiz.questions.map((question) => ({
    id: question.id,
    section: question.section,
    related: question.related ?? [],
    questionHtml: inline(question.question),
    optionsHtml: question.options.map(inline),
    answer: question.answer,
    explanationHtml: inline(question.explanation),
  }));

  let fillIn: FillInData | null = null;
  let fillInExtra: LessonContent['fillIn'] = null;
  let codeExercise: CodeExerciseData | null = null;
  let codeExtra: LessonContent['codeExercise'] = null;
  for (const file of manifest.exercises) {
    const spec = await readJson<FillInSpecFile | CodeSpecFile>(file);
    const dir = folderOf(file);
    if (spec.kind === 'fill-in' && !fillIn) {
      const steps = spec.normalize.steps.map((step) => step.id);
      const unknown = steps.filter((step) => !(NORMALIZE_STEPS as readonly string[]).includes(step));
      if (unknown.length) throw new Error(`${file}: unknown normalisation steps ${unknown.join(', ')}`);
      fillIn = {
        id: spec.id, kind: 'fill-in', title: spec.title, section: spec.section, concept: spec.concept,
        promptHtml: inline(spec.prompt), code: spec.code, blank: spec.blank, steps, accepted: spec.accepted,
        variable: Object.keys(spec.variables ?? {})[0] ?? '',
        cases: (spec.evaluate?.cases ?? []).filter((item): item is { value: number; expect: string } => typeof item.value === 'number'),
        feedback: spec.feedback.map((entry) => ({ match: entry.match, hintHtml: inline(entry.hint) })),
        hintsHtml: spec.hints.map(inline), fallbackHintHtml: inline(spec.fallbackHint),
      };
      fillInExtra = { id: spec.id, evaluate: spec.evaluate ?? null };
    } else if (spec.kind === 'code' && !codeExercise) {
      codeExercise = {
        id: spec.id, kind: 'code', title: spec.title, section: spec.section, concept: spec.concept,
        promptHtml: inline(spec.prompt), starter: await readFile(dir + spec.starter),
        checks: spec.checks.list.map((check) => ({ id: check.id, description: check.description, required: check.required })),
        hintsHtml: spec.hints.map(inline),
      };
      codeExtra = { id: spec.id, checksFile: dir + spec.checks.file, learnerFile: spec.learnerFile ?? 'exercise.py' };
    }
  }

  const checked = LessonData.parse({ title: manifest.title, sections, quiz: { title: quiz.title, questions }, fillIn, codeExercise });
  if (!checked.ok) throw new Error(`The lesson data does not fit the panel: ${checked.error}`);
  return {
    data: checked.value,
    sectionIds,
    questions: new Map(quiz.questions.map((question) => [question.id, { answer: question.answer, options: question.options.length }])),
    fillIn: fillInExtra,
    codeExercise: codeExtra,
  };
}
