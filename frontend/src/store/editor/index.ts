// The editor's one store: the graph being edited (in React Flow's shapes), its history, the
// catalogue, the latest compile result and the state of a debug run. It is put together from
// slices (zustand's slice pattern), each in its own module; every slice sees the whole store.
// Actions are plain functions so tests drive them without React.

import { useStore } from "zustand";
import { createStore, type StoreApi } from "zustand/vanilla";

import { createClipboardSlice } from "./clipboard";
import { createCompileSlice } from "./compile";
import { createDebugSlice } from "./debug";
import { createDocumentSlice } from "./document";
import { createEditSlice } from "./edit";
import { computeBrokenWires, createFunctionsSlice } from "./functions";
import { createHistorySlice } from "./history";
import { createLibrarySlice } from "./library";
import type { EditorStore } from "./types";

export type { DebugVariable, TraceDelta } from "./debug";
export { isStatementNode, unreachedNodes } from "./debug";
export type { FlowEdge, FlowNode, PendingWire } from "./flow";
export { wiredInputsOf, wiredOutputsOf } from "./flow";
export type { UsedGraph } from "./functions";
export { usedGraphName } from "./functions";
export type { LibraryDialogRequest, LibraryListing } from "./library";
export { libraryVersionKey } from "./library";
export type { EditorStore } from "./types";

export function createEditorStore(): StoreApi<EditorStore> {
  const store = createStore<EditorStore>()((...api) => ({
    ...createDocumentSlice(...api),
    ...createEditSlice(...api),
    ...createHistorySlice(...api),
    ...createClipboardSlice(...api),
    ...createCompileSlice(...api),
    ...createDebugSlice(...api),
    ...createFunctionsSlice(...api),
    ...createLibrarySlice(...api),
  }));
  // The broken wires follow every content change (contentSeq: edits, undo, loads) and every
  // signature or library version read (the catalogue), whichever slice made it; not a drag frame.
  store.subscribe((state, previous) => {
    if (
      state.contentSeq === previous.contentSeq &&
      state.signatures === previous.signatures &&
      state.usedGraphs === previous.usedGraphs &&
      state.catalogue === previous.catalogue
    )
      return;
    const broken = computeBrokenWires(state);
    if (!sameRecord(broken, state.brokenWires)) store.setState({ brokenWires: broken });
  });
  return store;
}

function sameRecord(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

export const editorStore = createEditorStore();

export function useEditor<T>(selector: (s: EditorStore) => T): T {
  return useStore(editorStore, selector);
}
