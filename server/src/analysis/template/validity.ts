/** Whether an edit broke a template's structure: what Django would now read as text or leave unclosed. */
import { outline, tokenize } from './lexer.js';

/** A fix broke a template when it left more stray `{%`/`{{`/`{#` in text, or more unclosed `{% cache %}` blocks, than before. */
export function templateStructureBroken(original: string, fixed: string): boolean {
  return damage(fixed) > damage(original);
}

function damage(text: string): number {
  const stray = tokenize(text).filter((token) => token.kind === 'text' && /\{[%{#]/.test(token.contents)).length;
  const unclosed = outline(text).cacheBlocks.filter((block) => !block.close).length;
  return stray + unclosed;
}
