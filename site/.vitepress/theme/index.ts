/**
 * The site's theme: VitePress's default theme, plus the component that
 * draws the lessons' mermaid diagrams.
 */

import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import MermaidDiagram from './MermaidDiagram.vue';
import { MERMAID_COMPONENT } from '../mermaid-fences.ts';

const theme: Theme = {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component(MERMAID_COMPONENT, MermaidDiagram);
  },
};

export default theme;
