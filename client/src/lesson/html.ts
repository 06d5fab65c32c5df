/**
 * The lesson page's HTML: an empty shell, its style sheet and its one nonce'd script. The
 * Content-Security-Policy allows nothing else: no inline scripts or styles, no eval, no network, only
 * the webview's own resources (which localResourceRoots limits to the extension's media/).
 */

export interface PageResources {
  /** `webview.cspSource` */
  cspSource: string;
  /** The page script's webview URI (media/lesson/page.js). */
  scriptUri: string;
  /** The style sheet's webview URI (media/lesson/lesson.css). */
  styleUri: string;
  nonce: string;
}

const attr = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `img-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function lessonPageHtml(resources: PageResources): string {
  if (!/^[A-Za-z0-9+/=]{16,}$/.test(resources.nonce)) throw new Error('the nonce must be random base64 of at least 16 characters');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(resources.cspSource, resources.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${attr(resources.styleUri)}">
<title>Cache Coach: Lesson</title>
</head>
<body>
<div id="app" class="app" aria-live="polite"><p class="loading">Loading the lesson…</p></div>
<script nonce="${attr(resources.nonce)}" src="${attr(resources.scriptUri)}"></script>
</body>
</html>
`;
}
