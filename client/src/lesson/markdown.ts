/**
 * Lesson Markdown -> HTML for the panel, with markdown-it and raw HTML switched off: every character of
 * the lesson's text reaches the page escaped, so the data cannot inject markup. On top of markdown-it:
 *  - links to sections (`#section-id` or `lesson:section-id`) get `data-section`, which the page follows;
 *  - fences drop the words after the language (`python runnable id=x` shows as Python), and an `output`
 *    fence is shown as the output of the example above it;
 *  - table alignment becomes a class (the page's CSP allows no inline styles);
 *  - images become their alt text (the page loads nothing but its own script and style sheet);
 *  - code is coloured here, when the lesson is rendered, by highlight.js: the page receives spans with
 *    `hljs-*` classes that its style sheet colours from the theme, so it needs no script and no inline
 *    style for it (the CSP allows neither).
 */
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import django from 'highlight.js/lib/languages/django';
import ini from 'highlight.js/lib/languages/ini';
import javascript from 'highlight.js/lib/languages/javascript';
import python from 'highlight.js/lib/languages/python';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import MarkdownIt from 'markdown-it';

// The languages of the lesson's fences (python, django, ts, sh, toml) and what they embed (HTML).
for (const [name, language] of Object.entries({ bash, django, ini, javascript, python, typescript, xml })) hljs.registerLanguage(name, language);

/** The code as HTML: highlighted when the language is known (highlight.js escapes the text), else escaped. */
function codeHtml(code: string, language: string, escape: (text: string) => string): string {
  if (!language || !hljs.getLanguage(language)) return escape(code);
  try {
    return hljs.highlight(code, { language, ignoreIllegals: true }).value;
  } catch {
    return escape(code);
  }
}

type Token = ReturnType<MarkdownIt['parse']>[number];

export interface MarkdownOptions {
  /** Section ids that links may open. */
  sections: ReadonlySet<string>;
}

export function createMarkdown(options: MarkdownOptions): MarkdownIt {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: false });
  const escape = md.utils.escapeHtml;

  md.core.ruler.push('cache_coach_links_and_tables', (state) => {
    const walk = (tokens: Token[]): void => {
      for (const token of tokens) {
        if (token.type === 'link_open') {
          const href = token.attrGet('href') ?? '';
          const target = /^#([a-z0-9-]+)$/.exec(href)?.[1] ?? /^lesson:([a-z0-9-]+)$/.exec(href)?.[1];
          if (target !== undefined) {
            token.attrSet('href', `#${target}`);
            if (options.sections.has(target)) token.attrSet('data-section', target);
            else token.attrSet('class', 'broken-link');
          } else if (/^https?:\/\//i.test(href)) {
            token.attrSet('class', 'external');
          }
        }
        if (token.type === 'th_open' || token.type === 'td_open') {
          const style = token.attrGet('style');
          const align = style && /text-align:\s*(left|right|center)/.exec(style)?.[1];
          if (token.attrs) token.attrs = token.attrs.filter(([name]) => name !== 'style');
          if (align) token.attrSet('class', `align-${align}`);
        }
        if (token.children) walk(token.children);
      }
    };
    walk(state.tokens);
  });

  md.renderer.rules.fence = (tokens, index) => {
    const token = tokens[index]!;
    const language = (token.info.trim().split(/\s+/)[0] ?? '').toLowerCase();
    if (language === 'output') return `<div class="example-output"><div class="label">Output</div><pre><code>${escape(token.content)}</code></pre></div>\n`;
    const label = language && /^[a-z0-9+#-]{1,20}$/.test(language) ? language : '';
    const code = codeHtml(token.content, label, escape);
    return `<pre class="code"${label ? ` data-language="${label}"` : ''}><code class="hljs${label ? ` language-${label}` : ''}">${code}</code></pre>\n`;
  };
  md.renderer.rules.image = (tokens, index) => `<span class="image-alt">${escape(tokens[index]!.content)}</span>`;
  return md;
}
