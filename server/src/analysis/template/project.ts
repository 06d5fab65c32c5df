/**
 * The template side of the workspace index: which files are templates, their outlines (lexed on
 * demand), their names as Django's loaders see them, and suppressions written as template comments.
 */
import { parseSuppression, type SuppressionComment } from '../suppression.js';
import { LineIndex } from '../text.js';
import { outline, type TemplateOutline } from './lexer.js';

export type TemplateDialect = 'django' | 'jinja2';

export interface TemplateModule {
  path: string;
  text: string;
  lines: LineIndex;
  outline: TemplateOutline;
  dialect: TemplateDialect;
  /** The name `render()` uses: the path below the `templates/` (or `jinja2/`) folder. */
  name: string;
  /** Under an app's `templates/` folder (its parent is a Python package), rather than a project folder. */
  isAppTemplate: boolean;
  suppressions: SuppressionComment[];
  skipFile: boolean;
}

const TEMPLATE_FOLDER = /(^|\/)(templates|jinja2)\/(.+)$/;

/** Templates as DESIGN says: .html/.txt under a templates/ folder, and Jinja2's .jinja/.j2/.jinja2 anywhere. */
export function isTemplatePath(path: string): boolean {
  if (/\.(jinja2?|j2)$/.test(path)) return true;
  return /\.(html|txt)$/.test(path) && TEMPLATE_FOLDER.test(path);
}

/**
 * Text that can hold a template rule's subject, a `{% cache %}` block (or the library loaded for one): only such
 * templates are checked for findings. A template with only a CSRF token is read when a rule follows a cached
 * view or a fragment's include to it, not up front.
 */
export const TEMPLATE_CANDIDATE = /\{%-?\s*cache\b|\{%\s*load\b[^%]*\bcache\b/;

export interface TemplateTextSource {
  read(path: string): string | undefined;
}

export class TemplateProject {
  private readonly paths = new Set<string>();
  private readonly texts = new Map<string, string>();
  private readonly modules = new Map<string, TemplateModule | null>();
  /** Whether a template's text can hold a cache tag or a CSRF token (TEMPLATE_CANDIDATE), by path, until it changes. */
  private readonly candidates = new Map<string, boolean>();
  private readonly packageFolders: (folder: string) => boolean;
  /** Bumped by every update and removal: what is derived from all templates is valid while it stays the same. */
  private changes = 0;

  constructor(
    private readonly source: TemplateTextSource,
    paths: Iterable<string>,
    isPackageFolder: (folder: string) => boolean,
  ) {
    for (const path of paths) if (isTemplatePath(path)) this.paths.add(path);
    this.packageFolders = isPackageFolder;
  }

  update(path: string, text?: string): void {
    if (!isTemplatePath(path)) return;
    this.paths.add(path);
    if (text === undefined) this.texts.delete(path);
    else this.texts.set(path, text);
    this.modules.delete(path);
    this.candidates.delete(path);
    this.changes++;
  }

  remove(path: string): void {
    this.paths.delete(path);
    this.texts.delete(path);
    this.modules.delete(path);
    this.candidates.delete(path);
    this.changes++;
  }

  /** Changes so far (updates and removals of templates). */
  get revision(): number {
    return this.changes;
  }

  allPaths(): string[] {
    return [...this.paths];
  }

  textOf(path: string): string | undefined {
    return this.texts.has(path) ? this.texts.get(path) : this.source.read(path);
  }

  module(path: string): TemplateModule | undefined {
    if (this.modules.has(path)) return this.modules.get(path) ?? undefined;
    const text = this.paths.has(path) ? this.textOf(path) : undefined;
    const module = text === undefined ? null : this.build(path, text);
    this.modules.set(path, module);
    return module ?? undefined;
  }

  /** Every template (lexed) that may hold a cache tag or a CSRF token. Each template's text is read once. */
  candidateModules(): TemplateModule[] {
    return this.allPaths().flatMap((path) => {
      let candidate = this.candidates.get(path);
      if (candidate === undefined) {
        const text = this.modules.has(path) ? this.modules.get(path)?.text : this.textOf(path);
        candidate = text !== undefined && TEMPLATE_CANDIDATE.test(text);
        this.candidates.set(path, candidate);
        if (candidate && !this.modules.has(path)) this.modules.set(path, this.build(path, text!));
      }
      const module = candidate ? this.module(path) : undefined;
      return module ? [module] : [];
    });
  }

  /** Templates Django could load for `name` (several: project folders override app folders). */
  byName(name: string): TemplateModule[] {
    return this.allPaths()
      .filter((path) => path.endsWith(`/${name}`) && templateName(path) === name)
      .flatMap((path) => {
        const module = this.module(path);
        return module ? [module] : [];
      })
      .sort((a, b) => Number(a.isAppTemplate) - Number(b.isAppTemplate));
  }

  private build(path: string, text: string): TemplateModule {
    const lines = new LineIndex(text);
    const templateOutline = outline(text);
    const suppressions: SuppressionComment[] = [];
    let skipFile = false;
    for (const comment of templateOutline.comments) {
      if (comment.kind !== 'inline') continue;
      if (/^cache-coach:\s*skip-file\b/.test(comment.text)) skipFile = true;
      const suppression = parseSuppression(text.slice(comment.start, comment.end), comment.start, lines.positionAt(comment.start).line);
      if (suppression) suppressions.push(suppression);
    }
    const folder = TEMPLATE_FOLDER.exec(path);
    const containing = folder ? path.slice(0, folder.index + (folder[1] ? 1 : 0)) : '';
    return {
      path,
      text,
      lines,
      outline: templateOutline,
      dialect: /\.(jinja2?|j2)$/.test(path) || folder?.[2] === 'jinja2' ? 'jinja2' : 'django',
      name: templateName(path),
      isAppTemplate: containing !== '' && this.packageFolders(containing.replace(/\/$/, '')),
      suppressions,
      skipFile,
    };
  }
}

/** `shop/catalog/templates/catalog/list.html` -> `catalog/list.html` (below the last templates/ or jinja2/ folder). */
export function templateName(path: string): string {
  const parts = path.split('/');
  let folder = -1;
  parts.forEach((part, index) => {
    if ((part === 'templates' || part === 'jinja2') && index < parts.length - 1) folder = index;
  });
  return parts.slice(folder + 1).join('/');
}
