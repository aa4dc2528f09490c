/**
 * A markdown-it plugin that turns each ```mermaid fence into a
 * `<MermaidDiagram>` component (theme/MermaidDiagram.vue), which draws the
 * diagram in the browser. Every other fence keeps VitePress's highlighting.
 *
 * The source travels URI-encoded in the `graph` attribute: it can then hold
 * quotes, `<`, `>` and `{{ }}` without Vue's template compiler reading any of it.
 */

import type { MarkdownRenderer } from 'vitepress';

/** The component's tag, as registered by theme/index.ts. */
export const MERMAID_COMPONENT = 'MermaidDiagram';

/** Installs the renderer on `md`. Call it last, so it wraps VitePress's own fence rule. */
export function mermaidFences(md: MarkdownRenderer): void {
  const highlighted = md.renderer.rules.fence;
  if (highlighted === undefined) throw new Error('mermaidFences: markdown-it has no fence rule to wrap');
  md.renderer.rules.fence = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    if (token.info.trim() !== 'mermaid') return highlighted(tokens, idx, options, env, self);
    return `<${MERMAID_COMPONENT} graph="${encodeURIComponent(token.content)}" />\n`;
  };
}
