/// <reference lib="dom" />
/**
 * The lesson panel's page (bundled by esbuild.config.mjs into media/lesson/page.js). It asks the
 * extension for the lesson with `ready`, then shows sections, the simulator, the exercises and the
 * quiz. Every message from the extension is checked before use; the page's state is saved with
 * vscode.setState() so a reload puts the learner back where they were.
 */
import { parseHostMessage, View, type HostMessage, type LessonData, type PageMessage, type Progress, type RunnerStatus, type SectionData } from '../lesson/messages';
import type { PageContext } from './context';
import { append, clear, h, trusted } from './dom';
import { ExercisesView } from './exercises-view';
import { QuizView } from './quiz-view';
import { SimulatorView } from './simulator-view';
import { PageState } from './state';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** Sections whose lesson the simulator lets you try. */
const SIMULATOR_SECTIONS = new Set(['low-level-api', 'timeouts', 'cache-aside', 'invalidation', 'stampede']);

class LessonPage implements PageContext {
  lesson!: LessonData;
  private currentProgress!: Progress;
  private currentRunner: RunnerStatus = { state: 'checking' };
  private view: View = { type: 'section', id: '' };
  private readonly sectionsById = new Map<string, SectionData>();
  private quiz: QuizView | undefined;
  private simulator: SimulatorView | undefined;
  private exercises: ExercisesView | undefined;
  private readonly nav = h('nav', { class: 'toc', attrs: { 'aria-label': 'Lesson contents' } });
  /** Narrow panels only (CSS): the page comes first, and this button opens the contents above it. */
  private readonly tocToggle = h('button', { class: 'secondary toc-toggle', attrs: { type: 'button', 'aria-expanded': 'false', 'aria-controls': 'toc-body' }, on: { click: () => this.toggleToc() } }, '☰ Contents');
  private readonly tocCurrent = h('span', { class: 'toc-current' });
  private readonly main = h('main', { class: 'content', attrs: { tabindex: -1 } });
  private readonly summary = h('p', { class: 'progress-summary' });
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private restored: PageState | undefined;

  constructor(private readonly api: VsCodeApi, private readonly root: HTMLElement) {
    const saved = PageState.parse(api.getState());
    if (saved.ok) this.restored = saved.value;
    else if (api.getState() !== undefined && api.getState() !== null) console.warn(`Cache Coach: saved page state dropped (${saved.error})`);
    window.addEventListener('message', (event: MessageEvent) => this.receive(event.data));
    document.addEventListener('click', (event) => this.onClick(event));
    document.addEventListener('keydown', (event) => {
      if (this.view.type === 'quiz') this.quiz?.onKey(event);
    });
    this.post({ type: 'ready' });
  }

  // PageContext -----------------------------------------------------------------------------

  progress(): Progress {
    return this.currentProgress;
  }

  runner(): RunnerStatus {
    return this.currentRunner;
  }

  post(message: PageMessage): void {
    this.api.postMessage(message);
  }

  save(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.saveNow(), 300);
  }

  sectionLink(id: string, text?: string): HTMLAnchorElement {
    return h('a', { attrs: { href: `#${id}` }, data: { section: id } }, text ?? this.sectionsById.get(id)?.title ?? id);
  }

  navigate(view: View): void {
    this.show(view);
  }

  // Messages --------------------------------------------------------------------------------

  private receive(raw: unknown): void {
    const parsed = parseHostMessage(raw);
    if (!parsed.ok) {
      console.warn(`Cache Coach: ignored a message: ${parsed.error}`);
      return;
    }
    this.handle(parsed.value);
  }

  private handle(message: HostMessage): void {
    switch (message.type) {
      case 'init':
        this.currentProgress = message.progress;
        this.currentRunner = message.runner;
        this.start(message.lesson, message.view);
        return;
      case 'show':
        if (this.lesson) this.show(message.view);
        return;
      case 'progress':
        this.currentProgress = message.progress;
        if (this.lesson) this.onProgress();
        return;
      case 'runner':
        this.currentRunner = message.runner;
        this.exercises?.onRunner();
        return;
      case 'exerciseResult':
        this.exercises?.onExerciseResult(message.requestId, message.result);
        return;
      case 'fillInResult':
        this.exercises?.onFillInResult(message.requestId, message.result);
        return;
    }
  }

  // The page --------------------------------------------------------------------------------

  private start(lesson: LessonData, requested: View | undefined): void {
    const first = !this.lesson;
    this.lesson = lesson;
    this.sectionsById.clear();
    for (const section of lesson.sections) this.sectionsById.set(section.id, section);
    if (first) {
      const saved = this.restored;
      this.quiz = new QuizView(this, saved?.quiz ?? null, this.currentProgress.quiz.current ?? null);
      this.simulator = new SimulatorView(this, saved?.simulator ?? null);
      this.exercises = new ExercisesView(this, { fillInAnswer: saved?.fillInAnswer ?? '', code: saved?.code ?? null });
      clear(this.root);
      this.root.append(this.nav, this.main);
    }
    this.buildNav();
    this.onProgress();
    this.show(requested ?? this.restored?.view ?? { type: 'section', id: lesson.sections[0]?.id ?? '' });
  }

  private buildNav(): void {
    clear(this.nav);
    const item = (view: View, text: string, extra?: string): HTMLElement => h('li', null, h('a', {
      class: 'nav-item',
      attrs: { href: view.type === 'section' ? `#${view.id}` : `#${view.type}` },
      data: { view: view.type, ...(view.type === 'section' ? { section: view.id } : {}) },
    }, text, extra ? h('span', { class: 'nav-extra' }, extra) : null));
    const concepts = this.lesson.sections.filter((section) => section.kind === 'concept');
    const mistakes = this.lesson.sections.filter((section) => section.kind === 'mistake');
    const body = h('div', { class: 'toc-body', id: 'toc-body' });
    append(this.nav, [h('div', { class: 'toc-bar' }, this.tocToggle, this.tocCurrent), body]);
    append(body, [
      h('h1', { class: 'lesson-title' }, this.lesson.title),
      this.summary,
      h('h2', null, 'Lesson'),
      h('ol', { class: 'nav-list' }, concepts.map((section) => item({ type: 'section', id: section.id }, section.title))),
      h('h2', null, 'Try it'),
      h('ul', { class: 'nav-list' }, item({ type: 'simulator' }, 'Cache simulator'), item({ type: 'quiz' }, 'Quiz', `${this.lesson.quiz.questions.length} questions`)),
      mistakes.length ? [h('h2', null, 'Common mistakes'), h('ul', { class: 'nav-list mistakes-list' }, mistakes.map((section) => item({ type: 'section', id: section.id }, section.rule ?? section.title, section.rule ? section.title.replace(/^CACHE\d+:\s*/, '') : undefined)))] : null,
    ]);
  }

  private toggleToc(open = !this.nav.classList.contains('open')): void {
    this.nav.classList.toggle('open', open);
    this.tocToggle.setAttribute('aria-expanded', String(open));
    if (open) this.nav.querySelector<HTMLElement>('a.nav-item.active, a.nav-item')?.focus({ preventScroll: false });
  }

  private onProgress(): void {
    const progress = this.currentProgress;
    const read = new Set(progress.sectionsRead);
    for (const link of this.nav.querySelectorAll<HTMLAnchorElement>('a[data-section]')) link.classList.toggle('read', read.has(link.dataset.section!));
    const best = progress.quiz.best;
    const known = this.lesson.sections.filter((section) => read.has(section.id)).length;
    this.summary.textContent = `${known} of ${this.lesson.sections.length} sections read · ${best ? `best quiz score ${best.correct} of ${best.total}` : 'quiz not taken yet'}`;
    this.quiz?.onProgress();
    this.exercises?.onProgress();
  }

  private show(requested: View): void {
    let view = requested;
    if (view.type === 'section' && !this.sectionsById.has(view.id)) view = { type: 'section', id: this.lesson.sections[0]?.id ?? '' };
    this.view = view;
    clear(this.main);
    for (const link of this.nav.querySelectorAll<HTMLAnchorElement>('a.nav-item')) {
      const active = link.dataset.view === view.type && (view.type !== 'section' || link.dataset.section === view.id);
      link.classList.toggle('active', active);
      if (active) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    if (view.type === 'quiz') {
      this.main.append(this.quiz!.element);
      this.quiz!.render();
    } else if (view.type === 'simulator') {
      this.main.append(this.simulator!.element);
    } else {
      this.main.append(this.renderSection(this.sectionsById.get(view.id)!));
      if (!this.currentProgress.sectionsRead.includes(view.id)) this.post({ type: 'sectionViewed', section: view.id });
    }
    this.toggleToc(false);
    this.tocCurrent.textContent = view.type === 'section' ? this.sectionsById.get(view.id)?.title ?? '' : view.type === 'quiz' ? 'Quiz' : 'Cache simulator';
    this.main.scrollTop = 0;
    window.scrollTo(0, 0);
    (this.main.querySelector<HTMLElement>('h1') ?? this.main).focus({ preventScroll: true });
    this.saveNow();
  }

  private renderSection(section: SectionData): HTMLElement {
    const all = this.lesson.sections;
    const index = all.findIndex((candidate) => candidate.id === section.id);
    const previous = all[index - 1];
    const following = all[index + 1];
    const body = trusted(section.html, 'div', 'markdown');
    body.querySelector('h1')?.setAttribute('tabindex', '-1');
    return h('article', { class: `section ${section.kind}`, data: { section: section.id } },
      section.kind === 'mistake' ? h('p', { class: 'eyebrow' }, 'Common mistake', section.rule ? ` · ${section.rule}` : '', section.ruleName ? ` · ${section.ruleName}` : '') : null,
      body,
      section.id === 'practice' && this.exercises ? this.exercises.element : null,
      h('footer', { class: 'section-footer' },
        SIMULATOR_SECTIONS.has(section.id) ? h('p', null, h('a', { attrs: { href: '#simulator' }, data: { view: 'simulator' } }, 'Try it in the cache simulator →')) : null,
        section.id === 'practice' ? h('p', null, h('a', { attrs: { href: '#quiz' }, data: { view: 'quiz' } }, 'Take the quiz →')) : null,
        section.kind === 'mistake' && section.concept ? h('p', null, 'The concept behind it: ', this.sectionLink(section.concept)) : null,
        h('div', { class: 'pager' },
          previous ? h('a', { class: 'previous', attrs: { href: `#${previous.id}` }, data: { section: previous.id } }, `← ${previous.title}`) : h('span'),
          following ? h('a', { class: 'next', attrs: { href: `#${following.id}` }, data: { section: following.id } }, `${following.title} →`) : h('span'))));
  }

  /** Links inside the page (sections, simulator, quiz) are followed here; others are left to VS Code. */
  private onClick(event: MouseEvent): void {
    const link = (event.target as Element | null)?.closest?.('a');
    if (!link) return;
    const section = link.dataset.section;
    const view = link.dataset.view;
    let target: View | undefined;
    if (section) target = { type: 'section', id: section };
    else if (view === 'quiz' || view === 'simulator') target = { type: view };
    else if (link.getAttribute('href')?.startsWith('#')) {
      event.preventDefault(); // a link to a section that does not exist: stay put
      return;
    }
    if (!target) return;
    event.preventDefault();
    event.stopPropagation();
    this.show(target);
  }

  private saveNow(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.lesson) return;
    const state: PageState = {
      version: 1,
      view: this.view,
      quiz: this.quiz?.state() ?? null,
      fillInAnswer: this.exercises?.fillInAnswer() ?? '',
      code: this.exercises?.code() ?? null,
      simulator: this.simulator?.state() ?? null,
    };
    this.api.setState(state);
  }
}

const root = document.getElementById('app');
if (root) new LessonPage(acquireVsCodeApi(), root);
