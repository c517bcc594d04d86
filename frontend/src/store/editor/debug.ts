// The debug slice (docs/debugging.md): breakpoints (kept per graph in this browser's storage,
// outside the document), the trace of a debug run (counts, wire values, the current node),
// pauses with their variables, and the dimming of statement nodes a finished run never reached.

import { type Catalogue, type NodeLike, portsOf } from "../../lib/graph";
import type { FlowNode } from "./flow";
import type { EditorSlice } from "./types";

/** A variable of the paused script, as the server describes it (docs/debugging.md). */
export interface DebugVariable {
  name: string;
  type: string;
  repr: string;
  scope: "global" | "local";
}

interface PausedAt {
  nodeId: string;
  /** "breakpoint", "step" or "exception". */
  reason: string;
}

/** One `trace` event: absolute counts and value reprs of what changed since the last one. */
export interface TraceDelta {
  counts?: Record<string, number>;
  values?: Record<string, string>;
  current?: string | null;
}

export interface DebugState {
  /** Which graph the breakpoints belong to (they are kept per graph, outside the document). */
  graphKey: string | null;
  /** Node ids with a breakpoint. */
  breakpoints: Record<string, true>;
  /** A debug run was sent and has not ended. */
  debugging: boolean;
  /** How many times each node ran in the last debug run. */
  runCounts: Record<string, number>;
  /** The last value (a short repr) that went through each data edge in the last debug run. */
  wireValues: Record<string, string>;
  /** The node running now. */
  currentNodeId: string | null;
  /** Statement nodes the finished debug run never reached. */
  dimmed: Record<string, true>;
  paused: PausedAt | null;
  /** The variables of the last pause (kept, greyed, while the run goes on). */
  variables: DebugVariable[];
}

export interface DebugActions {
  /** Chooses the graph whose breakpoints are shown (restored from this browser's storage). */
  setGraphKey(key: string | null): void;
  /** Adds or removes a breakpoint on a statement node; false for a node that cannot take one. */
  toggleBreakpoint(nodeId: string): boolean;
  /** The breakpoints on statement nodes of the current graph, as sent with a debug run. */
  activeBreakpoints(): string[];
  /** A run starts: the last run's counts and values go; `debug` tells whether this one traces. */
  startRun(debug: boolean): void;
  applyTrace(delta: TraceDelta): void;
  setPaused(at: PausedAt, variables: DebugVariable[]): void;
  /** A resume was sent: the run goes on (the variables stay, greyed, until the next pause). */
  resumed(): void;
  /** The run ended; `reached` (it ran, rather than being refused or lost) dims the statement nodes it never reached. */
  endRun(reached: boolean): void;
}

/** A statement node: it has an execution input, so a debug run counts it and can stop before it. */
export function isStatementNode(node: Pick<NodeLike, "type" | "data">, catalogue: Catalogue): boolean {
  const def = catalogue[node.type ?? ""];
  return Boolean(def && portsOf(def, node.data.params).some((p) => p.kind === "exec" && p.direction === "input"));
}

/** The dimming rule: statement nodes that never ran. */
export function unreachedNodes(nodes: readonly FlowNode[], catalogue: Catalogue, counts: Record<string, number>): Record<string, true> {
  const out: Record<string, true> = {};
  for (const n of nodes) if (!counts[n.id] && isStatementNode(n, catalogue)) out[n.id] = true;
  return out;
}

const BREAKPOINTS_KEY = "nodeengine.breakpoints.";
/** No trace of a run: what a new run, a loaded document or an edit of the graph leaves. */
export const NO_TRACE = { runCounts: {}, wireValues: {}, currentNodeId: null, dimmed: {} } satisfies Partial<DebugState>;

function loadBreakpoints(key: string | null): Record<string, true> {
  if (!key) return {};
  try {
    const ids: unknown = JSON.parse(localStorage.getItem(BREAKPOINTS_KEY + key) ?? "[]");
    return Array.isArray(ids) ? Object.fromEntries(ids.filter((id) => typeof id === "string").map((id) => [id, true as const])) : {};
  } catch {
    return {};
  }
}

function storeBreakpoints(key: string | null, breakpoints: Record<string, true>): void {
  if (!key) return;
  try {
    const ids = Object.keys(breakpoints);
    if (ids.length) localStorage.setItem(BREAKPOINTS_KEY + key, JSON.stringify(ids));
    else localStorage.removeItem(BREAKPOINTS_KEY + key);
  } catch {
    // No storage (private mode, tests): the breakpoints still live in the store for this visit.
  }
}

export const createDebugSlice: EditorSlice<DebugState & DebugActions> = (set, get) => ({
  graphKey: null,
  breakpoints: {},
  debugging: false,
  ...NO_TRACE,
  paused: null,
  variables: [],

  setGraphKey(key) {
    if (key === get().graphKey) return;
    set({ graphKey: key, breakpoints: loadBreakpoints(key) });
  },

  toggleBreakpoint(nodeId) {
    const { nodes, catalogue, breakpoints, graphKey } = get();
    const node = nodes.find((n) => n.id === nodeId);
    if (get().readOnly) return false;
    const next = { ...breakpoints };
    if (breakpoints[nodeId]) delete next[nodeId];
    else if (node && isStatementNode(node, catalogue)) next[nodeId] = true;
    else return false;
    set({ breakpoints: next });
    storeBreakpoints(graphKey, next);
    return true;
  },

  activeBreakpoints() {
    const { nodes, catalogue, breakpoints } = get();
    return nodes.filter((n) => breakpoints[n.id] && isStatementNode(n, catalogue)).map((n) => n.id);
  },

  startRun(debug) {
    set({ ...NO_TRACE, debugging: debug, paused: null, variables: [] });
  },

  applyTrace(delta) {
    const s = get();
    if (!s.debugging) return;
    const patch: Partial<DebugState> = {};
    if (delta.counts && Object.keys(delta.counts).length) patch.runCounts = { ...s.runCounts, ...delta.counts };
    if (delta.values && Object.keys(delta.values).length) patch.wireValues = { ...s.wireValues, ...delta.values };
    if (delta.current !== undefined && delta.current !== s.currentNodeId) patch.currentNodeId = delta.current;
    if (Object.keys(patch).length) set(patch);
  },

  setPaused(at, variables) {
    if (!get().debugging) return;
    set({ paused: at, variables });
  },

  resumed() {
    set({ paused: null });
  },

  endRun(reached) {
    const s = get();
    if (!s.debugging) return;
    set({ debugging: false, paused: null, currentNodeId: null, dimmed: reached ? unreachedNodes(s.nodes, s.catalogue, s.runCounts) : {} });
  },
});
