/**
 * Django settings modules: which are development/test settings, and whether an assignment in a settings
 * module (or a base module others star-import) ends up in production settings.
 */
import picomatch from 'picomatch';
import type { CacheCoachConfig } from '../config.js';
import type { ModuleAssignment } from './facts.js';
import type { PyModule, PythonProject } from './project.js';

const DEV_WORDS = new Set(['dev', 'development', 'local', 'test', 'tests', 'testing', 'ci']);

/**
 * The project a reusable app's repository keeps to run the app while developing or testing it (`devproject/`,
 * `testproject/`, `example_project/`): installations build their own project around the app.
 */
const DEV_PROJECT_SEGMENT = /^(dev|devel|development|test|testing|example)(project|site)$/i;

/** Development or test settings by whole path segments or `_`-separated words (`social` is not `ci`). */
export function isDevPathByName(path: string): boolean {
  const segments = path.replace(/\.pyi?$/, '').split('/');
  return segments.some((segment) => DEV_PROJECT_SEGMENT.test(segment.replace(/[_-]/g, '')) || segment.split(/[_\-.]/).some((word) => DEV_WORDS.has(word.toLowerCase())));
}

export class SettingsIndex {
  private importersCache: Map<string, PyModule[]> | undefined;
  private entryCache: Set<string> | undefined;
  private readonly productionMatcher: (path: string) => boolean;
  private readonly devMatcher: (path: string) => boolean;

  constructor(
    private readonly project: PythonProject,
    config: CacheCoachConfig,
    /** The path below its workspace folder: names and globs are judged on that, not on where the folder lives. */
    private readonly relative: (path: string) => string = (path) => path,
    /** The project file a shipped Dockerfile copies to a path below the project root (see Deployments.copiedTo). */
    private readonly copiedTo: (target: string) => string | undefined = () => undefined,
  ) {
    const matcher = (globs: string[]): ((path: string) => boolean) =>
      globs.length === 0 ? () => false : picomatch(globs, { dot: true, matchBase: !globs.some((glob) => glob.includes('/')) });
    this.productionMatcher = matcher(config.productionSettings);
    this.devMatcher = matcher(config.devSettings);
  }

  /** A module that assigns CACHES or MIDDLEWARE; Django's own defaults (django/conf/global_settings.py) are not a project's settings. */
  isSettingsModule(module: PyModule): boolean {
    if (/(^|\/)django\/conf\/global_settings\.py$/.test(module.path)) return false;
    return module.facts.assignments.some((assignment) => assignment.name === 'CACHES' || assignment.name === 'MIDDLEWARE');
  }

  isDevModule(path: string): boolean {
    const relative = this.relative(path);
    if (this.productionMatcher(relative)) return false;
    return this.devMatcher(relative) || isDevPathByName(relative) || isDocsSettingsPath(relative);
  }

  /** Whether this module-level assignment is in force in some production settings module. */
  reachesProduction(module: PyModule, assignment: ModuleAssignment): boolean {
    if (assignment.guard === 'debug' || assignment.guard === 'conditional') return false;
    if (this.importsLocalSettingsAfter(module, assignment)) return false;
    return this.moduleReachesProduction(module, assignment.name, new Set());
  }

  /** Whether the module's setting `name` (as it stands at the end of the module) is in force in some production settings module. */
  settingReachesProduction(module: PyModule, name: string): boolean {
    return this.moduleReachesProduction(module, name, new Set());
  }

  /** The assignment of `name` in force in this module (the last unguarded or not-debug one). */
  effectiveAssignment(module: PyModule, name: string): ModuleAssignment | undefined {
    const assignments = module.facts.assignments.filter((assignment) => assignment.name === name);
    return assignments[assignments.length - 1];
  }

  /** A module-level value as seen by the settings module, following its star imports. */
  settingValue(module: PyModule, name: string, visited = new Set<string>()): ModuleAssignment | undefined {
    const own = this.effectiveAssignment(module, name);
    if (own || visited.has(module.path)) return own;
    visited.add(module.path);
    for (const star of [...module.facts.starImports].reverse()) {
      const base = this.project.resolveModule(star.module, module.path);
      const found = base ? this.settingValue(base, name, visited) : undefined;
      if (found) return found;
    }
    return undefined;
  }

  /**
   * `from settings_local import *` after the assignment, of a module the repository does not hold: each
   * installation writes its own (Review Board's rb-site, `local_settings.py` kept out of git), and it may
   * set any value, so what the repository says is only a default.
   */
  private importsLocalSettingsAfter(module: PyModule, assignment: ModuleAssignment): boolean {
    return module.facts.starImports.some((star) => {
      if (star.span.start <= assignment.span.start || star.module.startsWith('django.') || this.holdsImportable(star.module, module.path)) return false;
      // The image the project ships puts one there (`COPY docker/settings_local.py .../shop/settings_local.py`):
      // that file is what production imports, and it replaces the value only if it sets it.
      const placed = this.placedByImage(star.module, module.path);
      if (placed) return placed.facts.assignments.some((local) => local.name === assignment.name) || placed.facts.mutatedNames.includes(assignment.name);
      return true;
    });
  }

  /** The module a shipped Dockerfile copies to where `name`, imported from `fromPath`, is looked up. */
  private placedByImage(name: string, fromPath: string): PyModule | undefined {
    const folder = this.relative(fromPath).split('/').slice(0, -1);
    const dots = /^\.*/.exec(name)![0].length;
    const parts = name.slice(dots).split('.');
    // `.settings_local` and a bare `settings_local` sit beside the importer; `shop.settings_local` below the root.
    const base = dots > 0 ? folder.slice(0, folder.length - (dots - 1)) : parts.length > 1 ? [] : folder;
    const target = [...base, ...parts].join('/') + '.py';
    const source = this.copiedTo(target);
    if (!source) return undefined;
    const path = this.project.allPaths().find((candidate) => this.relative(candidate) === source);
    return path ? this.project.module(path) : undefined;
  }

  /**
   * Whether the repository holds the module an import names. A bare name (`settings_local`) is found
   * on sys.path, which holds the importer's folder or one above it; a file of that name elsewhere
   * (documentation, packaging templates) is a look-alike.
   */
  private holdsImportable(name: string, fromPath: string): boolean {
    const target = this.project.resolveModule(name, fromPath);
    if (!target) return false;
    if (name.includes('.')) return true;
    const folder = (path: string): string => path.split('/').slice(0, -1).join('/');
    const targetFolder = folder(target.path);
    const importerFolder = folder(fromPath);
    return targetFolder === importerFolder || targetFolder === '' || importerFolder.startsWith(`${targetFolder}/`);
  }

  private moduleReachesProduction(module: PyModule, name: string, visited: Set<string>): boolean {
    if (visited.has(module.path)) return false;
    visited.add(module.path);
    if (this.productionMatcher(this.relative(module.path))) return true;
    if (this.isDevModule(module.path)) return false;
    // Run as the settings themselves (manage.py, wsgi.py or asgi.py names it), not only as a base of test settings.
    if (this.entryModules().has(module.path)) return true;
    const placement = this.splitSettingsPlacement(module);
    if (placement) {
      if (placement.selectors.some(isDevVariable)) return false;
      // The modules included after it run in the same namespace: it stays in force where one that runs does not replace it.
      const later = placement.later.filter((candidate) => !this.isDevModule(candidate.module.path) && !candidate.selectors.some(isDevVariable));
      if (later.length > 0) {
        return later.some(({ module: after }) => !after.facts.mutatedNames.includes(name) && !after.facts.assignments.some((assignment) => assignment.name === name && assignment.guard !== 'debug'));
      }
    }
    const importers = this.importersOf(module);
    if (importers.length === 0) return true;
    return importers.some((importer) => {
      const overrides =
        importer.facts.mutatedNames.includes(name) ||
        importer.facts.assignments.some((assignment) => assignment.name === name && assignment.guard !== 'debug') ||
        loadsSettingsAtRunTime(importer);
      return !overrides && this.moduleReachesProduction(importer, name, visited);
    });
  }

  /**
   * The environment variables whose condition selects this module in a django-split-settings `include(...)`
   * (`elif os.environ.get("IN_DOCKER"): base_settings.append("docker.py")`); empty when it is always included or
   * not included that way. A deployment that does not set one of them does not run the module.
   */
  selectingVariables(module: PyModule): string[] {
    return this.splitSettingsPlacement(module)?.selectors ?? [];
  }

  /**
   * Where a module sits in a django-split-settings `include(...)` of a module beside it (the package's
   * `__init__.py`): the variables of the condition that includes it, and the modules named after it (each with
   * its own), which run after it in the same namespace and so may replace its settings.
   */
  private splitSettingsPlacement(module: PyModule): { selectors: string[]; later: { module: PyModule; selectors: string[] }[] } | undefined {
    const folder = module.path.slice(0, module.path.lastIndexOf('/') + 1);
    const file = module.path.slice(folder.length);
    for (const path of this.project.allPaths()) {
      if (path === module.path || path.slice(0, path.lastIndexOf('/') + 1) !== folder) continue;
      const text = this.project.textOf(path) ?? '';
      if (!/\bsplit_settings\b/.test(text) || !/\binclude\s*\(/.test(text)) continue;
      const lines = text.split(/\r?\n/);
      const named: ({ file: string } & Selection)[] = [];
      lines.forEach((line, index) => {
        if (/^\s*#/.test(line)) return;
        for (const match of line.matchAll(/["']([\w.-]+\.py)["']/g)) named.push({ file: match[1], ...selectingCondition(lines, index) });
      });
      const position = named.findIndex((entry) => entry.file === file);
      if (position < 0) continue;
      const own = named[position];
      // Another branch of the same `if`/`elif`/`else` chain is an alternative: it never runs after this one.
      const alternative = (entry: Selection): boolean => own.branches.some((branch, depth) => entry.branches[depth] !== undefined && branch.chain === entry.branches[depth].chain && branch.header !== entry.branches[depth].header);
      const later = named.slice(position + 1).flatMap((entry) => {
        const after = entry.file === file || alternative(entry) ? undefined : this.project.hasPath(folder + entry.file) ? this.project.module(folder + entry.file) : undefined;
        return after ? [{ module: after, selectors: entry.selectors }] : [];
      });
      return { selectors: named[position].selectors, later };
    }
    return undefined;
  }

  /** Settings modules that `from <module> import *`. */
  private importersOf(module: PyModule): PyModule[] {
    if (!this.importersCache) {
      const importers = new Map<string, PyModule[]>();
      for (const candidate of this.possibleSettingsModules()) {
        for (const star of candidate.facts.starImports) {
          const target = this.project.resolveModule(star.module, candidate.path);
          if (target) importers.set(target.path, [...(importers.get(target.path) ?? []), candidate]);
        }
      }
      this.importersCache = importers;
    }
    return this.importersCache.get(module.path) ?? [];
  }

  /** The settings modules DJANGO_SETTINGS_MODULE names in the project's manage.py, wsgi.py and asgi.py. */
  private entryModules(): Set<string> {
    if (!this.entryCache) {
      this.entryCache = new Set();
      for (const path of this.project.allPaths()) {
        if (!/(^|\/)(manage|wsgi|asgi)\.py$/.test(path) || isDevPathByName(this.relative(path))) continue;
        for (const match of (this.project.textOf(path) ?? '').matchAll(SETTINGS_MODULE_REFERENCE)) {
          const module = this.project.resolveModule(match[1], path) ?? this.project.resolveModule(match[1], '');
          if (module) this.entryCache.add(module.path);
        }
      }
    }
    return this.entryCache;
  }

  /**
   * Modules that may be settings even when their text never mentions the cache (a production module that
   * only star-imports a base): those under a `settings` name, and those DJANGO_SETTINGS_MODULE names.
   */
  private possibleSettingsModules(): PyModule[] {
    const paths = new Set(this.project.candidateModules().map((module) => module.path));
    const named = new Set<string>();
    for (const path of this.project.allPaths()) {
      if (/(^|\/)(manage|wsgi|asgi)\.py$/.test(path)) {
        const text = this.project.textOf(path) ?? '';
        for (const match of text.matchAll(SETTINGS_MODULE_REFERENCE)) named.add(match[1]);
      }
    }
    for (const path of this.project.allPaths()) {
      if (/settings/i.test(path)) paths.add(path);
    }
    for (const name of named) {
      const module = this.project.resolveModule(name, '');
      if (module) paths.add(module.path);
    }
    return [...paths].flatMap((path) => {
      const text = this.project.textOf(path);
      const module = text?.includes('import *') ? this.project.module(path) : undefined;
      return module ? [module] : [];
    });
  }
}

interface Selection {
  /** The environment variables of the innermost `if`/`elif` that holds the line. */
  selectors: string[];
  /** The branches that hold the line, outermost first: the line of the chain's `if` and of the branch's own header. */
  branches: { chain: number; header: number }[];
}

/** Where line `index` sits in `if`/`elif`/`else` chains, and the variables of the condition that selects it. */
function selectingCondition(lines: string[], index: number): Selection {
  const indent = (line: string): number => /^\s*/.exec(line)![0].length;
  const branches: { chain: number; header: number }[] = [];
  let selectors: string[] | undefined;
  let level = indent(lines[index]);
  for (let i = index - 1; i >= 0 && level > 0; i--) {
    const line = lines[i];
    if (!line.trim() || /^\s*#/.test(line) || indent(line) >= level) continue;
    level = indent(line);
    const header = /^\s*(if|elif|else)\b(.*):\s*(#.*)?$/.exec(line);
    if (!header) continue;
    let chain = i;
    for (let j = i; j >= 0 && header[1] !== 'if'; j--) {
      if (!lines[j].trim() || indent(lines[j]) > level) continue;
      if (indent(lines[j]) < level) break;
      chain = j;
      if (/^\s*if\b/.test(lines[j])) break;
    }
    branches.unshift({ chain, header: i });
    if (selectors === undefined && header[1] !== 'else') {
      selectors = [...header[2].matchAll(/(?:getenv|environ\.get|\benv\w*)\s*\(\s*["']([A-Z][A-Z0-9_]*)["']|environ\s*\[\s*["']([A-Z][A-Z0-9_]*)["']/g)].map((match) => match[1] ?? match[2]);
    }
  }
  return { selectors: selectors ?? [], branches };
}

/** A variable that selects development or CI settings by its name (`GITHUB_CI`, `LOCAL_DEVELOPMENT`, `TESTING`). */
function isDevVariable(name: string): boolean {
  return name.split('_').some((word) => DEV_WORDS.has(word.toLowerCase()));
}

/**
 * `vars().update(config)` / `globals().update(...)` at module level: the module takes its settings from
 * a file or the environment at run time (Open edX's YAML), so any star-imported value may be replaced.
 */
function loadsSettingsAtRunTime(module: PyModule): boolean {
  return /\b(vars|globals)\(\s*\)\s*\.\s*update\s*\(/.test(module.text);
}

/** Settings used to build the documentation (Sphinx's `docs_settings.py`), never a deployment. */
export function isDocsSettingsPath(path: string): boolean {
  const file = path.split('/').pop() ?? '';
  return file.replace(/\.pyi?$/, '').split(/[_\-.]/).some((word) => word === 'docs' || word === 'sphinx');
}

const SETTINGS_MODULE_REFERENCE = /DJANGO_SETTINGS_MODULE["']?\s*[,=:]\s*["']([\w.]+)["']/g;
