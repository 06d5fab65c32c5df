import type { CacheBlock } from '../analysis/template/lexer.js';
import type { TemplateModule, TemplateProject } from '../analysis/template/project.js';
import type { TemplateSettings } from '../analysis/template/settings.js';
import type { Rule } from './rule.js';
import { argumentReferences, completeCacheBlocks, firstAtOrAfter, fragmentLabel, includedInBlock, isCurrentUserData, isInsideBody, lineOf, namesTheUser, variableReferences, type VariableReference } from './template-helpers.js';

const AUTH_PROCESSOR = 'django.contrib.auth.context_processors.auth';
const REQUEST_PROCESSOR = 'django.template.context_processors.request';

export const cache101: Rule = {
  code: 'CACHE101',
  name: 'fragment-missing-vary',
  severity: 'warning',
  span: 'the `{% cache %}` tag',
  fix: 'safe',
  lessonSection: 'template-fragments',
  docs: {
    summary: 'A cached template fragment shows the current user\'s data (`user`, `request.user`, `request.session`, `perms`, `messages`) but none of its vary-on values identifies the user.',
    why:
      'The key of a `{% cache %}` fragment is its name plus its vary-on values, nothing else: not the request, not the session. The first visitor\'s rendering is stored and every later visitor gets it until the timeout, so one customer\'s name, basket or staff links appear on everyone\'s page.',
    example: '{% load cache %}\n{% cache 600 account_menu %}\n  Signed in as {{ user.get_username }}\n{% endcache %}',
    useInstead: '{% load cache %}\n{% cache 600 account_menu user.pk %}\n  Signed in as {{ user.get_username }}\n{% endcache %}',
    cannotSee:
      'The fragment\'s own text and the templates it `{% include %}`s with a literal name are read (an include that passes `only` or rebinds `user` with `with` is not followed); a custom tag or inclusion tag that reads the user inside the block goes unnoticed, as does per-user data passed in under another name (list such names in `user-variables`). A name bound inside the template (`{% for user in authors %}`, `{% with user=post.author %}`, `… as user`) is taken as someone else, and any vary-on value that mentions the user (`user.pk`, `request.user.id`, `owner_user_id`) counts as varying on the user, whether or not it resolves at render time. Templates reached through `{% extends %}` are checked on their own. The fix writes `user.pk`, or `request.user.pk` when the settings configure the request context processor without the auth one: a vary-on value that does not resolve renders as an empty string and puts everyone back in one entry.',
  },
  checkTemplate({ template, templates, settings, config, report }) {
    const extra = config.userVariables.map((name) => name.split('.'));
    const userData = variableReferences(template).filter((reference) => !reference.shadowed && isCurrentUserData(reference.segments, extra));
    const blocks = completeCacheBlocks(template);
    if (userData.length === 0 && !blocks.some(({ block }) => template.outline.includes.some((tag) => isInsideBody(block, tag.token.start)))) return;
    for (const { block, args } of blocks) {
      const varied = args.varyOn.some((bit) => argumentReferences(bit).some((reference) => namesTheUser(reference.segments, extra)));
      if (varied) continue;
      const shown = userDataInBody(template, block, userData, templates, extra);
      if (!shown) continue;
      const value = varyValue(settings);
      const last = args.using ? undefined : block.open.bits[block.open.bits.length - 1];
      const edit = args.using ? { span: { start: args.using.start, end: args.using.start }, newText: `${value} ` } : { span: { start: last!.end, end: last!.end }, newText: ` ${value}` };
      report({
        span: { start: block.open.token.start, end: block.open.token.end },
        message: `The fragment ${fragmentLabel(args.name.text)} shows the current user's data (${shown}) but its key varies on nothing that identifies the user: the first visitor's copy is served to everyone.`,
        fixes: [{ title: `Vary the fragment on ${value}`, safety: 'safe', edits: [edit] }],
      });
    }
  },
};

/** Where the block's body shows the user's data: in its own text, or in a template it includes. */
function userDataInBody(template: TemplateModule, block: CacheBlock, userData: VariableReference[], templates: TemplateProject, extra: string[][]): string | undefined {
  // A nested block's own `{% cache %}` arguments are not references: only what the body renders counts.
  const used = userData[firstAtOrAfter(userData, block.bodyStart)];
  if (used && isInsideBody(block, used.start)) return `${template.text.slice(used.start, used.end)} on line ${lineOf(template, used.start)}`;
  for (const { tag, template: included } of includedInBlock(template, block, templates, ['user', 'request', 'perms', 'messages'])) {
    const reference = variableReferences(included).find((candidate) => !candidate.shadowed && isCurrentUserData(candidate.segments, extra));
    if (reference) return `${reference.segments.join('.')} in ${included.name}:${lineOf(included, reference.start)}, included on line ${lineOf(template, tag.token.start)}`;
  }
  return undefined;
}

/**
 * `user.pk`, unless the settings configure the request context processor without the auth one: then
 * only `request.user` exists (and a missing variable renders as '', one shared entry for everyone).
 */
function varyValue(settings: TemplateSettings): string {
  const processors = settings.contextProcessors;
  return settings.found && processors.has(REQUEST_PROCESSOR) && !processors.has(AUTH_PROCESSOR) ? 'request.user.pk' : 'user.pk';
}
