/**
 * The site's theme: VitePress's default theme, plus the component that
 * draws the lessons' mermaid diagrams and a few styles (custom.css).
 */

import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import MermaidDiagram from './MermaidDiagram.vue';
import './custom.css';
import { MERMAID_COMPONENT } from '../mermaid-fences.ts';

const theme: Theme = {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component(MERMAID_COMPONENT, MermaidDiagram);
  },
};

export default theme;
