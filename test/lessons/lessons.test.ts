/**
 * The lesson content (lessons/): its structure, links, quiz and exercises, and its runnable examples,
 * executed against real Django by test/lessons/run_examples.py.
 *
 * Debian's Django (/usr/bin/python3, Django 3.2) always runs the examples. Other interpreters named by
 * $PYTHON or found as `python3` on PATH run them too when they import a different Django; examples
 * marked min-django=4.0 run only there. The output says which Djangos ran and what was skipped, and why.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LESSON_SECTIONS, LESSON_SECTION_TITLES } from '../../server/src/docs/lesson-sections.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LESSONS = join(ROOT, 'lessons');
const RUNNER = join(ROOT, 'test', 'lessons', 'run_examples.py');
const FIXTURES = join(ROOT, 'test', 'lessons', 'fixtures');
const DEBIAN_PYTHON = '/usr/bin/python3';
/** The virtualenv test/scripts/newer-django.mjs fills (npm test does), when pip can install Django >= 4.0 here. */
const NEWER_DJANGO_PYTHON = join(__dirname, '..', '..', '.cache', 'django-4plus', 'bin', 'python');

/** Every rule code the design defines (shared/DESIGN.md), whether or not its rule file exists yet. */
const DESIGN_RULE_CODES = [
  'CACHE001', 'CACHE002', 'CACHE003', 'CACHE004', 'CACHE005', 'CACHE006', 'CACHE007', 'CACHE008', 'CACHE009', 'CACHE010', 'CACHE011', 'CACHE012',
  'CACHE101', 'CACHE102', 'CACHE103', 'CACHE104', 'CACHE105', 'CACHE106',
  'CACHE201', 'CACHE202', 'CACHE203',
  'CACHE900',
];

// ---------------------------------------------------------------------------------------------------
// Loading the lesson

interface Section {
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
  sections: Section[];
  quiz: string;
  exercises: string[];
  runnable: { setup: string; assumes: string };
}

interface Question {
  id: string;
  section: string;
  related?: string[];
  question: string;
  options: string[];
  answer: number;
  explanation: string;
}

interface Block {
  language: string;
  attributes: Record<string, string | true>;
  body: string;
  line: number;
  endLine: number;
}

interface Example {
  id: string;
  section: string;
  file: string;
  line: number;
  code: string;
  minDjango: string | null;
  setup: string;
  expected: string | null;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const manifest = readJson<Manifest>(join(LESSONS, 'lesson.json'));
const sections = [...manifest.sections].sort((a, b) => a.order - b.order);
const sectionIds = new Set(sections.map((section) => section.id));
const texts = new Map(sections.map((section) => [section.id, readFileSync(join(LESSONS, section.file), 'utf8').replace(/\r\n/g, '\n')]));
const quiz = readJson<{ title: string; questions: Question[] }>(join(LESSONS, manifest.quiz));

/** Fenced blocks, with the same grammar as run_examples.py: ```lang key=value flag ... */
function fencedBlocks(text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = /^(`{3,})(.*)$/.exec(lines[index]);
    if (!open) continue;
    const [, fence, info] = open;
    const start = index;
    const body: string[] = [];
    index++;
    while (index < lines.length && !(lines[index].startsWith(fence) && lines[index].trim() === fence)) body.push(lines[index++]);
    assert.ok(index < lines.length, `a fence opened on line ${start + 1} is never closed`);
    const [language = '', ...words] = info.trim().split(/\s+/).filter(Boolean);
    const attributes: Record<string, string | true> = {};
    for (const word of words) {
      const equals = word.indexOf('=');
      if (equals > 0) attributes[word.slice(0, equals)] = word.slice(equals + 1);
      else attributes[word] = true;
    }
    blocks.push({ language, attributes, body: body.join('\n'), line: start + 1, endLine: index + 1 });
  }
  return blocks;
}

function runnableExamples(): Example[] {
  const examples: Example[] = [];
  for (const section of sections) {
    const text = texts.get(section.id)!;
    const lines = text.split('\n');
    const blocks = fencedBlocks(text);
    blocks.forEach((block, position) => {
      if (block.language !== 'python' || block.attributes.runnable !== true) return;
      const next = blocks[position + 1];
      const between = next ? lines.slice(block.endLine, next.line - 1) : [];
      const expected = next && next.language === 'output' && between.every((line) => line.trim() === '') ? next.body : null;
      const id = block.attributes.id;
      const minDjango = block.attributes['min-django'];
      const setup = block.attributes.setup;
      examples.push({
        id: typeof id === 'string' ? id : '',
        section: section.id,
        file: section.file,
        line: block.line,
        code: block.body,
        minDjango: typeof minDjango === 'string' ? minDjango : null,
        setup: typeof setup === 'string' ? setup : 'default',
        expected,
      });
    });
  }
  return examples;
}

/** Markdown text with fenced blocks and inline code removed: what is left holds the real links. */
function prose(text: string): string {
  return text.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Internal links: [text](#section-id) and lesson:section-id. */
function internalLinks(text: string): string[] {
  const body = prose(text);
  const links = [...body.matchAll(/\]\(#([^)\s]+)\)/g)].map((match) => match[1]);
  links.push(...[...body.matchAll(/\blesson:([a-z0-9-]+)/g)].map((match) => match[1]));
  return links;
}

const examples = runnableExamples();

// ---------------------------------------------------------------------------------------------------
// Structure

test('the manifest lists unique sections whose files exist and start with their title', () => {
  assert.ok(sections.length > 0);
  assert.equal(sectionIds.size, sections.length, 'section ids are unique');
  assert.equal(new Set(sections.map((section) => section.order)).size, sections.length, 'section orders are unique');
  assert.equal(new Set(sections.map((section) => section.file)).size, sections.length, 'one file per section');
  for (const section of sections) {
    assert.match(section.id, /^[a-z0-9]+(-[a-z0-9]+)*$/, `${section.id}: ids are lower-case words joined by -`);
    assert.ok(['concept', 'mistake'].includes(section.kind), `${section.id}: kind is concept or mistake`);
    assert.ok(existsSync(join(LESSONS, section.file)), `${section.id}: ${section.file} exists`);
    const firstLine = texts.get(section.id)!.split('\n')[0];
    assert.equal(firstLine, `# ${section.title}`, `${section.file} starts with its title`);
  }
  const listed = new Set(sections.map((section) => section.file));
  for (const folder of ['sections', 'mistakes']) {
    for (const file of readdirSync(join(LESSONS, folder))) assert.ok(listed.has(`${folder}/${file}`), `lessons/${folder}/${file} is listed in lesson.json`);
  }
});

test('the sections that hovers and rules link to exist, with the titles the server shows', () => {
  for (const id of LESSON_SECTIONS) {
    const section = sections.find((candidate) => candidate.id === id);
    assert.ok(section, `lesson-sections.ts names "${id}", which the lesson must have`);
    assert.equal(section.kind, 'concept');
    assert.equal(section.title, LESSON_SECTION_TITLES[id], `${id}: the same title as in lesson-sections.ts`);
  }
  // Concept sections come in the order the server lists them.
  const conceptOrder = sections.filter((section) => LESSON_SECTIONS.includes(section.id)).map((section) => section.id);
  assert.deepEqual(conceptOrder, [...LESSON_SECTIONS]);
});

test('every lessonSection used by server/src/rules and server/src/docs exists', () => {
  const used = new Map<string, string>();
  for (const folder of ['rules', 'docs']) {
    const directory = join(ROOT, 'server', 'src', folder);
    for (const file of readdirSync(directory).filter((name) => name.endsWith('.ts'))) {
      const source = readFileSync(join(directory, file), 'utf8');
      for (const match of source.matchAll(/lessonSection:\s*(['"])([^'"]+)\1/g)) used.set(match[2], `server/src/${folder}/${file}`);
      for (const match of source.matchAll(/\blesson:([a-z0-9-]+)/g)) used.set(match[1], `server/src/${folder}/${file}`);
    }
  }
  assert.ok(used.size >= 5, 'the scan found the lessonSection values');
  for (const [id, file] of used) assert.ok(sectionIds.has(id), `${file} links to lesson section "${id}", which does not exist`);
});

test('every rule code has a rule-<code> "common mistake" section that links back to its concept', () => {
  const codes = new Set(DESIGN_RULE_CODES);
  const design = [join(ROOT, '..', 'shared', 'DESIGN.md'), join(ROOT, 'shared', 'DESIGN.md')].find((path) => existsSync(path));
  if (design) for (const match of readFileSync(design, 'utf8').matchAll(/^\| (CACHE\d{3}) \|/gm)) codes.add(match[1]);
  // The rules implemented so far, with the concept section each one's docs link to.
  const ruleSections = new Map<string, string>();
  const rulesDirectory = join(ROOT, 'server', 'src', 'rules');
  for (const file of readdirSync(rulesDirectory).filter((name) => /^cache\d{3}.*\.ts$/.test(name))) {
    const source = readFileSync(join(rulesDirectory, file), 'utf8');
    const code = /code:\s*'(CACHE\d{3})'/.exec(source)?.[1];
    const lessonSection = /lessonSection:\s*'([^']+)'/.exec(source)?.[1];
    if (code && lessonSection) {
      codes.add(code);
      ruleSections.set(code, lessonSection);
    }
  }
  for (const code of codes) {
    const id = `rule-${code.toLowerCase()}`;
    const section = sections.find((candidate) => candidate.id === id);
    assert.ok(section, `${code} has no "${id}" section`);
    assert.equal(section.kind, 'mistake');
    assert.equal(section.rule, code);
    assert.ok(section.title.startsWith(`${code}: `), `${id}: the title starts with the code`);
    assert.ok(section.concept && sectionIds.has(section.concept), `${id}: names an existing concept section`);
    assert.equal(sections.find((candidate) => candidate.id === section.concept)!.kind, 'concept');
    if (ruleSections.has(code)) assert.equal(section.concept, ruleSections.get(code), `${id}: the same concept as the rule's lessonSection`);
    assert.ok(internalLinks(texts.get(id)!).includes(section.concept!), `${id} links back to #${section.concept}`);
    for (const heading of ['## The mistake', '## Why it hurts', '## Do this instead', '## Learn more']) {
      assert.ok(texts.get(id)!.includes(`\n${heading}\n`), `${id} has a "${heading.slice(3)}" part`);
    }
  }
  for (const section of sections.filter((candidate) => candidate.kind === 'mistake')) {
    assert.ok(section.rule && codes.has(section.rule), `${section.id}: a mistake section for a known rule`);
  }
});

test('every internal link (#section-id or lesson:section-id) resolves', () => {
  let count = 0;
  for (const section of sections) {
    for (const link of internalLinks(texts.get(section.id)!)) {
      count++;
      assert.ok(sectionIds.has(link), `${section.file} links to "${link}", which is no section`);
    }
  }
  assert.ok(count > 50, `the scan found the links (${count})`);
  // Every concept section is reachable from some other section.
  for (const section of sections.filter((candidate) => candidate.kind === 'concept' && candidate.id !== 'why-cache')) {
    const linkedFrom = sections.filter((other) => other.id !== section.id && internalLinks(texts.get(other.id)!).includes(section.id));
    assert.ok(linkedFrom.length > 0, `nothing links to ${section.id}`);
  }
});

// ---------------------------------------------------------------------------------------------------
// Quiz

test('the quiz: at least 15 questions, each with exactly one correct answer, an explanation and a valid section', () => {
  const questions = quiz.questions;
  assert.ok(questions.length >= 15, `${questions.length} questions`);
  assert.equal(new Set(questions.map((question) => question.id)).size, questions.length, 'question ids are unique');
  for (const question of questions) {
    const label = question.id;
    assert.ok(question.question.trim().length > 10, `${label}: a question`);
    assert.ok(Array.isArray(question.options) && question.options.length >= 2, `${label}: at least two options`);
    assert.equal(new Set(question.options.map((option) => option.trim().toLowerCase())).size, question.options.length, `${label}: options are distinct, so one index is the only correct one`);
    assert.ok(question.options.every((option) => option.trim().length > 0), `${label}: no empty option`);
    assert.ok(Number.isInteger(question.answer) && question.answer >= 0 && question.answer < question.options.length, `${label}: answer is the index of one option`);
    assert.ok(question.explanation.trim().length > 20, `${label}: an explanation`);
    assert.ok(sectionIds.has(question.section), `${label}: section "${question.section}" exists`);
    for (const related of question.related ?? []) assert.ok(sectionIds.has(related), `${label}: related section "${related}" exists`);
    assert.ok(internalLinks(question.explanation).includes(question.section), `${label}: the explanation links its section (#${question.section})`);
    for (const link of internalLinks(question.explanation)) assert.ok(sectionIds.has(link), `${label}: the explanation links to "${link}", which is no section`);
  }
});

test('the quiz covers every topic of the lesson and the classic traps', () => {
  const tested = new Set(quiz.questions.flatMap((question) => [question.section, ...(question.related ?? [])]));
  for (const topic of ['why-cache', 'low-level-api', 'timeouts', 'cache-aside', 'per-view-cache', 'class-based-views', 'site-cache', 'http-caching', 'template-fragments', 'backends', 'key-design', 'keys-in-context', 'invalidation', 'stampede', 'testing', 'operations']) {
    assert.ok(tested.has(topic), `no question on ${topic}`);
  }
  const traps: Record<string, string> = {
    'rule-cache009': 'decorator order',
    'rule-cache005': 'middleware order',
    'rule-cache006': 'timeout 0',
    'rule-cache102': 'fragment-name collision',
    'rule-cache106': 'CSRF tokens in cached fragments',
  };
  for (const [section, trap] of Object.entries(traps)) assert.ok(tested.has(section), `no question on ${trap} (${section})`);
  // Not every answer is the same letter.
  assert.ok(new Set(quiz.questions.map((question) => question.answer)).size >= 3, 'answers are spread over the options');
});

// ---------------------------------------------------------------------------------------------------
// Exercises

interface FillIn {
  id: string;
  kind: string;
  section: string;
  concept: string;
  code: string;
  blank: string;
  expectedValue: string;
  normalize: { steps: { id: string }[] };
  accepted: string[];
  evaluate: { program: string; cases: { value: number; expect: string }[] };
  feedback: { match: string; hint: string; example: string }[];
  hints: string[];
  fallbackHint: string;
}

/** A reference implementation of the fill-in spec's normalisation steps, for checking the data. */
function normalizeAnswer(answer: string, steps: string[]): string {
  const split = (text: string): { text: string; string: boolean }[] => {
    const parts: { text: string; string: boolean }[] = [];
    const pattern = /([rRbBuUfF]{0,2})("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')/g;
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      const previous = text[match.index - 1];
      if (match[1] && previous && /[A-Za-z0-9_]/.test(previous)) continue; // part of a name, not a prefix
      parts.push({ text: text.slice(last, match.index), string: false }, { text: match[0], string: true });
      last = match.index + match[0].length;
    }
    parts.push({ text: text.slice(last), string: false });
    return parts;
  };
  let result = answer;
  for (const step of steps) {
    if (step === 'trim') result = result.trim();
    else if (step === 'strip-trailing-comma') result = result.replace(/,\s*$/, '');
    else if (step === 'unify-quotes') {
      result = split(result)
        .map((part) => {
          if (!part.string) return part.text;
          const prefix = /^[A-Za-z]*/.exec(part.text)![0];
          const literal = part.text.slice(prefix.length);
          if (literal.startsWith("'") && !literal.slice(1, -1).includes('"')) return `${prefix}"${literal.slice(1, -1).replace(/\\'/g, "'")}"`;
          return part.text;
        })
        .join('');
    } else if (step === 'lowercase-prefixes') {
      result = split(result)
        .map((part) => (part.string ? part.text.replace(/^[A-Za-z]+/, (prefix) => prefix.toLowerCase()) : part.text))
        .join('');
    } else if (step === 'remove-spaces-outside-strings') {
      result = split(result)
        .map((part) => (part.string ? part.text : part.text.replace(/[ \t]+/g, '')))
        .join('');
    } else if (step === 'strip-outer-parentheses') {
      const wrapped = (text: string): boolean => {
        if (!text.startsWith('(') || !text.endsWith(')')) return false;
        let depth = 0;
        const outside = split(text).map((part) => (part.string ? '"' + ' '.repeat(part.text.length - 2) + '"' : part.text)).join('');
        for (let index = 0; index < outside.length; index++) {
          if (outside[index] === '(') depth++;
          if (outside[index] === ')') depth--;
          if (depth === 0 && index < outside.length - 1) return false;
        }
        return true;
      };
      while (wrapped(result)) result = result.slice(1, -1);
    } else assert.fail(`unknown normalisation step ${step}`);
  }
  return result;
}

/** Evaluates answers with real Python, as the spec's evaluate.program says: value per case, or an error. */
function evaluateAnswers(spec: FillIn, answers: string[]): (string | null)[][] {
  const program = [
    'import json, sys',
    'answers, template, cases = json.load(sys.stdin)',
    'results = []',
    'for answer in answers:',
    '    row = []',
    '    for case in cases:',
    '        scope = {}',
    '        try:',
    '            exec(template.replace("{value}", repr(case["value"])).replace("{answer}", answer), scope)',
    '            row.append(scope["result"] if isinstance(scope["result"], str) else repr(scope["result"]))',
    '        except Exception as error:',
    '            row.append(None)',
    '    results.append(row)',
    'print(json.dumps(results))',
  ].join('\n');
  const result = spawnSync(DEBIAN_PYTHON, ['-c', program], { input: JSON.stringify([answers, spec.evaluate.program, spec.evaluate.cases]), encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as (string | null)[][];
}

test('the fill-in exercise: accepted forms are normalised, build profile:42 in real Python, and wrong answers get their hint', () => {
  const spec = readJson<FillIn>(join(LESSONS, 'exercises', 'profile-key.json'));
  assert.equal(spec.kind, 'fill-in');
  assert.ok(sectionIds.has(spec.section) && sectionIds.has(spec.concept));
  assert.equal(spec.code.split(spec.blank).length, 2, 'the code has exactly one blank');
  assert.match(spec.code, /cache\.set\(<blank>, profile, 300\)/);
  const steps = spec.normalize.steps.map((step) => step.id);
  assert.ok(spec.accepted.length >= 8);
  assert.equal(new Set(spec.accepted).size, spec.accepted.length, 'accepted forms are unique');
  for (const form of spec.accepted) assert.equal(normalizeAnswer(form, steps), form, `accepted form ${form} is already normalised`);
  // Every kind of answer the issue names is accepted: f-string, %-format, .format, concatenation.
  const learnerAnswers: Record<string, string> = {
    "f'profile:{user_id}'": 'f-string, single quotes',
    'F"profile:{user_id}"': 'f-string, capital prefix',
    '  f"profile:{ user_id }"  ': 'f-string, spaces inside the braces',
    '"profile:%s" % user_id': '%-format',
    "'profile:%d' % (user_id,)": '%-format with a tuple',
    '"profile:{}".format(user_id)': '.format',
    "'profile:' + str(user_id)": 'concatenation',
    '("profile:" + str(user_id)),': 'concatenation in parentheses with a trailing comma',
  };
  for (const [answer, kind] of Object.entries(learnerAnswers)) {
    const normalized = normalizeAnswer(answer, steps);
    if (kind === 'f-string, spaces inside the braces') {
      // Spaces inside the f-string's braces are inside the literal: not accepted by form, accepted by evaluation.
      assert.deepEqual(evaluateAnswers(spec, [answer.trim()])[0], spec.evaluate.cases.map((item) => item.expect));
      continue;
    }
    assert.ok(spec.accepted.includes(normalized), `${kind}: ${answer} normalises to ${normalized}, an accepted form`);
  }
  // Real Python builds the right key from every accepted form, for user 42 and for user 7.
  const results = evaluateAnswers(spec, spec.accepted);
  spec.accepted.forEach((form, index) => {
    assert.deepEqual(results[index], spec.evaluate.cases.map((item) => item.expect), `${form} evaluates to the expected keys`);
  });
  assert.ok(spec.evaluate.cases.some((item) => item.expect === spec.expectedValue));
  // Each feedback entry: its example matches it, is not accepted, and fails the evaluation.
  assert.ok(spec.feedback.length >= 4);
  const wrong = evaluateAnswers(spec, spec.feedback.map((item) => item.example));
  spec.feedback.forEach((item, index) => {
    const normalized = normalizeAnswer(item.example, steps);
    assert.match(normalized, new RegExp(item.match), `the example ${item.example} triggers its hint`);
    assert.ok(!spec.accepted.includes(normalized), `${item.example} is not accepted`);
    assert.notDeepEqual(wrong[index], spec.evaluate.cases.map((entry) => entry.expect), `${item.example} does not build the right keys`);
    assert.ok(item.hint.length > 20);
    for (const form of spec.accepted) assert.doesNotMatch(form, new RegExp(item.match), `hint ${item.match} never fires on the accepted ${form}`);
  });
  assert.ok(spec.hints.length >= 2 && spec.fallbackHint.length > 0);
});

interface CodeExercise {
  id: string;
  kind: string;
  section: string;
  concept: string;
  starter: string;
  checks: { file: string; list: { id: string; required: boolean }[] };
  hints: string[];
}

interface CheckReport {
  exercise: string;
  passed: boolean;
  django: string;
  checks: { id: string; description: string; required: boolean; passed: boolean; message: string; hint: string | null }[];
  output: string;
}

function runChecks(module: string): Promise<{ status: number | null; report: CheckReport }> {
  return new Promise((resolve, reject) => {
    execFile(DEBIAN_PYTHON, [join(LESSONS, 'exercises', 'cached_checks.py'), module], { encoding: 'utf8' }, (error, stdout, stderr) => {
      if (!stdout.trim().startsWith('{')) return reject(new Error(`cached_checks.py ${module} printed no JSON: ${stderr}`));
      const status = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ status, report: JSON.parse(stdout) as CheckReport });
    });
  });
}

test('the @cached exercise: the hidden checks pass a correct decorator and catch each mistake (a cached None or 0 taken for a miss, free text in keys, ...)', async () => {
  const spec = readJson<CodeExercise>(join(LESSONS, 'exercises', 'cached-decorator.json'));
  assert.equal(spec.kind, 'code');
  assert.ok(sectionIds.has(spec.section) && sectionIds.has(spec.concept));
  assert.ok(existsSync(join(LESSONS, 'exercises', spec.starter)));
  assert.ok(existsSync(join(LESSONS, 'exercises', spec.checks.file)));
  assert.ok(spec.hints.length >= 2);
  assert.equal(manifest.exercises.length, 2);
  for (const file of manifest.exercises) assert.ok(existsSync(join(LESSONS, file)), `${file} exists`);

  const modules = {
    solution: join(FIXTURES, 'cached_solution.py'),
    starter: join(LESSONS, 'exercises', spec.starter),
    noArgument: join(FIXTURES, 'cached_no_argument_in_key.py'),
    noFunction: join(FIXTURES, 'cached_no_function_in_key.py'),
    falsy: join(FIXTURES, 'cached_falsy_miss.py'),
    noneMiss: join(FIXTURES, 'cached_none_miss.py'),
    rawText: join(FIXTURES, 'cached_raw_text_key.py'),
    dict: join(FIXTURES, 'cached_dict.py'),
    spaces: join(FIXTURES, 'cached_spaces_no_wraps.py'),
    syntax: join(FIXTURES, 'cached_syntax_error.py'),
    prints: join(FIXTURES, 'cached_prints.py'),
  };
  const entries = await Promise.all(Object.entries(modules).map(async ([name, path]) => [name, await runChecks(path)] as const));
  const results = Object.fromEntries(entries) as Record<keyof typeof modules, Awaited<ReturnType<typeof runChecks>>>;
  const solution = results.solution;
  assert.equal(solution.status, 0);
  assert.equal(solution.report.passed, true);
  assert.deepEqual(
    solution.report.checks.map((check) => ({ id: check.id, required: check.required })),
    spec.checks.list.map((check) => ({ id: check.id, required: check.required })),
    'the JSON spec lists the checks cached_checks.py runs',
  );
  assert.ok(solution.report.checks.every((check) => check.passed && check.hint === null));

  const failing = (name: keyof typeof modules): string[] => {
    const { status, report } = results[name];
    const failed = report.checks.filter((check) => !check.passed);
    for (const check of failed) assert.ok(check.hint && check.message, `${check.id} explains the failure`);
    assert.equal(status, report.passed ? 0 : 1);
    return failed.map((check) => check.id);
  };
  const starter = failing('starter');
  assert.ok(starter.includes('repeat-skips-work'), 'the starter code does not pass yet');
  assert.deepEqual(failing('noArgument'), ['different-arguments']);
  assert.deepEqual(failing('noFunction'), ['different-functions']);
  assert.deepEqual(failing('falsy'), ['falsy-results', 'none-results']);
  assert.deepEqual(failing('noneMiss'), ['none-results'], '`if result is None` takes a cached None for a miss');
  assert.deepEqual(failing('rawText'), ['valid-keys'], 'free text put into the key as is');
  assert.match(results.rawText.report.checks.find((check) => check.id === 'valid-keys')!.message, /green tea|characters/);
  assert.deepEqual(failing('dict'), ['django-cache']);
  assert.deepEqual(failing('spaces'), ['valid-keys', 'keeps-name']);
  assert.deepEqual(failing('syntax'), ['module']);
  // What the learner's code prints is kept out of the JSON.
  const noisy = results.prints;
  assert.equal(noisy.report.passed, true);
  assert.match(noisy.report.output, /debugging output from the learner/);
});

// ---------------------------------------------------------------------------------------------------
// Runnable examples

test('the runnable examples are well formed: at least 10, unique ids, each followed by its output', () => {
  assert.ok(examples.length >= 10, `${examples.length} runnable examples`);
  assert.equal(new Set(examples.map((example) => example.id)).size, examples.length, 'example ids are unique');
  for (const example of examples) {
    const label = `${example.file}:${example.line}`;
    assert.match(example.id, /^[a-z0-9]+(-[a-z0-9]+)*$/, `${label}: an id`);
    assert.ok(example.expected !== null && example.expected.trim() !== '', `${label} (${example.id}): an \`\`\`output block follows`);
    assert.ok(['default', 'manual'].includes(example.setup), `${label}: setup is default or manual`);
    if (example.setup === 'manual') assert.match(example.code, /settings\.configure\(/, `${label}: setup=manual examples configure Django`);
    if (example.minDjango !== null) assert.match(example.minDjango, /^\d+\.\d+$/, `${label}: min-django is a version`);
    // Django >= 4.0 APIs are marked as such.
    if (/\bawait cache\.a[a-z_]+\(|backends\.redis\b/.test(example.code)) {
      assert.ok(example.minDjango !== null && Number(example.minDjango.split('.')[0]) >= 4, `${label} (${example.id}) uses Django 4.0+ APIs: mark it min-django=4.0`);
    }
  }
  for (const section of sections.filter((candidate) => candidate.kind === 'concept' && !['using-cache-coach', 'practice', 'recap'].includes(candidate.id))) {
    assert.ok(examples.some((example) => example.section === section.id), `${section.id} has a runnable example`);
  }
});

interface RunnerExample {
  id: string;
  section: string;
  status: 'passed' | 'failed' | 'skipped';
  reason: string | null;
  expected: string | null;
  actual: string | null;
  stderr?: string;
  minDjango: string | null;
}

interface RunnerReport {
  python: string;
  pythonVersion: string;
  django: string | null;
  djangoError: string | null;
  examples: RunnerExample[];
}

interface Interpreter {
  command: string;
  executable: string;
  django: string;
  djangoFile: string;
}

/** The interpreters to run the examples with: $PYTHON, python3 on PATH and Debian's, one per distinct Python + Django. */
function probeInterpreters(): { found: Interpreter[]; notes: string[] } {
  const candidates = [...new Set([process.env.PYTHON, NEWER_DJANGO_PYTHON, 'python3', DEBIAN_PYTHON].filter((command): command is string => Boolean(command)))];
  const found: Interpreter[] = [];
  const notes: string[] = [];
  for (const command of candidates) {
    const probe = spawnSync(command, ['-c', 'import sys; print(sys.executable)\nimport os, django; print(django.get_version()); print(os.path.realpath(django.__file__))'], { encoding: 'utf8' });
    if (probe.error) {
      notes.push(`${command}: not found`);
      continue;
    }
    const [executable = command, django, djangoFile = ''] = probe.stdout.trim().split('\n');
    if (probe.status !== 0 || !django) {
      notes.push(`${command} (${executable}): no Django`);
      continue;
    }
    // One run per Django installation: `python3` and /usr/bin/python3 are often the same one.
    if (found.some((other) => other.djangoFile === djangoFile)) continue;
    found.push({ command, executable, django, djangoFile });
  }
  return { found, notes };
}

const major = (version: string): number => Number(version.split('.')[0]);
const { found: interpreters, notes: probeNotes } = probeInterpreters();

function runRunner(interpreter: Interpreter): Promise<RunnerReport> {
  return new Promise((resolve, reject) => {
    execFile(interpreter.command, [RUNNER], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${interpreter.command} ${RUNNER} failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as RunnerReport);
    });
  });
}

// Start every run at once; each test below waits for its own.
const runs = new Map(interpreters.map((interpreter) => [interpreter, runRunner(interpreter)]));
const summary: string[] = [];

test('Debian\'s Django 3.2 is available to run the examples', () => {
  const debian = interpreters.find((interpreter) => interpreter.djangoFile.startsWith('/usr/lib/python3/dist-packages/django/'));
  assert.ok(debian, `${DEBIAN_PYTHON} must import Django (apt-get install python3-django); probed: ${probeNotes.join('; ')}`);
  assert.match(debian.django, /^3\.2(\.|$)/, `Debian's Django is 3.2, found ${debian.django}`);
});

test('the runner lists the same examples and expected output as the lesson', async () => {
  const listed = await new Promise<RunnerReport>((resolve, reject) => {
    execFile(DEBIAN_PYTHON, [RUNNER, '--list'], { cwd: ROOT, encoding: 'utf8' }, (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout) as RunnerReport)));
  });
  assert.deepEqual(
    listed.examples.map((example) => ({ id: example.id, expected: example.expected, minDjango: example.minDjango })),
    examples.map((example) => ({ id: example.id, expected: example.expected, minDjango: example.minDjango })),
  );
});

for (const interpreter of interpreters) {
  test(`runnable examples print what the lesson states, on Django ${interpreter.django} (${interpreter.executable})`, async (t) => {
    const report = await runs.get(interpreter)!;
    assert.equal(report.django, interpreter.django);
    assert.equal(report.examples.length, examples.length, 'every example was reported');
    const byId = new Map(report.examples.map((example) => [example.id, example]));
    const ran: string[] = [];
    const skipped: string[] = [];
    for (const example of examples) {
      const result = byId.get(example.id);
      await t.test(example.id, (st) => {
        assert.ok(result, `${example.id} was reported`);
        if (result.status === 'skipped') {
          skipped.push(`${example.id} (${result.reason})`);
          st.skip(result.reason ?? 'skipped');
          return;
        }
        ran.push(example.id);
        const stderr = result.stderr ? `\n--- stderr ---\n${result.stderr}` : '';
        assert.equal(result.actual, (example.expected ?? '').replace(/\n+$/, ''), `${example.file}:${example.line} (${example.id}) prints something else${stderr}`);
        assert.equal(result.status, 'passed', `${example.id}: ${result.reason}${stderr}`);
      });
    }
    const line = `Django ${interpreter.django} (${interpreter.executable}, Python ${report.pythonVersion}): ${ran.length} examples ran, ${skipped.length} skipped` + (skipped.length ? `: ${skipped.join(', ')}` : '');
    summary.push(line);
    t.diagnostic(line);
  });
}

const newestDjango = interpreters.reduce((best, interpreter) => Math.max(best, major(interpreter.django)), 0);
const needsNewer = examples.filter((example) => example.minDjango !== null && major(example.minDjango) > newestDjango);
test(
  'examples that need a newer Django than any found here',
  needsNewer.length === 0
    ? {}
    : {
        skip:
          `no Django >= ${needsNewer.map((example) => example.minDjango).sort().at(-1)} found ` +
          `(probed ${[...interpreters.map((interpreter) => `${interpreter.command}: Django ${interpreter.django}`), ...probeNotes].join('; ')}; set PYTHON to one that has it): ` +
          needsNewer.map((example) => `${example.id} (min-django=${example.minDjango})`).join(', '),
      },
  () => {
    assert.equal(needsNewer.length, 0);
  },
);

test('summary of the Django versions that ran the lesson examples', async (t) => {
  await Promise.allSettled([...runs.values()]);
  const lines = [
    `Djangos found: ${interpreters.map((interpreter) => `${interpreter.django} (${interpreter.command} -> ${interpreter.executable}, ${interpreter.djangoFile.replace(/\/__init__\.py$/, '')})`).join(', ') || 'none'}`,
    ...probeNotes.map((note) => `not used: ${note}`),
    ...summary,
  ];
  for (const line of lines) t.diagnostic(line);
});
