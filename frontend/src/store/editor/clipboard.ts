// The clipboard slice: copy the selected nodes (to this browser's storage, so another tab can
// paste them) and paste them, each paste a step further from the original.

import { type ClipboardPayload, copySelection, parseClipboard, pasteNodes } from "../../lib/graph";
import { changed } from "./document";
import { decorateEdge, selectedNodeIds, toFlowNode } from "./flow";
import type { EditorSlice } from "./types";

const CLIPBOARD_KEY = "nodeengine.clipboard";

export interface ClipboardState {
  pasteCount: number;
}

export interface ClipboardActions {
  copy(): ClipboardPayload | null;
  paste(payload?: ClipboardPayload | null): void;
}

let memoryClipboard: ClipboardPayload | null = null;

function readClipboard(): ClipboardPayload | null {
  try {
    return parseClipboard(localStorage.getItem(CLIPBOARD_KEY));
  } catch {
    return null;
  }
}

export const createClipboardSlice: EditorSlice<ClipboardState & ClipboardActions> = (set, get) => ({
  pasteCount: 0,

  copy() {
    const selected = selectedNodeIds(get().nodes);
    if (selected.size === 0) return null;
    const payload = copySelection(get().nodes, get().edges, selected);
    try {
      localStorage.setItem(CLIPBOARD_KEY, JSON.stringify(payload));
    } catch {
      // Storage full or disabled: the in-memory copy below still works within this tab.
    }
    memoryClipboard = payload;
    set({ pasteCount: 0, notice: `Copied ${payload.nodes.length} node${payload.nodes.length === 1 ? "" : "s"}.` });
    return payload;
  },

  paste(payload) {
    const source = payload ?? readClipboard() ?? memoryClipboard;
    if (!source || source.nodes.length === 0) return;
    const { catalogue } = get();
    const known = { ...source, nodes: source.nodes.filter((n) => catalogue[n.type] || Object.keys(catalogue).length === 0) };
    const step = get().pasteCount + 1;
    const pasted = pasteNodes(known, { x: 40 * step, y: 40 * step });
    get().checkpoint();
    const all = [...get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...pasted.nodes.map((n) => ({ ...toFlowNode(n), selected: true }))];
    changed(set, get, {
      nodes: all,
      edges: [...get().edges, ...pasted.edges.map((e) => decorateEdge(e, all, catalogue, get().signatures))],
      pasteCount: step,
    });
  },
});
