// The saved-or-not comparison: a graph is dirty when what is on screen differs from the document
// last saved (or loaded), not when "something was edited" — undoing back to it is clean again.

import { cleanEdge, cleanNode, type EdgeLike, type NodeLike } from "./graph";
import type { GraphDocument } from "./types";

/** JSON with object keys sorted, so that two equal documents give one string. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * One string per graph content, as saved: the contract's fields only (no selection or measured
 * sizes), positions rounded, nodes and wires in id order, keys sorted.
 */
export function documentKey(doc: { nodes: readonly NodeLike[]; edges: readonly EdgeLike[] }): string {
  return stable({ nodes: doc.nodes.map(cleanNode).sort(byId), edges: doc.edges.map(cleanEdge).sort(byId) });
}

/** Whether the graph on screen differs from the saved one. */
export function isDirty(current: { nodes: readonly NodeLike[]; edges: readonly EdgeLike[] }, saved: GraphDocument | string): boolean {
  return documentKey(current) !== (typeof saved === "string" ? saved : documentKey(saved));
}
