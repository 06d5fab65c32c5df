/**
 * The two exercises, shown under the Practice section:
 *  - the fill-in key, checked here at once from the data (the same rules as the extension's), and, when
 *    no accepted form matches and Python may run, by the extension running the answer;
 *  - the @cached decorator, checked by the extension running hidden checks on the learner's code, or,
 *    where code cannot run, answered with hints read from the code and the reason it did not run.
 */
import { checkFillIn } from '../lesson/fill-in';
import type { CodeExerciseData, ExerciseRun, FillInData, FillInEvaluation } from '../lesson/messages';
import type { PageContext } from './context';
import { append, clear, h, textWithCode, trusted } from './dom';

export class ExercisesView {
  readonly element = h('div', { class: 'exercises' });
  private requestId = 0;
  private pendingFillIn: number | undefined;
  private pendingRun: number | undefined;
  private fillInHintsShown = 0;
  private codeHintsShown = 0;
  private readonly fillInInput = h('input', { class: 'blank', attrs: { type: 'text', spellcheck: 'false', autocomplete: 'off', 'aria-label': 'The key', maxlength: 500, size: 26 } });
  private readonly fillInVerdict = h('div', { class: 'verdict', attrs: { role: 'status' } });
  private readonly fillInHints = h('ol', { class: 'hints' });
  private readonly fillInHintButton = h('button', { class: 'secondary', attrs: { type: 'button' } });
  private readonly fillInCheck = h('button', { class: 'primary fill-in-check', attrs: { type: 'button' } }, 'Check');
  private readonly editor = h('textarea', { class: 'code-editor', attrs: { spellcheck: 'false', rows: 20, 'aria-label': 'Your @cached decorator', autocapitalize: 'off', autocomplete: 'off', wrap: 'off' } });
  private readonly runButton = h('button', { class: 'primary run-checks', attrs: { type: 'button' } }, 'Run the checks');
  private readonly runnerLine = h('p', { class: 'runner-status' });
  private readonly runResult = h('div', { class: 'run-result', attrs: { 'aria-live': 'polite' } });
  private readonly codeHints = h('ol', { class: 'hints' });
  private readonly codeHintButton = h('button', { class: 'secondary', attrs: { type: 'button' } });
  private readonly badges = new Map<string, HTMLElement>();

  constructor(private readonly ctx: PageContext, restored: { fillInAnswer: string; code: string | null }) {
    const { fillIn, codeExercise } = ctx.lesson;
    if (fillIn) this.element.append(this.buildFillIn(fillIn, restored.fillInAnswer));
    if (codeExercise) this.element.append(this.buildCode(codeExercise, restored.code));
    this.onRunner();
    this.onProgress();
  }

  fillInAnswer(): string {
    return this.fillInInput.value;
  }

  code(): string | null {
    const starter = this.ctx.lesson.codeExercise?.starter;
    return starter === undefined || this.editor.value === starter ? null : this.editor.value;
  }

  private badge(id: string): HTMLElement {
    const badge = h('span', { class: 'badge passed', attrs: { hidden: true } }, 'Solved');
    this.badges.set(id, badge);
    return badge;
  }

  // ---------------------------------------------------------------------------------------------
  // Fill-in

  private buildFillIn(spec: FillInData, answer: string): HTMLElement {
    const [before, after] = spec.code.split(spec.blank) as [string, string | undefined];
    this.fillInInput.value = answer;
    this.fillInInput.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        this.checkFillIn(spec);
      }
    });
    this.fillInInput.addEventListener('input', () => this.ctx.save());
    this.fillInCheck.addEventListener('click', () => this.checkFillIn(spec));
    this.fillInHintButton.addEventListener('click', () => {
      if (this.fillInHintsShown >= spec.hintsHtml.length) return;
      this.fillInHints.append(h('li', null, trusted(spec.hintsHtml[this.fillInHintsShown]!, 'span')));
      this.fillInHintsShown++;
      this.updateHintButton(this.fillInHintButton, this.fillInHintsShown, spec.hintsHtml.length);
    });
    this.updateHintButton(this.fillInHintButton, 0, spec.hintsHtml.length);
    return h('section', { class: 'exercise fill-in', data: { exercise: spec.id } },
      h('h2', null, `Exercise: ${spec.title} `, this.badge(spec.id)),
      trusted(spec.promptHtml, 'div', 'prompt'),
      h('pre', { class: 'code fill-in-code' }, h('code', null, before, this.fillInInput, after ?? '')),
      h('div', { class: 'button-row' }, this.fillInCheck, this.fillInHintButton),
      this.fillInVerdict,
      this.fillInHints);
  }

  private updateHintButton(button: HTMLButtonElement, shown: number, total: number): void {
    button.textContent = shown >= total ? 'No more hints' : `Show a hint (${shown + 1} of ${total})`;
    button.disabled = shown >= total;
  }

  private showVerdict(kind: 'right' | 'wrong' | 'pending', ...content: (Node | string)[]): void {
    clear(this.fillInVerdict);
    this.fillInVerdict.className = `verdict ${kind}`;
    this.fillInVerdict.append(...content);
  }

  private checkFillIn(spec: FillInData): void {
    const answer = this.fillInInput.value;
    if (!answer.trim()) {
      this.showVerdict('wrong', 'Type the expression that builds the key first.');
      return;
    }
    const verdict = checkFillIn(spec, answer);
    const runner = this.ctx.runner();
    const requestId = ++this.requestId;
    if (verdict.accepted) {
      this.showVerdict('right', '✓ Right: every user gets a key of their own (profile:42 for user 42).');
      this.pendingFillIn = requestId;
      this.ctx.post({ type: 'checkFillIn', requestId, exerciseId: spec.id, answer }); // records the pass
      return;
    }
    if (runner.state === 'ready' && !verdict.matchedFeedback) {
      this.pendingFillIn = requestId;
      this.fillInCheck.disabled = true;
      this.showVerdict('pending', 'Not one of the forms this exercise lists: running it in Python with user_id = 42 and 7…');
      this.ctx.post({ type: 'checkFillIn', requestId, exerciseId: spec.id, answer });
      return;
    }
    const why = runner.state === 'unavailable' && !verdict.matchedFeedback ? h('p', { class: 'note' }, 'It could not be run in Python to check it another way: ', textWithCode(runner.reason)) : null;
    this.showVerdict('wrong', '✗ ', trusted(verdict.hintHtml, 'span'), ...(why ? [why] : []));
  }

  onFillInResult(requestId: number, result: FillInEvaluation): void {
    if (requestId !== this.pendingFillIn) return;
    this.pendingFillIn = undefined;
    this.fillInCheck.disabled = false;
    const spec = this.ctx.lesson.fillIn;
    if (!spec || result.status === 'matched') return; // already shown as right
    if (result.status === 'evaluated' && result.accepted) {
      this.showVerdict('right', '✓ Right: run in Python, it builds profile:42 for user 42 and profile:7 for user 7.');
      return;
    }
    const hint = checkFillIn(spec, this.fillInInput.value);
    const hintHtml = hint.accepted ? spec.fallbackHintHtml : hint.hintHtml;
    let note: string;
    if (result.status === 'evaluated') note = `Run in Python it gave ${result.values.map((value) => (value === null ? 'an error' : JSON.stringify(value))).join(' and ')} for users 42 and 7.`;
    else if (result.status === 'timeout') note = `Running it was stopped after ${result.limitSeconds} s.`;
    else if (result.status === 'unavailable') note = `It could not be run in Python: ${result.reason}`;
    else note = result.message;
    this.showVerdict('wrong', '✗ ', trusted(hintHtml, 'span'), h('p', { class: 'note' }, textWithCode(note)));
  }

  // ---------------------------------------------------------------------------------------------
  // The @cached decorator

  private buildCode(spec: CodeExerciseData, code: string | null): HTMLElement {
    this.editor.value = code ?? spec.starter;
    this.editor.addEventListener('input', () => this.ctx.save());
    this.editor.addEventListener('keydown', (event) => {
      if (event.key === 'Tab' && !event.shiftKey && !event.ctrlKey && !event.metaKey && !event.altKey) {
        // Indent instead of leaving the editor (Escape then Tab still moves focus on).
        event.preventDefault();
        this.editor.setRangeText('    ', this.editor.selectionStart, this.editor.selectionEnd, 'end');
        this.ctx.save();
      } else if ((event.key === 'Enter' && (event.ctrlKey || event.metaKey))) {
        event.preventDefault();
        this.runChecks(spec);
      } else if (event.key === 'Escape') {
        this.editor.blur();
      }
    });
    this.runButton.addEventListener('click', () => this.runChecks(spec));
    this.codeHintButton.addEventListener('click', () => {
      if (this.codeHintsShown >= spec.hintsHtml.length) return;
      this.codeHints.append(h('li', null, trusted(spec.hintsHtml[this.codeHintsShown]!, 'span')));
      this.codeHintsShown++;
      this.updateHintButton(this.codeHintButton, this.codeHintsShown, spec.hintsHtml.length);
    });
    this.updateHintButton(this.codeHintButton, 0, spec.hintsHtml.length);
    const reset = h('button', { class: 'secondary', attrs: { type: 'button' }, on: { click: () => {
      this.editor.value = spec.starter;
      this.ctx.save();
    } } }, 'Back to the starter code');
    return h('section', { class: 'exercise code-exercise', data: { exercise: spec.id } },
      h('h2', null, `Exercise: ${spec.title} `, this.badge(spec.id)),
      trusted(spec.promptHtml, 'div', 'prompt'),
      this.runnerLine,
      this.editor,
      h('div', { class: 'button-row' }, this.runButton, reset, this.codeHintButton),
      h('p', { class: 'note' }, 'Ctrl+Enter runs the checks. Tab indents; press Escape first to move on with Tab.'),
      this.codeHints,
      this.runResult);
  }

  private runChecks(spec: CodeExerciseData): void {
    if (this.pendingRun !== undefined) return;
    const requestId = ++this.requestId;
    this.pendingRun = requestId;
    this.runButton.disabled = true;
    clear(this.runResult);
    append(this.runResult, [h('p', { class: 'pending' }, this.ctx.runner().state === 'ready' ? 'Running the checks…' : 'Reading your code…')]);
    this.ctx.post({ type: 'runExercise', requestId, exerciseId: spec.id, code: this.editor.value });
  }

  onExerciseResult(requestId: number, result: ExerciseRun): void {
    if (requestId !== this.pendingRun) return;
    this.pendingRun = undefined;
    this.runButton.disabled = false;
    clear(this.runResult);
    const hintList = (hints: readonly string[]): HTMLElement | null => (hints.length
      ? h('div', { class: 'static-hints' }, h('h3', null, 'Hints read from your code'), h('ul', null, hints.map((hint) => h('li', null, textWithCode(hint)))))
      : h('p', null, 'Nothing obvious stands out in the code itself; use "Show a hint" for the next step.'));
    switch (result.status) {
      case 'checked': {
        const failedRequired = result.checks.filter((check) => check.required && !check.passed).length;
        append(this.runResult, [
          h('p', { class: `run-summary ${result.passed ? 'right' : 'wrong'}` }, result.passed
            ? '✓ Every required check passed.'
            : `✗ ${failedRequired} of ${result.checks.filter((check) => check.required).length} required checks failed.`,
          result.django ? h('span', { class: 'note' }, ` (Django ${result.django})`) : null),
          h('ul', { class: 'checks' }, result.checks.map((check) => h('li', { class: check.passed ? 'pass' : 'fail', data: { check: check.id } },
            h('span', { class: 'mark', attrs: { 'aria-label': check.passed ? 'passed' : 'failed' } }, check.passed ? '✓' : '✗'), ' ',
            h('strong', null, check.description), check.required ? null : h('span', { class: 'note' }, ' (optional)'),
            h('div', { class: 'check-message' }, textWithCode(check.message)),
            check.hint ? h('div', { class: 'check-hint' }, 'Hint: ', textWithCode(check.hint)) : null))),
          result.output ? h('details', null, h('summary', null, 'What your code printed'), h('pre', { class: 'output' }, result.output)) : null]);
        break;
      }
      case 'timeout':
        append(this.runResult, [h('p', { class: 'run-summary wrong timeout' }, `⏱ Stopped after ${result.limitSeconds} s: your code did not finish. Is there an endless loop, or a call that waits forever?`), hintList(result.hints)]);
        break;
      case 'unavailable':
        append(this.runResult, [h('p', { class: 'run-summary unavailable' }, 'Your code could not be run here: ', textWithCode(result.reason)), hintList(result.hints)]);
        break;
      case 'error':
        append(this.runResult, [h('p', { class: 'run-summary wrong' }, textWithCode(result.message)), hintList(result.hints)]);
        break;
    }
  }

  onRunner(): void {
    const runner = this.ctx.runner();
    clear(this.runnerLine);
    this.runnerLine.className = `runner-status ${runner.state}`;
    if (runner.state === 'checking') this.runnerLine.append('Looking for a Python with Django to run your code…');
    else if (runner.state === 'ready') this.runnerLine.append('Your code runs in ', h('code', null, runner.python), ` (Django ${runner.django}) against hidden checks, with a time limit.`);
    else this.runnerLine.append('Your code will not be run: ', textWithCode(runner.reason), ' You still get hints read from the code.');
  }

  onProgress(): void {
    const exercises = this.ctx.progress().exercises;
    for (const [id, badge] of this.badges) badge.hidden = !exercises[id]?.passed;
  }
}
