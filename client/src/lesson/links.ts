/**
 * The lesson's link format, without VS Code: `<scheme>://cache-coach.cache-coach/lesson?section=<id>`,
 * `/quiz` and `/simulator` (uri-handler.ts builds and handles them inside the editor).
 */

export const EXTENSION_ID = 'cache-coach.cache-coach';

/**
 * What a URI asks for: `{ target }` (a section id, rule code, `quiz`, `simulator`, or undefined for the
 * start), or `undefined` when it is not one of ours.
 */
export function parseLessonUri(uri: { path: string; query: string }): { target: string | undefined } | undefined {
  const path = uri.path.replace(/\/+$/, '');
  if (path === '/quiz') return { target: 'quiz' };
  if (path === '/simulator') return { target: 'simulator' };
  if (path !== '/lesson' && path !== '') return undefined;
  const section = new URLSearchParams(uri.query).get('section') ?? undefined;
  if (section !== undefined && !/^[A-Za-z0-9-]{1,80}$/.test(section)) return undefined;
  return { target: section || undefined };
}
