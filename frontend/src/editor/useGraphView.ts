// The canvas's view of an opened graph, shared by the editor and the shared-graph viewer: showing
// a freshly loaded graph (its saved viewport, or fitted), and bringing a node into view.

import { useReactFlow } from "@xyflow/react";
import { useCallback } from "react";

import type { GraphRecord } from "@/lib/types";
import { MIN_FIT_ZOOM } from "@/lib/viewport";
import { consoleStore } from "@/store/console";
import { editorStore, type FlowEdge, type FlowNode } from "@/store/editor";

import { estimateFit, useFitGraph } from "./useFitGraph";

/** Shows a freshly loaded graph: at its saved viewport, else fitted (estimated now, measured once drawn). */
export function useShowRecord(): (record: Pick<GraphRecord, "viewport" | "nodes">) => void {
  const flow = useReactFlow<FlowNode, FlowEdge>();
  const fitGraph = useFitGraph();
  return useCallback(
    (record) => {
      // Set the viewport before the nodes arrive, so a big graph is first drawn at its final zoom.
      const vp = record.viewport;
      if (typeof vp.x === "number" && typeof vp.y === "number" && typeof vp.zoom === "number") {
        void flow.setViewport({ x: vp.x, y: vp.y, zoom: vp.zoom });
        return;
      }
      const first = estimateFit(record.nodes);
      if (first) void flow.setViewport(first);
      // Once measured, fit again on the nodes' real sizes.
      if (record.nodes.length) setTimeout(() => fitGraph(0, MIN_FIT_ZOOM), 60);
    },
    [flow, fitGraph],
  );
}

/** Selects a node and centres it (a click on its code, a problem, a run that raised in it). */
export function useFocusNode(): (id: string) => void {
  const flow = useReactFlow<FlowNode, FlowEdge>();
  return useCallback(
    (id: string) => {
      editorStore.getState().selectOnly([id]);
      const node = flow.getNode(id);
      if (node) {
        const w = node.measured?.width ?? 200;
        const h = node.measured?.height ?? 80;
        void flow.setCenter(node.position.x + w / 2, node.position.y + h / 2, { zoom: Math.max(flow.getZoom(), 0.85), duration: 300 });
      }
    },
    [flow],
  );
}

/**
 * Empties the stores for a graph about to load: no nodes, no code, a clear idle console. A
 * read-only graph (someone's shared one) refuses edits; `graphKey` chooses the breakpoints kept
 * in this browser (none for a shared graph).
 */
export function clearWorkspace(graphKey: string | null, readOnly: boolean): void {
  const editor = editorStore.getState();
  editor.setReadOnly(readOnly); // load() shows a document either way; edits are what it refuses
  editor.setGraphKey(graphKey);
  editor.load({ nodes: [], edges: [] });
  editor.setCompile(null);
  consoleStore.getState().clear();
  consoleStore.getState().patch({ phase: "idle", exit: null, runId: null, ref: null });
}
