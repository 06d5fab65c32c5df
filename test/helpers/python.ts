/** Real Python and Django, to check that fixed files still parse and templates still compile. */
import { spawnSync } from 'node:child_process';

export const PYTHON = '/usr/bin/python3';

/** The SyntaxError message when `source` does not parse with CPython's ast module, or null. */
export function pythonSyntaxError(source: string): string | null {
  const result = spawnSync(PYTHON, ['-c', 'import ast, sys\ntry:\n    ast.parse(sys.stdin.read())\nexcept SyntaxError as error:\n    print(error)\n    sys.exit(1)'], {
    input: source,
    encoding: 'utf8',
  });
  if (result.error) throw result.error;
  return result.status === 0 ? null : result.stdout.trim() || result.stderr.trim();
}
