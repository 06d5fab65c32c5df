/** The shape of one hover entry; its own module so the doc tables and cache-api.ts do not import each other. */
export interface ApiDoc {
  /** e.g. "cache.set" */
  title: string;
  /** Python signature as Django defines it, e.g. "cache.set(key, value, timeout=DEFAULT_TIMEOUT, version=None)" */
  signature: string;
  /** What it does, 1-3 sentences (Markdown). */
  summary: string;
  /** The pitfall that bites in production, 1-2 sentences (Markdown). Omit only when there is none worth saying. */
  pitfall?: string;
  /** Lesson section id the hover links to, one of LESSON_SECTIONS. */
  lessonSection: string;
  /** Django version that introduced it, when later than 3.2 (e.g. "4.0"). */
  since?: string;
}
