// The graph in React Flow's shapes: nodes and wires as the canvas draws them, and the
// conversions from the document's shapes.

import type { Edge, Node } from "@xyflow/react";

import { EXEC_COLOR, typeColor } from "../../lib/colors";
import { type Catalogue, copyNodeData, type EdgeLike, findPort, type NodeLike } from "../../lib/graph";
import type { SignatureTable } from "../../lib/signature";
import type { GraphNode, GraphNodeData } from "../../lib/types";

export type FlowNode = Node<GraphNodeData>;
export type FlowEdge = Edge;

/** A wire dragged from a port and dropped on empty canvas, waiting for the quick-add choice. */
export interface PendingWire {
  nodeId: string;
  handleId: string;
  handleType: "source" | "target";
}

/** A wire as the canvas draws it: coloured by its kind (execution) or by its data type. */
export function decorateEdge(edge: EdgeLike, nodes: readonly NodeLike[], catalogue: Catalogue, signatures?: SignatureTable): FlowEdge {
  const port = findPort(nodes, catalogue, edge.source, edge.sourceHandle, signatures);
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

export function toFlowNode(n: GraphNode): FlowNode {
  return { id: n.id, type: n.type, position: { ...n.position }, data: copyNodeData(n.data) };
}

export function selectedNodeIds(nodes: readonly FlowNode[]): Set<string> {
  return new Set(nodes.filter((n) => n.selected).map((n) => n.id));
}

// One index of wired outputs per edges array, as below (asked by `graph` nodes only).
const wiredOutputIndex = new WeakMap<readonly FlowEdge[], Map<string, string>>();

/** The ids of a node's wired output ports, sorted and joined by newlines (see wiredInputsOf). */
export function wiredOutputsOf(edges: readonly FlowEdge[], nodeId: string): string {
  let index = wiredOutputIndex.get(edges);
  if (!index) {
    const lists = new Map<string, Set<string>>();
    for (const e of edges) {
      if (!e.sourceHandle) continue;
      const set = lists.get(e.source) ?? new Set<string>();
      set.add(e.sourceHandle);
      lists.set(e.source, set);
    }
    index = new Map([...lists].map(([id, handles]) => [id, [...handles].sort().join("\n")]));
    wiredOutputIndex.set(edges, index);
  }
  return index.get(nodeId) ?? "";
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
