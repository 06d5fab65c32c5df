/**
 * Which workspace files the analysis looks at, by path alone: shared by the Node walk (node/files.ts), the
 * Node server's scan and the browser server's scan, so it must not touch the file system (no Node APIs).
 */
import { isDeploymentPath } from '../analysis/deployment.js';
import { isTemplatePath } from '../analysis/template/project.js';
import { isPackageJsonPath, isTsconfigPath, isTypeScriptPath } from '../analysis/typescript/load.js';

/** Folders never worth reading: VCS data, dependencies, virtualenvs, caches, build output. */
export const SKIPPED_DIRECTORIES = new Set([
  '.git', '.hg', '.svn', 'node_modules', '__pycache__', '.venv', 'venv', '.env', 'env', '.tox', '.nox', '.mypy_cache',
  '.pytest_cache', '.ruff_cache', 'site-packages', 'build', 'dist', 'out', '.eggs', 'htmlcov', '.idea', '.vscode-test',
]);

/**
 * Whether the walk keeps a file: Python modules, templates (see analysis/template/project.ts), TS/JS
 * files, package.json (the TS rules read dependency versions from it) and tsconfig files (import aliases;
 * see analysis/typescript/load.ts), and the deployment files CACHE003 reads (Dockerfiles, compose files,
 * charts...: few, found by name; see analysis/deployment.ts).
 */
export function isAnalysedPath(path: string): boolean {
  return path.endsWith('.py') || isTemplatePath(path) || isTypeScriptPath(path) || isPackageJsonPath(path) || isTsconfigPath(path) || isDeploymentPath(path);
}
