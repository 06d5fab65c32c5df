/** The lesson's files as the extension reads them (by path relative to lessons/), from this checkout. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadLesson, type LessonContent } from '../../client/src/lesson/content';

export const LESSONS = join(__dirname, '..', '..', 'lessons');

export function loadRepoLesson(): Promise<LessonContent> {
  return loadLesson((relative) => readFile(join(LESSONS, ...relative.split('/')), 'utf8'));
}
