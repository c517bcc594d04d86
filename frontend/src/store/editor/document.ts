// The document slice: the graph on screen (nodes, wires), the catalogue it is checked against,
// and whether it differs from the saved document. Every edit of the content goes through
// `changed`, which also tells the other slices the graph moved on.

import { applyEdgeChanges, applyNodeChanges, type EdgeChange, type NodeChange } from "@xyflow/react";

import { documentKey } from "../../lib/document";
import { type Catalogue, cleanEdge, cleanNode } from "../../lib/graph";
import { libraryDefs } from "../../lib/library";
import type { Category, GraphDocument, NodeTypeDef, TypeCompatibility } from "../../lib/types";
import { NO_TRACE } from "./debug";
import { decorateEdge, type FlowEdge, type FlowNode, toFlowNode } from "./flow";
import type { EditorSlice, EditorState, GetEditor, SetEditor } from "./types";

export interface DocumentState {
  catalogue: Catalogue;
  categories: Category[];
  /** Which data types may be wired into which, as the backend serves it with the catalogue. */
  typeCompatibility: TypeCompatibility;
  nodes: FlowNode[];
  edges: FlowEdge[];
  /** Grows on every content change (not on selection), drives compile and drafts. */
  contentSeq: number;
  /** documentKey() of the saved (or loaded) document. */
  savedKey: string;
  /** What is on screen differs from the saved document (undo back to it is clean again). */
  dirty: boolean;
  notice: string | null;
  /** A graph shown to be read and run, not edited (someone's shared graph): every edit is refused. */
  readOnly: boolean;
}

export interface DocumentActions {
  setCatalogue(nodes: NodeTypeDef[], categories?: Category[], typeCompatibility?: TypeCompatibility): void;
  /** Shows a document; `saved` (default: the same one) is what it is compared with for `dirty`. */
  load(doc: GraphDocument, saved?: GraphDocument): void;
  /** The document `doc` (default: the one on screen) is now the saved one. */
  markSaved(doc?: GraphDocument): void;
  onNodesChange(changes: NodeChange<FlowNode>[]): void;
  onEdgesChange(changes: EdgeChange<FlowEdge>[]): void;
  commitMove(): void;
  selectOnly(ids: string[]): void;
  selectAll(): void;
  setNotice(text: string | null): void;
  setReadOnly(readOnly: boolean): void;
  document(): GraphDocument;
}

function isDirty(nodes: readonly FlowNode[], edges: readonly FlowEdge[], savedKey: string): boolean {
  return documentKey({ nodes, edges }) !== savedKey;
}

/**
 * Applies an edit of the graph's content (refused when read-only). An edit makes the last debug
 * run's counts and values stale: they go.
 */
export function changed(set: SetEditor, get: GetEditor, extra: Partial<EditorState>): void {
  if (get().readOnly) return;
  set((s) => {
    const next = { ...NO_TRACE, ...extra, contentSeq: s.contentSeq + 1 };
    return { ...next, dirty: isDirty(next.nodes ?? s.nodes, next.edges ?? s.edges, s.savedKey) };
  });
}

export const createDocumentSlice: EditorSlice<DocumentState & DocumentActions> = (set, get) => ({
  catalogue: {},
  categories: [],
  typeCompatibility: {},
  nodes: [],
  edges: [],
  contentSeq: 0,
  savedKey: documentKey({ nodes: [], edges: [] }),
  dirty: false,
  notice: null,
  readOnly: false,

  setCatalogue(defs, categories, typeCompatibility = {}) {
    const catalogue: Catalogue = {};
    for (const d of defs) catalogue[d.type] = d;
    // The user's own nodes stay: they are merged in from the node library, not from GET /api/nodes/.
    for (const d of libraryDefs(get().catalogue)) catalogue[d.type] ??= d;
    const derived = categories ?? [...new Set(defs.map((d) => d.category))].map((id) => ({ id, title: id }));
    set({ catalogue, categories: derived, typeCompatibility });
    const { nodes, edges } = get();
    if (edges.length) set({ edges: edges.map((e) => decorateEdge(e, nodes, catalogue, get().signatures)) });
  },

  load(doc, saved) {
    const nodes = (doc.nodes ?? []).map(toFlowNode);
    const { catalogue } = get();
    const edges = (doc.edges ?? []).map((e) => decorateEdge(e, nodes, catalogue, get().signatures));
    const savedKey = documentKey(saved ?? { nodes, edges });
    // A new document: no history, no problems of the last run, no trace of it.
    set((s) => ({
      nodes,
      edges,
      past: [],
      future: [],
      contentSeq: s.contentSeq + 1,
      savedKey,
      dirty: isDirty(nodes, edges, savedKey),
      lastCoalesceKey: null,
      raisedNodeId: null,
      runtimeError: null,
      ...NO_TRACE,
    }));
  },

  markSaved(doc) {
    const savedKey = documentKey(doc ?? { nodes: get().nodes, edges: get().edges });
    set((s) => ({ savedKey, dirty: isDirty(s.nodes, s.edges, savedKey) }));
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
    set((s) => ({ lastCoalesceKey: null, contentSeq: s.contentSeq + 1, dirty: isDirty(s.nodes, s.edges, s.savedKey) }));
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

  setNotice(text) {
    set({ notice: text });
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
});
