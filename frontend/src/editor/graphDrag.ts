// What the palette's items carry when dragged onto the canvas: a node type, or a graph dragged
// from the palette's "My graphs" or "Gallery graphs" section onto the canvas (as
// JSON in the drag's data), and adding it: the graph's latest version is read when it is dropped,
// and the new `graph` node is pinned to it.

import { errorText } from "@/lib/api";
import { readGraphHead } from "@/lib/graphFunctions";
import { hasSignature } from "@/lib/signature";
import { editorStore } from "@/store/editor";

/** A node type dragged from the palette (a built-in type, or one of the user's own, `lib:<id>`). */
export const DRAG_MIME = "application/x-nodeengine-type";
export const GRAPH_DRAG_MIME = "application/x-nodeengine-graph";

export interface GraphDrag {
  graphId: number;
  /** Someone else's graph from the gallery (else one of the user's own). */
  gallery: boolean;
}

export function writeGraphDrag(drag: GraphDrag): string {
  return JSON.stringify({ graph_id: drag.graphId, gallery: drag.gallery });
}

/** The graph a drop carries, or null for none (or for data of another shape). */
export function readGraphDrag(text: string): GraphDrag | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null) return null;
    const graphId = "graph_id" in value ? value.graph_id : undefined;
    const gallery = "gallery" in value ? value.gallery : undefined;
    if (typeof graphId !== "number" || !Number.isInteger(graphId) || graphId <= 0 || typeof gallery !== "boolean") return null;
    return { graphId, gallery };
  } catch {
    return null;
  }
}

/** Adds a `graph` node using the latest version of a graph at `position`; false when it cannot be used. */
export async function addGraphAt(drag: GraphDrag, position: { x: number; y: number }): Promise<boolean> {
  const s = editorStore.getState();
  try {
    const head = await readGraphHead(drag.graphId, drag.gallery);
    if (!hasSignature(head.signature)) {
      s.setNotice(`“${head.name}” has no Graph input or Graph output: add some to use it as a node.`);
      return false;
    }
    s.learnSignature(head.ref, head.signature, { name: head.name, gallery: drag.gallery, latest: head.ref.version });
    return editorStore.getState().addGraphNode(head.ref, position) !== null;
  } catch (err) {
    s.setNotice(`Could not add the graph: ${errorText(err)}`);
    return false;
  }
}
