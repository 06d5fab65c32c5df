/** Python module names for file paths, and import resolution between the project's files. */

export function isPythonPath(path: string): boolean {
  return path.endsWith('.py') || path.endsWith('.pyi');
}

/**
 * A test module by its name (`test_views.py`, `views_tests.py`, `tests.py`, `conftest.py`) or its
 * folder (a file directly inside `tests/`): tests cache on purpose with throw-away keys and timeouts.
 * Only the file's own folder is looked at, never folders above it (they may lie above the project).
 * `test/` is not a tests folder: Django projects name apps so (DefectDojo's `dojo/test/`).
 */
export function isPythonTestPath(path: string): boolean {
  return /(?:^|\/)(?:test_[^/]*|[^/]*_tests?|tests|conftest)\.py$/.test(path) || /(?:^|\/)tests\/[^/]+\.py$/.test(path);
}

/** `a/b/c.py` -> `a.b.c`; `a/b/__init__.py` -> `a.b`. */
export function moduleNameOf(path: string): string {
  const withoutExtension = path.replace(/\.pyi?$/, '');
  const parts = withoutExtension.split('/').filter((part) => part !== '' && part !== '.');
  if (parts[parts.length - 1] === '__init__') parts.pop();
  return parts.join('.');
}

function packageOf(path: string): string[] {
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  parts.pop();
  return parts;
}

/** `a.b.c` -> `c`. */
function lastNameOf(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

/** Finds project files for dotted module names, matching the longest path suffix (no sys.path needed). */
export class ModuleResolver {
  /** Module names by file. */
  private readonly names = new Map<string, string>();
  /**
   * Files by the last part of their module name: an import names a module by a dotted suffix of its name, so its
   * last part picks the few files to compare. (One entry per file: indexing every suffix cost more than a scan of
   * a 4,000-module project's imports.)
   */
  private readonly byLastName = new Map<string, Set<string>>();

  constructor(paths: Iterable<string>) {
    for (const path of paths) this.add(path);
  }

  add(path: string): void {
    if (!isPythonPath(path)) return;
    const name = moduleNameOf(path);
    this.names.set(path, name);
    const last = lastNameOf(name);
    let paths = this.byLastName.get(last);
    if (!paths) this.byLastName.set(last, (paths = new Set()));
    paths.add(path);
  }

  remove(path: string): void {
    const name = this.names.get(path);
    if (name === undefined) return;
    this.names.delete(path);
    const last = lastNameOf(name);
    const paths = this.byLastName.get(last);
    paths?.delete(path);
    if (paths?.size === 0) this.byLastName.delete(last);
  }

  /** The file of module `name` imported from `fromPath` (relative names start with dots). */
  resolve(name: string, fromPath: string): string | undefined {
    if (name.startsWith('.')) {
      const dots = /^\.+/.exec(name)![0].length;
      const base = packageOf(fromPath);
      if (dots - 1 > base.length) return undefined;
      const packageParts = base.slice(0, base.length - (dots - 1));
      const rest = name.slice(dots).split('.').filter(Boolean);
      const stem = (fromPath.startsWith('/') ? '/' : '') + [...packageParts, ...rest].join('/');
      return this.firstExisting([`${stem}.py`, `${stem}/__init__.py`]);
    }
    const matches: string[] = [];
    for (const path of this.byLastName.get(lastNameOf(name)) ?? []) {
      const moduleName = this.names.get(path)!;
      if (moduleName === name || (moduleName.length > name.length && moduleName.endsWith(name) && moduleName[moduleName.length - name.length - 1] === '.')) matches.push(path);
    }
    if (matches.length === 0) return undefined;
    if (matches.length === 1) return matches[0];
    const from = fromPath.split('/');
    const shared = (candidate: string): number => {
      const parts = candidate.split('/');
      let count = 0;
      while (count < parts.length && count < from.length && parts[count] === from[count]) count++;
      return count;
    };
    return matches.sort((a, b) => shared(b) - shared(a) || a.length - b.length)[0];
  }

  private firstExisting(paths: string[]): string | undefined {
    return paths.find((path) => this.names.has(path));
  }
}
