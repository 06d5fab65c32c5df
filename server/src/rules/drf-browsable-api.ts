/**
 * Django REST framework's browsable API: the HTML page DRF renders for a browser shows the logged-in
 * user's name (and a logout link and CSRF-protected forms). Cached by `cache_page` on the URL, the first
 * browser visitor's page is served to every later browser visitor (DRF varies only on Accept).
 */
import { dottedName, type Expr } from '../analysis/python/expr.js';
import { qualify, type ViewAttribute } from '../analysis/python/facts.js';
import type { PyModule, PythonProject } from '../analysis/python/project.js';
import { classAttribute, type PageCacheUse } from './view-resolution.js';

/** DRF's own defaults (rest_framework/settings.py). */
const DEFAULTS = { renderers: ['JSONRenderer', 'BrowsableAPIRenderer'], authentication: ['SessionAuthentication', 'BasicAuthentication'] };
/**
 * A login the browser carries by itself on a plain GET, so the page knows who is looking. Basic
 * authentication can too, but a browser session on an API that offers it alongside tokens is rare: left out.
 */
const BROWSER_AUTHENTICATION = /(^|\.)SessionAuthentication$/;
const BROWSABLE = /(^|\.)BrowsableAPIRenderer$/;

type ClassList = string[] | 'unknown';

export interface BrowsableApiEvidence {
  /** Where the browsable renderer comes from: a class attribute, a decorator, or the project's settings (or DRF's default). */
  source: string;
}

/** Whether the cached view is a DRF view rendered as the browsable API for a browser session that is logged in. */
export function browsableApiEvidence(use: PageCacheUse, project: PythonProject): BrowsableApiEvidence | undefined {
  const apiView = use.views.find(({ module, fn }) => fn.decorators.some((decorator) => qualifiedCallee(decorator.expr, module) === 'rest_framework.decorators.api_view'));
  const isDrfClass = use.libraryBases.some((base) => base.startsWith('rest_framework.'));
  if (!apiView && !isDrfClass) return undefined;
  const settings = drfSettings(project);
  const fromView = (attribute: ViewAttribute, decorator: string): ClassList | undefined => {
    if (apiView) {
      const applied = apiView.fn.decorators.find((candidate) => qualifiedCallee(candidate.expr, apiView.module) === `rest_framework.decorators.${decorator}`);
      return applied && applied.expr.kind === 'call' ? classList(applied.expr.args[0], apiView.module) : undefined;
    }
    const found = classAttribute(use, attribute);
    return found ? classList(found.expr, found.module) : undefined;
  };
  const renderers = fromView('renderer_classes', 'renderer_classes');
  const authentication = fromView('authentication_classes', 'authentication_classes') ?? settings.authentication;
  const effectiveRenderers = renderers ?? settings.renderers;
  if (effectiveRenderers === 'unknown' || authentication === 'unknown') return undefined;
  if (!effectiveRenderers.some((name) => BROWSABLE.test(name)) || !authentication.some((name) => BROWSER_AUTHENTICATION.test(name))) return undefined;
  return { source: renderers ? 'renderer_classes' : settings.renderersFromSettings ? 'REST_FRAMEWORK settings' : "DRF's default renderers" };
}

function qualifiedCallee(expr: Expr, module: PyModule): string | null {
  return qualify(expr.kind === 'call' ? expr.callee : expr, module.facts.bindings);
}

/** A literal list of classes (names, dotted names or their import paths as strings), or 'unknown'. */
function classList(expr: Expr | undefined, module: PyModule): ClassList {
  if (!expr || expr.kind !== 'sequence') return 'unknown';
  const names: string[] = [];
  for (const item of expr.items) {
    if (item.kind === 'string') names.push(item.value);
    else {
      const name = qualify(item, module.facts.bindings) ?? dottedName(item);
      if (!name) return 'unknown';
      names.push(name);
    }
  }
  return names;
}

interface DrfSettings {
  renderers: ClassList;
  renderersFromSettings: boolean;
  authentication: ClassList;
}

/** Remembered per state of the project: its facts object is replaced whenever a file changes (and is cheap to ask for). */
const settingsByState = new WeakMap<object, DrfSettings>();

/**
 * DEFAULT_RENDERER_CLASSES and DEFAULT_AUTHENTICATION_CLASSES as the settings write them. Read only when
 * every mention of a key is an entry of a `REST_FRAMEWORK = {...}` literal assigned unconditionally and all
 * such entries agree; a key changed any other way (`REST_FRAMEWORK[...] += ...` under `if DEBUG:`) is unknown.
 */
function drfSettings(project: PythonProject): DrfSettings {
  const state = project.facts();
  const cached = settingsByState.get(state);
  if (cached) return cached;
  const entries = { renderers: [] as ClassList[], authentication: [] as ClassList[] };
  const mentions = { renderers: 0, authentication: 0 };
  for (const path of project.allPaths()) {
    if (!path.endsWith('.py')) continue;
    const text = project.textOf(path);
    if (text === undefined || !text.includes('REST_FRAMEWORK')) continue;
    mentions.renderers += text.split('DEFAULT_RENDERER_CLASSES').length - 1;
    mentions.authentication += text.split('DEFAULT_AUTHENTICATION_CLASSES').length - 1;
    const module = project.module(path);
    if (!module) continue;
    for (const assignment of module.facts.assignments) {
      if (assignment.name !== 'REST_FRAMEWORK' || assignment.guard !== 'none' || assignment.value.kind !== 'dict') continue;
      for (const entry of assignment.value.entries) {
        if (entry.key?.kind !== 'string') continue;
        if (entry.key.value === 'DEFAULT_RENDERER_CLASSES') entries.renderers.push(classList(entry.value, module));
        if (entry.key.value === 'DEFAULT_AUTHENTICATION_CLASSES') entries.authentication.push(classList(entry.value, module));
      }
    }
  }
  const settle = (found: ClassList[], mentioned: number, fallback: string[]): ClassList => {
    if (mentioned === 0) return fallback;
    if (found.length !== mentioned || found.some((list) => list === 'unknown')) return 'unknown';
    const lists = found as string[][];
    const first = JSON.stringify(lists[0]);
    return lists.every((list) => JSON.stringify(list) === first) ? lists[0] : 'unknown';
  };
  const settings: DrfSettings = {
    renderers: settle(entries.renderers, mentions.renderers, DEFAULTS.renderers),
    renderersFromSettings: mentions.renderers > 0,
    authentication: settle(entries.authentication, mentions.authentication, DEFAULTS.authentication),
  };
  settingsByState.set(state, settings);
  return settings;
}
