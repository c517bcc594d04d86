// The look of the editor's CodeMirror views (the code panel, the "New node from Python" dialog):
// colours from the page's theme variables and syntax colours for each theme.

import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { EditorView } from "@codemirror/view";
import { tags as t } from "@lezer/highlight";

// Colors from the page's theme variables (index.css), so the panel follows the light/dark switch.
export const theme = EditorView.theme({
  "&": { backgroundColor: "var(--ne-code-bg)", color: "var(--ne-code-text)" },
  ".cm-gutters": { backgroundColor: "var(--ne-code-bg)", color: "var(--ne-code-gutter)", border: "none" },
  ".cm-activeLine": { backgroundColor: "transparent" },
  ".cm-activeLineGutter": { backgroundColor: "transparent" },
  "&.cm-focused .cm-cursor": { borderLeftColor: "#38bdf8" },
  ".cm-selectionBackground, &.cm-focused .cm-selectionBackground": { backgroundColor: "var(--ne-code-selection) !important" },
});

// Syntax colors with AA contrast on each theme's background.
const darkHighlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.definitionKeyword, t.moduleKeyword, t.operatorKeyword], color: "#c4a7ff" },
  { tag: [t.string, t.special(t.string)], color: "#86efac" },
  { tag: [t.number, t.bool, t.null], color: "#fdba74" },
  { tag: [t.comment, t.lineComment], color: "#94a3b8", fontStyle: "italic" },
  { tag: [t.function(t.variableName), t.function(t.propertyName), t.definition(t.function(t.variableName))], color: "#7dd3fc" },
  { tag: [t.className, t.definition(t.className)], color: "#fcd34d" },
]);
const lightHighlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.definitionKeyword, t.moduleKeyword, t.operatorKeyword], color: "#6d28d9" },
  { tag: [t.string, t.special(t.string)], color: "#166534" },
  { tag: [t.number, t.bool, t.null], color: "#9a3412" },
  { tag: [t.comment, t.lineComment], color: "#475569", fontStyle: "italic" },
  { tag: [t.function(t.variableName), t.function(t.propertyName), t.definition(t.function(t.variableName))], color: "#075985" },
  { tag: [t.className, t.definition(t.className)], color: "#854d0e" },
]);
export const highlightFor = (mode: "light" | "dark") => syntaxHighlighting(mode === "dark" ? darkHighlight : lightHighlight);
