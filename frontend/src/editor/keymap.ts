// Every keyboard shortcut of the editor in one table: the key handler (pages/EditorPage.tsx) runs
// the first entry that matches, the help overlay (`?`) lists them. Delete is React Flow's own
// (deleteKeyCode, with onBeforeDelete in Canvas.tsx): listed here, matched there.

export type ShortcutId =
  | "save"
  | "run"
  | "debug"
  | "step"
  | "breakpoint"
  | "undo"
  | "redo"
  | "copy"
  | "paste"
  | "selectAll"
  | "togglePalette"
  | "toggleCode"
  | "toggleConsole"
  | "fitView"
  | "help";

export interface Shortcut {
  id: ShortcutId | "delete" | "quickAdd";
  group: "File and run" | "Debug" | "Edit" | "View";
  /** How the keys are shown, one entry per alternative. */
  keys: string[];
  description: string;
  /** Null: handled elsewhere (the canvas), shown in the help only. */
  match: ((e: KeyboardEvent) => boolean) | null;
  /** Also while typing in a field or the code panel. */
  whileTyping?: boolean;
  /** Keep the browser's own action too (copy keeps the native copy of selected text). */
  keepDefault?: boolean;
}

const mod = (e: KeyboardEvent) => e.ctrlKey || e.metaKey;
const key = (e: KeyboardEvent) => e.key.toLowerCase();

export const KEYMAP: readonly Shortcut[] = [
  { id: "save", group: "File and run", keys: ["Ctrl+S"], description: "Save the graph", match: (e) => mod(e) && key(e) === "s", whileTyping: true },
  { id: "run", group: "File and run", keys: ["Ctrl+Enter"], description: "Run the graph", match: (e) => mod(e) && e.key === "Enter", whileTyping: true },
  { id: "debug", group: "Debug", keys: ["F5"], description: "Debug run, or continue a paused one", match: (e) => !mod(e) && e.key === "F5", whileTyping: true },
  { id: "step", group: "Debug", keys: ["F10"], description: "Step to the next node", match: (e) => !mod(e) && e.key === "F10", whileTyping: true },
  { id: "breakpoint", group: "Debug", keys: ["F9"], description: "Toggle the breakpoint of the selected nodes", match: (e) => !mod(e) && e.key === "F9" },
  { id: "undo", group: "Edit", keys: ["Ctrl+Z"], description: "Undo", match: (e) => mod(e) && key(e) === "z" && !e.shiftKey },
  {
    id: "redo",
    group: "Edit",
    keys: ["Ctrl+Shift+Z", "Ctrl+Y"],
    description: "Redo",
    match: (e) => mod(e) && ((key(e) === "z" && e.shiftKey) || key(e) === "y"),
  },
  { id: "copy", group: "Edit", keys: ["Ctrl+C"], description: "Copy the selected nodes", match: (e) => mod(e) && key(e) === "c", keepDefault: true },
  { id: "paste", group: "Edit", keys: ["Ctrl+V"], description: "Paste nodes", match: (e) => mod(e) && key(e) === "v" },
  { id: "selectAll", group: "Edit", keys: ["Ctrl+A"], description: "Select every node", match: (e) => mod(e) && key(e) === "a" },
  { id: "delete", group: "Edit", keys: ["Delete", "Backspace"], description: "Delete the selected nodes and wires", match: null },
  { id: "quickAdd", group: "Edit", keys: ["Double-click"], description: "Search and add a node at the pointer", match: null },
  {
    id: "togglePalette",
    group: "View",
    keys: ["Ctrl+B"],
    description: "Show or hide the node palette",
    match: (e) => mod(e) && !e.altKey && !e.shiftKey && key(e) === "b",
    whileTyping: true,
  },
  {
    id: "toggleCode",
    group: "View",
    keys: ["Ctrl+Alt+B"],
    description: "Show or hide the code panel",
    match: (e) => mod(e) && e.altKey && (key(e) === "b" || e.code === "KeyB"),
    whileTyping: true,
  },
  {
    id: "toggleConsole",
    group: "View",
    keys: ["Ctrl+`"],
    description: "Show or hide the console",
    match: (e) => mod(e) && (e.key === "`" || e.code === "Backquote"),
    whileTyping: true,
  },
  { id: "fitView", group: "View", keys: ["Shift+1"], description: "Fit the graph in view", match: (e) => e.shiftKey && !mod(e) && e.code === "Digit1" },
  { id: "help", group: "View", keys: ["?"], description: "Show these shortcuts", match: (e) => e.key === "?" && !mod(e) },
];

/** The shortcut a key press means here, if any (`typing`: the focus is in a text field). */
type KeyedShortcut = Shortcut & { id: ShortcutId; match: (e: KeyboardEvent) => boolean };
const keyed = (s: Shortcut): s is KeyedShortcut => s.match !== null && s.id !== "delete" && s.id !== "quickAdd";

export function shortcutFor(e: KeyboardEvent, typing: boolean): KeyedShortcut | null {
  for (const s of KEYMAP) {
    if (!keyed(s) || (typing && !s.whileTyping)) continue;
    if (s.match(e)) return s;
  }
  return null;
}

/** Whether the key goes to a text field (input, textarea, select, the code panel). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.tagName === "INPUT" ||
    target.tagName === "TEXTAREA" ||
    target.tagName === "SELECT" ||
    target.isContentEditable ||
    Boolean(target.closest(".cm-editor"))
  );
}
