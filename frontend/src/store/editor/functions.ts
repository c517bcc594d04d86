// The functions slice: graphs used as nodes (`graph` nodes, docs/catalogue.md "Graphs as
// functions"), and what they share with library nodes, whose ports also come from a pinned
// version (broken wires, re-pinning; the library itself is store/editor/library.ts). It keeps the signature of each pinned revision the editor has read (a `graph`
// node's ports come from it), what it knows of each used graph (its name, whether it came from
// the gallery), and the wires broken by a signature that changed (shown in red, never removed).
// Reading them from the server is editor/useGraphFunctions.ts; this slice only holds the results.

import { defaultParams, newId } from "../../lib/graph";
import { libraryOf, pinnedDefOf, pinnedVersionOf } from "../../lib/library";
import {
  brokenWiresOf,
  GRAPH_NODE_TYPE,
  type GraphRef,
  graphPinnedPorts,
  graphRefOf,
  type PinnedPorts,
  type Signature,
  type SignatureTable,
  signatureKey,
} from "../../lib/signature";
import type { Params } from "../../lib/types";
import { changed } from "./document";
import { decorateEdge, type FlowNode } from "./flow";
import type { EditorSlice, EditorState } from "./types";

/** What the editor knows of a graph used as a node. */
export interface UsedGraph {
  name: string;
  /** Someone else's graph from the gallery (opened at /gallery/{id}, copied when saved). */
  gallery: boolean;
  /** Its latest version, when read. */
  latest?: number;
}

export interface FunctionsState {
  signatures: SignatureTable;
  /** By graph id. */
  usedGraphs: Readonly<Record<string, UsedGraph>>;
  /** Revisions whose signature could not be read, by signatureKey: why. */
  signatureProblems: Readonly<Record<string, string>>;
  /** Wires ending on a port their `graph` node no longer has, by edge id: why (lib/signature.ts). */
  brokenWires: Readonly<Record<string, string>>;
}

export interface FunctionsActions {
  /** Keeps a revision's signature (and what is known of its graph); the wires are redrawn with its port types. */
  learnSignature(ref: GraphRef, signature: Signature, graph?: UsedGraph): void;
  signatureFailed(ref: GraphRef, message: string): void;
  /** Learns the names of graphs (a list of the user's graphs, say), keeping what else is known of each. */
  knowGraphs(graphs: Readonly<Record<string, UsedGraph>>): void;
  /** Adds a `graph` node pinned to `ref` (one undo step); its id, or null when read-only. */
  addGraphNode(ref: GraphRef, position: { x: number; y: number }): string | null;
  /** Pins a `graph` or library node to another version (one undo step). Its wires stay, broken ones in red. */
  repinNode(nodeId: string, version: number): void;
}

/** The name a used graph is shown by: its name once read, else its id. */
export function usedGraphName(state: Pick<FunctionsState, "usedGraphs">, graphId: number): string {
  return state.usedGraphs[String(graphId)]?.name ?? `graph #${graphId}`;
}

const every = () => true;

/** A library node's pinned ports (it decides all its handles: even `exec` goes when a function turns pure), or null. */
export function libraryPinnedPorts(node: { type?: string; data: { params: Params } }, catalogue: EditorState["catalogue"]): PinnedPorts | null {
  const def = catalogue[node.type ?? ""];
  const library = libraryOf(def);
  const version = pinnedVersionOf(node.data.params);
  const pinned = def && version !== null ? pinnedDefOf(def, node.data.params) : undefined;
  if (!library || version === null || !pinned) return null;
  return { version, name: library.name, ids: new Set(pinned.ports.map((p) => p.id)), decides: every };
}

/** The broken wires of the graph on screen, recomputed from the state (cheap: one pass over the wires). */
export function computeBrokenWires(s: Pick<EditorState, "nodes" | "edges" | "signatures" | "usedGraphs" | "catalogue">): Record<string, string> {
  const name = (ref: GraphRef) => usedGraphName(s, ref.graphId);
  return brokenWiresOf(s.nodes, s.edges, (node) => graphPinnedPorts(node, s.signatures, name) ?? libraryPinnedPorts(node, s.catalogue));
}

export const createFunctionsSlice: EditorSlice<FunctionsState & FunctionsActions> = (set, get) => ({
  signatures: {},
  usedGraphs: {},
  signatureProblems: {},
  brokenWires: {},

  learnSignature(ref, signature, graph) {
    const key = signatureKey(ref);
    const { [key]: _, ...problems } = get().signatureProblems;
    const usedGraphs = graph ? { ...get().usedGraphs, [String(ref.graphId)]: { ...get().usedGraphs[String(ref.graphId)], ...graph } } : get().usedGraphs;
    const signatures = { ...get().signatures, [key]: signature };
    const { nodes, edges, catalogue } = get();
    // The wires of its nodes take the colours of the port types now known.
    const users = new Set(nodes.filter((n) => n.type === GRAPH_NODE_TYPE && graphRefOf(n.data.params) !== null).map((n) => n.id));
    const redrawn = edges.map((e) => (users.has(e.source) ? decorateEdge(e, nodes, catalogue, signatures) : e));
    set({ signatures, usedGraphs, signatureProblems: problems, edges: redrawn });
  },

  signatureFailed(ref, message) {
    set({ signatureProblems: { ...get().signatureProblems, [signatureKey(ref)]: message } });
  },

  knowGraphs(graphs) {
    const usedGraphs = { ...get().usedGraphs };
    for (const [id, graph] of Object.entries(graphs)) usedGraphs[id] = { ...usedGraphs[id], ...graph };
    set({ usedGraphs });
  },

  addGraphNode(ref, position) {
    const { catalogue, readOnly } = get();
    const def = catalogue[GRAPH_NODE_TYPE];
    if (!def || readOnly) return null;
    get().checkpoint();
    const id = newId("n");
    const node: FlowNode = {
      id,
      type: GRAPH_NODE_TYPE,
      position,
      data: { params: { ...defaultParams(def), graph_id: ref.graphId, version: ref.version } },
      selected: true,
    };
    changed(set, get, { nodes: [...get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node] });
    return id;
  },

  repinNode(nodeId, version) {
    const node = get().nodes.find((n) => n.id === nodeId);
    const pinned = node && (node.type === GRAPH_NODE_TYPE || libraryOf(get().catalogue[node.type ?? ""]));
    if (!node || !pinned || node.data.params.version === version) return;
    get().checkpoint();
    const nodes = get().nodes.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, params: { ...n.data.params, version } } } : n));
    const edges = get().edges.map((e) => (e.source === nodeId ? decorateEdge(e, nodes, get().catalogue, get().signatures) : e));
    changed(set, get, { nodes, edges });
  },
});
