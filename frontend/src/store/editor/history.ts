// The history slice: undo and redo over snapshots of the graph. Edits that come in quick
// succession under one key (typing in a field) make one step.

import { changed } from "./document";
import type { FlowEdge, FlowNode } from "./flow";
import type { EditorSlice, GetEditor } from "./types";

interface Snapshot {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

const HISTORY_LIMIT = 200;
const COALESCE_MS = 1200;

export interface HistoryState {
  past: Snapshot[];
  future: Snapshot[];
  lastCoalesceKey: string | null;
  lastCoalesceAt: number;
}

export interface HistoryActions {
  checkpoint(coalesceKey?: string): void;
  undo(): void;
  redo(): void;
}

const snapshot = (get: GetEditor): Snapshot => ({ nodes: get().nodes, edges: get().edges });

export const createHistorySlice: EditorSlice<HistoryState & HistoryActions> = (set, get) => ({
  past: [],
  future: [],
  lastCoalesceKey: null,
  lastCoalesceAt: 0,

  checkpoint(coalesceKey) {
    if (get().readOnly) return;
    const now = Date.now();
    const s = get();
    if (coalesceKey && s.lastCoalesceKey === coalesceKey && now - s.lastCoalesceAt < COALESCE_MS) {
      set({ lastCoalesceAt: now });
      return;
    }
    const past = [...s.past, snapshot(get)];
    if (past.length > HISTORY_LIMIT) past.shift();
    set({ past, future: [], lastCoalesceKey: coalesceKey ?? null, lastCoalesceAt: now });
  },

  undo() {
    const { past, future } = get();
    const previous = past[past.length - 1];
    if (!previous) return;
    changed(set, get, { past: past.slice(0, -1), future: [snapshot(get), ...future], ...previous, lastCoalesceKey: null });
  },

  redo() {
    const { past, future } = get();
    const next = future[0];
    if (!next) return;
    changed(set, get, { past: [...past, snapshot(get)], future: future.slice(1), ...next, lastCoalesceKey: null });
  },
});
