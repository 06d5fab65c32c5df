/**
 * Key templates, shared by every language: a cache key expression becomes a string in which every
 * part the linter cannot know is `{}` (`f"order:{pk}"`, `"order:%s" % pk` and `` `order:${id}` `` are
 * all `order:{}`). Stores and invalidations are matched through these templates.
 */

export const HOLE = '{}';

/** Joins template pieces, collapsing neighbouring holes. */
export function joinTemplate(pieces: readonly string[]): string {
  return pieces.join('').replace(/(\{\})+/g, HOLE);
}

/** True when the template has no literal text at all: nothing can be matched on it. */
export function isOpaque(template: string): boolean {
  return template.split(HOLE).every((piece) => piece.trim() === '');
}

export function isConstantTemplate(template: string): boolean {
  return !template.includes(HOLE);
}

/**
 * Whether an invalidation of `deleted` removes entries stored under `stored`. Holes in the deleted
 * template match anything; an opaque deleted template matches nothing (it would silence every finding).
 */
export function invalidates(deleted: string, stored: string): boolean {
  if (deleted === stored) return true;
  if (isOpaque(deleted)) return false;
  // A glob match (holes are `.*`), without a RegExp: V8 refuses literals over 32,767 characters.
  const pieces = deleted.split(HOLE);
  if (pieces.length === 1) return false;
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  if (stored.length < first.length + last.length || !stored.startsWith(first) || !stored.endsWith(last)) return false;
  const end = stored.length - last.length;
  let at = first.length;
  // The leftmost place for each middle piece leaves the most room for the rest.
  for (const piece of pieces.slice(1, -1)) {
    const found = stored.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

const CONTENT_ADDRESS_WORDS = /(hash|digest|checksum|sha\d*|md5|version|fingerprint|etag|crc)/i;

/** A key that names its content (a hash, a version): the entry cannot go stale, so it needs no invalidation. */
export function isContentAddressed(keySourceText: string): boolean {
  return CONTENT_ADDRESS_WORDS.test(keySourceText);
}
