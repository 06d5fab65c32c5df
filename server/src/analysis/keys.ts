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
  const pattern = deleted
    .split(HOLE)
    .map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`, 's').test(stored);
}

const CONTENT_ADDRESS_WORDS = /(hash|digest|checksum|sha\d*|md5|version|fingerprint|etag|crc)/i;

/** A key that names its content (a hash, a version): the entry cannot go stale, so it needs no invalidation. */
export function isContentAddressed(keySourceText: string): boolean {
  return CONTENT_ADDRESS_WORDS.test(keySourceText);
}
