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
import { createHistorySlice } from "./history";
import type { EditorStore } from "./types";

export type { DebugVariable, TraceDelta } from "./debug";
export { isStatementNode, unreachedNodes } from "./debug";
export type { FlowEdge, FlowNode, PendingWire } from "./flow";
export { wiredInputsOf } from "./flow";
export type { EditorStore } from "./types";

export function createEditorStore(): StoreApi<EditorStore> {
  return createStore<EditorStore>()((...api) => ({
    ...createDocumentSlice(...api),
    ...createEditSlice(...api),
    ...createHistorySlice(...api),
    ...createClipboardSlice(...api),
    ...createCompileSlice(...api),
    ...createDebugSlice(...api),
  }));
}

export const editorStore = createEditorStore();

export function useEditor<T>(selector: (s: EditorStore) => T): T {
  return useStore(editorStore, selector);
}
