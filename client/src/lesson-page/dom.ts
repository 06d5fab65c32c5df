/// <reference lib="dom" />
/**
 * Building the page's DOM without HTML strings: text always goes in as text nodes, handlers are added
 * with addEventListener (the CSP forbids inline handlers), and the only HTML parsed is what the
 * extension rendered from the lesson's Markdown with raw HTML switched off (`trusted`).
 */

export type Child = Node | string | number | null | undefined | false | Child[];

export interface Props {
  class?: string;
  id?: string;
  attrs?: Record<string, string | number | boolean | undefined>;
  data?: Record<string, string>;
  on?: { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props | null = null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props) {
    if (props.class) element.className = props.class;
    if (props.id) element.id = props.id;
    for (const [name, value] of Object.entries(props.attrs ?? {})) {
      if (/^on/i.test(name)) throw new Error(`no inline handlers: ${name}`);
      if (value === undefined || value === false) continue;
      element.setAttribute(name, value === true ? '' : String(value));
    }
    for (const [name, value] of Object.entries(props.data ?? {})) element.dataset[name] = value;
    for (const [type, listener] of Object.entries(props.on ?? {})) element.addEventListener(type, listener as EventListener);
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/**
 * HTML the extension rendered from the lesson's own Markdown (markdown-it, raw HTML off: every text
 * character arrives escaped). Never used for anything the learner typed or a process printed.
 */
export function trusted(html: string, tag: 'div' | 'span' = 'div', className?: string): HTMLElement {
  const element = document.createElement(tag);
  if (className) element.className = className;
  element.innerHTML = html;
  return element;
}

/** Plain text where `backticks` become <code>: for messages and hints that come from processes. */
export function textWithCode(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  text.split(/(`[^`\n]+`)/).forEach((part) => {
    if (part.length > 2 && part.startsWith('`') && part.endsWith('`')) fragment.appendChild(h('code', null, part.slice(1, -1)));
    else if (part) fragment.appendChild(document.createTextNode(part));
  });
  return fragment;
}

export function clear(element: Element): void {
  while (element.firstChild) element.removeChild(element.firstChild);
}
