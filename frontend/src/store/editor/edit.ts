// The edit slice: the actions that change the graph (wires, nodes, parameters, labels,
// deletions, layout). It has no state of its own: each action is one undo step (a checkpoint)
// followed by one content change.

import { autoArrange, type ConnectionLike, checkConnection, defaultParams, newId, portsOf, pruneDanglingEdges } from "../../lib/graph";
import type { GraphNodeData, NodeTypeDef, PinValue } from "../../lib/types";
import { changed } from "./document";
import { decorateEdge, type FlowEdge, type FlowNode, type PendingWire, selectedNodeIds } from "./flow";
import type { EditorSlice, GetEditor } from "./types";

export interface EditActions {
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
  arrange(): void;
}

/**
 * The one way a wire is added (a drop on a port, or a node added at the end of a dragged
 * wire): checked by the connection rules, replacing the wire it displaces. A reason when refused.
 */
function withWire(get: GetEditor, conn: ConnectionLike, nodes: readonly FlowNode[], edges: readonly FlowEdge[]): { edges: FlowEdge[] } | { reason: string } {
  const { catalogue, typeCompatibility, signatures } = get();
  const verdict = checkConnection(conn, nodes, edges, catalogue, typeCompatibility, signatures);
  if (!verdict.ok) return { reason: verdict.reason };
  const edge = decorateEdge(
    { id: newId("e"), source: conn.source ?? "", sourceHandle: conn.sourceHandle ?? "", target: conn.target ?? "", targetHandle: conn.targetHandle ?? "" },
    nodes,
    catalogue,
    signatures,
  );
  const drop = new Set(verdict.replaces);
  return { edges: [...edges.filter((e) => !drop.has(e.id)), edge] };
}

/** Joins the dragged wire `from` to the first port of the new node `node` that takes it. */
function joinPendingWire(get: GetEditor, from: PendingWire, def: NodeTypeDef, node: FlowNode, nodes: readonly FlowNode[], edges: FlowEdge[]): FlowEdge[] {
  const wantDirection = from.handleType === "source" ? "input" : "output";
  for (const p of portsOf(def, node.data.params, get().signatures).filter((q) => q.direction === wantDirection)) {
    const conn =
      from.handleType === "source"
        ? { source: from.nodeId, sourceHandle: from.handleId, target: node.id, targetHandle: p.id }
        : { source: node.id, sourceHandle: p.id, target: from.nodeId, targetHandle: from.handleId };
    const result = withWire(get, conn, nodes, edges);
    if ("edges" in result) return result.edges;
  }
  return edges;
}

export const createEditSlice: EditorSlice<EditActions> = (set, get) => ({
  connect(conn) {
    if (get().readOnly) return false;
    const { nodes, edges } = get();
    const result = withWire(get, conn, nodes, edges);
    if ("reason" in result) {
      set({ notice: result.reason });
      return false;
    }
    get().checkpoint();
    changed(set, get, { edges: result.edges, notice: null });
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
    const edges = from ? joinPendingWire(get, from, def, node, nodes, get().edges) : get().edges;
    changed(set, get, { nodes, edges });
    return id;
  },

  setParam(nodeId, paramId, value) {
    get().checkpoint(`param:${nodeId}:${paramId}`);
    const { catalogue } = get();
    const nodes = get().nodes.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, params: { ...n.data.params, [paramId]: value } } } : n));
    const node = nodes.find((n) => n.id === nodeId);
    let edges = get().edges;
    if (node?.type && catalogue[node.type]?.dynamic_ports?.length) {
      const kept = new Set(pruneDanglingEdges(nodes, edges, catalogue, nodeId).map((e) => e.id));
      if (kept.size !== edges.length) edges = edges.filter((e) => kept.has(e.id));
    }
    changed(set, get, { nodes, edges });
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
    changed(set, get, { nodes: get().nodes.map((n) => (n.id === nodeId ? { ...n, data } : n)) });
  },

  setLabel(nodeId, label) {
    get().checkpoint(`label:${nodeId}`);
    changed(set, get, { nodes: get().nodes.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, label } } : n)) });
  },

  deleteSelected() {
    get().removeElements(
      [...selectedNodeIds(get().nodes)],
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
    changed(set, get, { nodes: keptNodes, edges: keptEdges });
  },

  deleteEdge(id) {
    get().checkpoint();
    changed(set, get, { edges: get().edges.filter((e) => e.id !== id) });
  },

  arrange() {
    const { nodes, edges } = get();
    if (nodes.length === 0) return;
    get().checkpoint();
    const positions = autoArrange(nodes, edges);
    changed(set, get, { nodes: nodes.map((n) => ({ ...n, position: positions.get(n.id) ?? n.position })) });
  },
});
