/** The sections of the Cache Coach lesson that hover docs and rules link to, in lesson order. */

export const LESSON_SECTION_TITLES: Readonly<Record<string, string>> = Object.freeze({
  'why-cache': 'Why cache, and what it costs',
  'low-level-api': 'The low-level cache API',
  timeouts: 'Timeouts and expiry',
  'cache-aside': 'The cache-aside pattern',
  'per-view-cache': 'Caching a whole view',
  'site-cache': 'The site-wide cache',
  'template-fragments': 'Template fragment caching',
  backends: 'Choosing a cache backend',
  'key-design': 'Designing cache keys',
  invalidation: 'Invalidation',
  'using-cache-coach': 'Using Cache Coach',
});

/** Every lesson section id, in lesson order. */
export const LESSON_SECTIONS: readonly string[] = Object.freeze(Object.keys(LESSON_SECTION_TITLES));

/** The human title of a lesson section ("Timeouts and expiry"), or the id itself when it is unknown. */
export function lessonSectionTitle(section: string): string {
  return Object.hasOwn(LESSON_SECTION_TITLES, section) ? LESSON_SECTION_TITLES[section]! : section;
}
