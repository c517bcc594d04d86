// The editor's one store: the graph being edited (in React Flow's shapes), its history, the
// catalogue and the latest compile result. Actions are plain functions so tests drive them
// without React.

import { applyEdgeChanges, applyNodeChanges, type Edge, type EdgeChange, type Node, type NodeChange } from "@xyflow/react";
import { useStore } from "zustand";
import { createStore, type StoreApi } from "zustand/vanilla";

import { EXEC_COLOR, typeColor } from "../lib/colors";
import { documentKey } from "../lib/document";
import {
  autoArrange,
  type Catalogue,
  type ClipboardPayload,
  type ConnectionLike,
  checkConnection,
  cleanEdge,
  cleanNode,
  copyNodeData,
  copySelection,
  defaultParams,
  type EdgeLike,
  findPort,
  type NodeLike,
  newId,
  parseClipboard,
  pasteNodes,
  portsOf,
  pruneDanglingEdges,
} from "../lib/graph";
import type { Category, CompileResult, Diagnostic, GraphDocument, GraphNode, GraphNodeData, NodeTypeDef, PinValue, TypeCompatibility } from "../lib/types";

export type FlowNode = Node<GraphNodeData>;
export type FlowEdge = Edge;

interface Snapshot {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

const HISTORY_LIMIT = 200;
const CLIPBOARD_KEY = "nodeengine.clipboard";
const COALESCE_MS = 1200;

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

interface EditorState {
  catalogue: Catalogue;
  categories: Category[];
  /** Which data types may be wired into which, as the backend serves it with the catalogue. */
  typeCompatibility: TypeCompatibility;
  nodes: FlowNode[];
  edges: FlowEdge[];
  past: Snapshot[];
  future: Snapshot[];
  /** Grows on every content change (not on selection), drives compile and drafts. */
  contentSeq: number;
  /** documentKey() of the saved (or loaded) document. */
  savedKey: string;
  /** What is on screen differs from the saved document (undo back to it is clean again). */
  dirty: boolean;
  lastCoalesceKey: string | null;
  lastCoalesceAt: number;
  compile: CompileResult | null;
  compileError: string | null;
  diagnosticsByNode: Record<string, Diagnostic[]>;
  linesByNode: Record<string, number[]>;
  /** The node whose Python raised in the last run (exit.node_id). */
  raisedNodeId: string | null;
  /** The exception of the last run, as the Problems list shows it (with a link to the node). */
  runtimeError: string | null;
  notice: string | null;
  pasteCount: number;
  // ---- debug runs (docs/debugging.md) ----
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
  /** A graph shown to be read and run, not edited (someone's shared graph): every edit is refused. */
  readOnly: boolean;
}

interface EditorActions {
  setCatalogue(nodes: NodeTypeDef[], categories?: Category[], typeCompatibility?: TypeCompatibility): void;
  /** Shows a document; `saved` (default: the same one) is what it is compared with for `dirty`. */
  load(doc: GraphDocument, saved?: GraphDocument): void;
  /** The document `doc` (default: the one on screen) is now the saved one. */
  markSaved(doc?: GraphDocument): void;
  onNodesChange(changes: NodeChange<FlowNode>[]): void;
  onEdgesChange(changes: EdgeChange<FlowEdge>[]): void;
  checkpoint(coalesceKey?: string): void;
  commitMove(): void;
  connect(conn: ConnectionLike): boolean;
  addNode(type: string, position: { x: number; y: number }, from?: PendingWire | null): string | null;
  setParam(nodeId: string, paramId: string, value: unknown): void;
  /** Types a value on a data input (undefined clears it); kept while the port is wired. */
  setInputValue(nodeId: string, portId: string, value: PinValue | undefined): void;
  setLabel(nodeId: string, label: string): void;
  deleteSelected(): void;
  /** Removes nodes (with their wires) and wires, as one undo step. */
  removeElements(nodeIds: readonly string[], edgeIds: readonly string[]): void;
  deleteEdge(id: string): void;
  selectOnly(ids: string[]): void;
  selectAll(): void;
  undo(): void;
  redo(): void;
  copy(): ClipboardPayload | null;
  paste(payload?: ClipboardPayload | null): void;
  arrange(): void;
  setCompile(result: CompileResult | null, error?: string | null): void;
  setRaisedNode(id: string | null, message?: string | null): void;
  setNotice(text: string | null): void;
  document(): GraphDocument;
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
  setReadOnly(readOnly: boolean): void;
}

/** A wire dragged from a port and dropped on empty canvas, waiting for the quick-add choice. */
export interface PendingWire {
  nodeId: string;
  handleId: string;
  handleType: "source" | "target";
}

export type EditorStore = EditorState & EditorActions;

function decorateEdge(edge: EdgeLike, nodes: readonly NodeLike[], catalogue: Catalogue): FlowEdge {
  const port = findPort(nodes, catalogue, edge.source, edge.sourceHandle);
  const exec = port?.kind === "exec";
  return {
    id: edge.id,
    source: edge.source,
    sourceHandle: edge.sourceHandle,
    target: edge.target,
    targetHandle: edge.targetHandle,
    className: exec ? "edge-exec" : "edge-data",
    style: exec ? { stroke: EXEC_COLOR, strokeWidth: 2.5 } : { stroke: typeColor(port?.type), strokeWidth: 2 },
  };
}

function toFlowNode(n: GraphNode): FlowNode {
  return { id: n.id, type: n.type, position: { ...n.position }, data: copyNodeData(n.data) };
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
const NO_TRACE = { runCounts: {}, wireValues: {}, currentNodeId: null, dimmed: {} } satisfies Partial<EditorState>;

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

function indexDiagnostics(result: CompileResult | null): Pick<EditorState, "diagnosticsByNode" | "linesByNode"> {
  const diagnosticsByNode: Record<string, Diagnostic[]> = {};
  const linesByNode: Record<string, number[]> = {};
  if (result) {
    // biome-ignore lint/suspicious/noAssignInExpressions: `(map[key] ??= []).push(value)` groups by key.
    for (const d of result.diagnostics) if (d.node_id) (diagnosticsByNode[d.node_id] ??= []).push(d);
    // biome-ignore lint/suspicious/noAssignInExpressions: as above.
    for (const [line, nodeId] of Object.entries(result.source_map)) (linesByNode[nodeId] ??= []).push(Number(line));
  }
  return { diagnosticsByNode, linesByNode };
}

export function createEditorStore(): StoreApi<EditorStore> {
  return createStore<EditorStore>()((set, get) => {
    const snapshot = (): Snapshot => ({ nodes: get().nodes, edges: get().edges });
    const dirtyFor = (nodes: readonly FlowNode[], edges: readonly FlowEdge[], savedKey = get().savedKey) => documentKey({ nodes, edges }) !== savedKey;
    // An edit of the graph makes the last debug run's counts and values stale: they go.
    const changed = (extra: Partial<EditorState>): void => {
      if (get().readOnly) return;
      set((s) => {
        const next = { ...NO_TRACE, ...extra, contentSeq: s.contentSeq + 1 };
        return { ...next, dirty: dirtyFor(next.nodes ?? s.nodes, next.edges ?? s.edges, s.savedKey) };
      });
    };
    /**
     * The one way a wire is added (a drop on a port, or a node added at the end of a dragged
     * wire): checked by the connection rules, replacing the wire it displaces. Null when refused.
     */
    const withWire = (conn: ConnectionLike, nodes: readonly FlowNode[], edges: readonly FlowEdge[]): { edges: FlowEdge[] } | { reason: string } => {
      const { catalogue, typeCompatibility } = get();
      const verdict = checkConnection(conn, nodes, edges, catalogue, typeCompatibility);
      if (!verdict.ok) return { reason: verdict.reason };
      const edge = decorateEdge(
        { id: newId("e"), source: conn.source ?? "", sourceHandle: conn.sourceHandle ?? "", target: conn.target ?? "", targetHandle: conn.targetHandle ?? "" },
        nodes,
        catalogue,
      );
      const drop = new Set(verdict.replaces);
      return { edges: [...edges.filter((e) => !drop.has(e.id)), edge] };
    };
    const validSelection = (): Set<string> =>
      new Set(
        get()
          .nodes.filter((n) => n.selected)
          .map((n) => n.id),
      );

    return {
      catalogue: {},
      categories: [],
      typeCompatibility: {},
      nodes: [],
      edges: [],
      past: [],
      future: [],
      contentSeq: 0,
      savedKey: documentKey({ nodes: [], edges: [] }),
      dirty: false,
      lastCoalesceKey: null,
      lastCoalesceAt: 0,
      compile: null,
      compileError: null,
      diagnosticsByNode: {},
      linesByNode: {},
      raisedNodeId: null,
      runtimeError: null,
      notice: null,
      pasteCount: 0,
      graphKey: null,
      breakpoints: {},
      debugging: false,
      ...NO_TRACE,
      paused: null,
      variables: [],
      readOnly: false,

      setCatalogue(defs, categories, typeCompatibility = {}) {
        const catalogue: Catalogue = {};
        for (const d of defs) catalogue[d.type] = d;
        const derived = categories ?? [...new Set(defs.map((d) => d.category))].map((id) => ({ id, title: id }));
        set({ catalogue, categories: derived, typeCompatibility });
        const { nodes, edges } = get();
        if (edges.length) set({ edges: edges.map((e) => decorateEdge(e, nodes, catalogue)) });
      },

      load(doc, saved) {
        const nodes = (doc.nodes ?? []).map(toFlowNode);
        const { catalogue } = get();
        const edges = (doc.edges ?? []).map((e) => decorateEdge(e, nodes, catalogue));
        const savedKey = documentKey(saved ?? { nodes, edges });
        set((s) => ({
          nodes,
          edges,
          past: [],
          future: [],
          contentSeq: s.contentSeq + 1,
          savedKey,
          dirty: dirtyFor(nodes, edges, savedKey),
          lastCoalesceKey: null,
          raisedNodeId: null,
          runtimeError: null,
          ...NO_TRACE,
        }));
      },

      markSaved(doc) {
        const savedKey = documentKey(doc ?? { nodes: get().nodes, edges: get().edges });
        set((s) => ({ savedKey, dirty: dirtyFor(s.nodes, s.edges, savedKey) }));
      },

      checkpoint(coalesceKey) {
        if (get().readOnly) return;
        const now = Date.now();
        const s = get();
        if (coalesceKey && s.lastCoalesceKey === coalesceKey && now - s.lastCoalesceAt < COALESCE_MS) {
          set({ lastCoalesceAt: now });
          return;
        }
        const past = [...s.past, snapshot()];
        if (past.length > HISTORY_LIMIT) past.shift();
        set({ past, future: [], lastCoalesceKey: coalesceKey ?? null, lastCoalesceAt: now });
      },

      onNodesChange(changes) {
        // Removal goes through removeElements (React Flow's onBeforeDelete, one undo step); here
        // only moves, sizes, selection.
        const relevant = changes.filter((c) => c.type !== "remove" && c.type !== "add" && c.type !== "replace");
        if (relevant.length === 0) return;
        set((s) => ({ nodes: applyNodeChanges(relevant, s.nodes) }));
      },

      onEdgesChange(changes) {
        const relevant = changes.filter((c) => c.type === "select");
        if (relevant.length === 0) return;
        set((s) => ({ edges: applyEdgeChanges(relevant, s.edges) }));
      },

      commitMove() {
        if (get().readOnly) return;
        // Positions changed during a drag that began with a checkpoint: count it as content (but
        // a move keeps the run's counts and values: the graph means the same).
        set((s) => ({ lastCoalesceKey: null, contentSeq: s.contentSeq + 1, dirty: dirtyFor(s.nodes, s.edges, s.savedKey) }));
      },

      connect(conn) {
        if (get().readOnly) return false;
        const { nodes, edges } = get();
        const result = withWire(conn, nodes, edges);
        if ("reason" in result) {
          set({ notice: result.reason });
          return false;
        }
        get().checkpoint();
        changed({ edges: result.edges, notice: null });
        return true;
      },

      addNode(type, position, from) {
        const { catalogue, readOnly } = get();
        const def = catalogue[type];
        if (!def || readOnly) return null;
        get().checkpoint();
        const id = newId("n");
        const node: FlowNode = { id, type, position, data: { params: defaultParams(def) }, selected: true };
        const nodes = [...get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node];
        let edges = get().edges;
        if (from) {
          // Join the dragged wire to the first port of the new node that takes it.
          const wantDirection = from.handleType === "source" ? "input" : "output";
          for (const p of portsOf(def, node.data.params).filter((q) => q.direction === wantDirection)) {
            const conn =
              from.handleType === "source"
                ? { source: from.nodeId, sourceHandle: from.handleId, target: id, targetHandle: p.id }
                : { source: id, sourceHandle: p.id, target: from.nodeId, targetHandle: from.handleId };
            const result = withWire(conn, nodes, edges);
            if ("edges" in result) {
              edges = result.edges;
              break;
            }
          }
        }
        changed({ nodes, edges });
        return id;
      },

      setParam(nodeId, paramId, value) {
        get().checkpoint(`param:${nodeId}:${paramId}`);
        const { catalogue } = get();
        const nodes = get().nodes.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, params: { ...n.data.params, [paramId]: value } } } : n));
        const node = nodes.find((n) => n.id === nodeId);
        let edges = get().edges;
        if (node?.type && catalogue[node.type]?.dynamic_ports?.length) {
          const kept = new Set(pruneDanglingEdges(nodes, edges, catalogue).map((e) => e.id));
          if (kept.size !== edges.length) edges = edges.filter((e) => kept.has(e.id));
        }
        changed({ nodes, edges });
      },

      setInputValue(nodeId, portId, value) {
        const node = get().nodes.find((n) => n.id === nodeId);
        if (!node || node.data.inputs?.[portId] === value) return;
        get().checkpoint(`input:${nodeId}:${portId}`);
        const inputs = { ...node.data.inputs };
        if (value === undefined) delete inputs[portId];
        else inputs[portId] = value;
        const data: GraphNodeData = { ...node.data, inputs };
        // No empty `inputs` record: a node without typed values keeps the shape it had before.
        if (Object.keys(inputs).length === 0) delete data.inputs;
        changed({ nodes: get().nodes.map((n) => (n.id === nodeId ? { ...n, data } : n)) });
      },

      setLabel(nodeId, label) {
        get().checkpoint(`label:${nodeId}`);
        changed({ nodes: get().nodes.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, label } } : n)) });
      },

      deleteSelected() {
        get().removeElements(
          [...validSelection()],
          get()
            .edges.filter((e) => e.selected)
            .map((e) => e.id),
        );
      },

      removeElements(nodeIds, edgeIds) {
        const { nodes, edges } = get();
        const doomed = new Set(nodeIds);
        const doomedEdges = new Set(edgeIds);
        const keptNodes = nodes.filter((n) => !doomed.has(n.id));
        const keptEdges = edges.filter((e) => !doomedEdges.has(e.id) && !doomed.has(e.source) && !doomed.has(e.target));
        if (keptNodes.length === nodes.length && keptEdges.length === edges.length) return;
        get().checkpoint();
        changed({ nodes: keptNodes, edges: keptEdges });
      },

      deleteEdge(id) {
        get().checkpoint();
        changed({ edges: get().edges.filter((e) => e.id !== id) });
      },

      selectOnly(ids) {
        const wanted = new Set(ids);
        set((s) => ({
          nodes: s.nodes.map((n) => (Boolean(n.selected) === wanted.has(n.id) ? n : { ...n, selected: wanted.has(n.id) })),
          edges: s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
        }));
      },

      selectAll() {
        set((s) => ({ nodes: s.nodes.map((n) => (n.selected ? n : { ...n, selected: true })) }));
      },

      undo() {
        const { past, future } = get();
        const previous = past[past.length - 1];
        if (!previous) return;
        changed({ past: past.slice(0, -1), future: [snapshot(), ...future], ...previous, lastCoalesceKey: null });
      },

      redo() {
        const { past, future } = get();
        const next = future[0];
        if (!next) return;
        changed({ past: [...past, snapshot()], future: future.slice(1), ...next, lastCoalesceKey: null });
      },

      copy() {
        const selected = validSelection();
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
        let source = payload ?? null;
        if (!source) {
          try {
            source = parseClipboard(localStorage.getItem(CLIPBOARD_KEY));
          } catch {
            source = null;
          }
        }
        source ??= memoryClipboard;
        if (!source || source.nodes.length === 0) return;
        const { catalogue } = get();
        const known = { ...source, nodes: source.nodes.filter((n) => catalogue[n.type] || Object.keys(catalogue).length === 0) };
        const step = get().pasteCount + 1;
        const pasted = pasteNodes(known, { x: 40 * step, y: 40 * step });
        get().checkpoint();
        const all = [
          ...get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
          ...pasted.nodes.map((n) => ({ ...toFlowNode(n), selected: true })),
        ];
        changed({
          nodes: all,
          edges: [...get().edges, ...pasted.edges.map((e) => decorateEdge(e, all, catalogue))],
          pasteCount: step,
        });
      },

      arrange() {
        const { nodes, edges } = get();
        if (nodes.length === 0) return;
        get().checkpoint();
        const positions = autoArrange(nodes, edges);
        changed({ nodes: nodes.map((n) => ({ ...n, position: positions.get(n.id) ?? n.position })) });
      },

      setCompile(result, error = null) {
        set({ compile: result, compileError: error, ...indexDiagnostics(result) });
      },

      setRaisedNode(id, message = null) {
        set({ raisedNodeId: id, runtimeError: id ? message : null });
      },

      setNotice(text) {
        set({ notice: text });
      },

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
        const patch: Partial<EditorState> = {};
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

      setReadOnly(readOnly) {
        if (readOnly !== get().readOnly) set({ readOnly });
      },

      document() {
        return {
          nodes: get().nodes.map(cleanNode),
          edges: get().edges.map(cleanEdge),
        };
      },
    };
  });
}

let memoryClipboard: ClipboardPayload | null = null;

export const editorStore = createEditorStore();

export function useEditor<T>(selector: (s: EditorStore) => T): T {
  return useStore(editorStore, selector);
}

// One index of wired inputs per edges array (edges change far less often than nodes, which
// change on every drag frame), so 500 nodes each asking "which of my inputs are wired?" cost one
// pass over the edges instead of 500.
const wiredIndex = new WeakMap<readonly FlowEdge[], Map<string, string>>();

/**
 * The ids of a node's wired input ports, sorted and joined by newlines: a string, so that a
 * component selecting it re-renders only when its own wiring changes.
 */
export function wiredInputsOf(edges: readonly FlowEdge[], nodeId: string): string {
  let index = wiredIndex.get(edges);
  if (!index) {
    const lists = new Map<string, string[]>();
    for (const e of edges) {
      if (!e.targetHandle) continue;
      const list = lists.get(e.target);
      if (list) list.push(e.targetHandle);
      else lists.set(e.target, [e.targetHandle]);
    }
    index = new Map([...lists].map(([id, handles]) => [id, [...new Set(handles)].sort().join("\n")]));
    wiredIndex.set(edges, index);
  }
  return index.get(nodeId) ?? "";
}
