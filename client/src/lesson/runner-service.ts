/**
 * The exercise runner as VS Code sees it: disabled in an untrusted workspace (it would run code with
 * the workspace's interpreter setting), otherwise the Python named by `python.defaultInterpreterPath`
 * (the Python extension's setting) or `python3`, probed once for Django and again when the setting
 * changes or trust is granted.
 */
import * as vscode from 'vscode';
import type { Runner } from './controller';
import { DEFAULT_CHECK_LIMIT_MS, evaluateFillIn, probePython, resolvePython, runCodeExercise } from './exercise-runner';
import type { LessonContent } from './content';
import type { ExerciseRun, FillInEvaluation, RunnerStatus } from './messages';
import { staticHints } from './static-hints';
import { answerForEvaluation } from './fill-in';

export const UNTRUSTED_REASON =
  'This workspace is not trusted, so Cache Coach runs no code in it (the exercise would run with the workspace\'s Python settings). Trust the workspace (Workspaces: Manage Workspace Trust) to have your code run against the checks.';

export class RunnerService implements Runner, vscode.Disposable {
  private current: RunnerStatus = { state: 'checking' };
  private probing: Promise<RunnerStatus> | undefined;
  private probedFor: string | undefined;
  private readonly emitter = new vscode.EventEmitter<RunnerStatus>();
  private readonly disposables: vscode.Disposable[] = [this.emitter];

  constructor(
    private readonly content: () => Promise<LessonContent>,
    private readonly lessons: vscode.Uri,
    private readonly log: (message: string) => void,
    private readonly limitMs = DEFAULT_CHECK_LIMIT_MS,
  ) {
    this.disposables.push(
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.refresh()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('python.defaultInterpreterPath')) void this.refresh();
      }),
    );
    if (!vscode.workspace.isTrusted) this.current = { state: 'unavailable', reason: UNTRUSTED_REASON };
  }

  status(): RunnerStatus {
    if (!vscode.workspace.isTrusted) return { state: 'unavailable', reason: UNTRUSTED_REASON };
    if (!this.probing || this.probedFor !== this.python()) void this.refresh();
    return this.current;
  }

  onDidChange(listener: (status: RunnerStatus) => void): vscode.Disposable {
    return this.emitter.event(listener);
  }

  /** The interpreter to run; only meaningful in a trusted workspace. */
  python(): string {
    const inspected = vscode.workspace.getConfiguration('python').inspect<string>('defaultInterpreterPath');
    // Only a value the user set: the Python extension's own default ("python") may not exist here.
    const configured = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
    return resolvePython(configured, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
  }

  private set(status: RunnerStatus): void {
    this.current = status;
    this.emitter.fire(status);
  }

  /** Probes the interpreter again (trust granted, setting changed). */
  refresh(): Promise<RunnerStatus> {
    if (!vscode.workspace.isTrusted) {
      this.set({ state: 'unavailable', reason: UNTRUSTED_REASON });
      return Promise.resolve(this.current);
    }
    const python = this.python();
    this.probedFor = python;
    this.current = { state: 'checking' };
    const probing = probePython(python).then((status) => {
      if (this.probing === probing) {
        this.log(status.state === 'ready' ? `Exercise runner: ${status.python} with Django ${status.django}` : `Exercise runner unavailable: ${status.state === 'unavailable' ? status.reason : status.state}`);
        this.set(status);
      }
      return status;
    });
    this.probing = probing;
    return probing;
  }

  private async ready(): Promise<RunnerStatus> {
    if (!vscode.workspace.isTrusted) return { state: 'unavailable', reason: UNTRUSTED_REASON };
    if (!this.probing || this.probedFor !== this.python()) return this.refresh();
    return this.probing;
  }

  async runCode(code: string): Promise<ExerciseRun> {
    const status = await this.ready();
    if (status.state !== 'ready') return { status: 'unavailable', reason: status.state === 'unavailable' ? status.reason : 'The Python check has not finished.', hints: staticHints(code) };
    const exercise = (await this.content()).codeExercise;
    if (!exercise) return { status: 'error', message: 'This lesson has no code exercise.', hints: [] };
    const checksFile = vscode.Uri.joinPath(this.lessons, ...exercise.checksFile.split('/')).fsPath;
    const result = await runCodeExercise({ python: this.python(), checksFile, code, learnerFile: exercise.learnerFile, timeoutMs: this.limitMs });
    this.log(`Exercise ${exercise.id}: ${result.status}${result.status === 'checked' ? (result.passed ? ', passed' : ', not passed') : ''}`);
    return result;
  }

  async evaluateFillIn(answer: string): Promise<FillInEvaluation> {
    const status = await this.ready();
    if (status.state !== 'ready') return { status: 'unavailable', reason: status.state === 'unavailable' ? status.reason : 'The Python check has not finished.' };
    const fillIn = (await this.content()).fillIn;
    if (!fillIn?.evaluate) return { status: 'unavailable', reason: 'This exercise accepts only the forms it lists.' };
    return evaluateFillIn({ python: this.python(), program: fillIn.evaluate.program, cases: fillIn.evaluate.cases, answer: answerForEvaluation(answer) });
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}
