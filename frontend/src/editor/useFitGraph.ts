// Fit view for the editor (the toolbar, the canvas controls, Shift+1, a graph opened without a
// saved viewport): lib/viewport.ts's rules on React Flow's measured nodes.

import { useReactFlow } from "@xyflow/react";
import { useCallback } from "react";

import { estimateBounds, fitViewport, MIN_FIT_ZOOM, type Viewport } from "@/lib/viewport";
import type { FlowEdge, FlowNode } from "@/store/editor";

function canvasSize(): { width: number; height: number } {
  const box = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
  return { width: box?.width ?? window.innerWidth - 600, height: box?.height ?? window.innerHeight - 250 };
}

/** The fitted viewport of nodes placed but maybe not measured yet (a graph being opened). */
export function estimateFit(nodes: ReadonlyArray<{ position: { x: number; y: number } }>): Viewport | null {
  const bounds = estimateBounds(nodes);
  return bounds ? fitViewport(bounds, canvasSize(), { minZoom: MIN_FIT_ZOOM }) : null;
}

/**
 * Fit view. Asked for (the buttons, Shift+1), it shows the whole graph however small; when a
 * graph opens (`minZoom` MIN_FIT_ZOOM) it stays readable and shows the graph's start instead.
 */
export function useFitGraph(): (duration?: number, minZoom?: number) => void {
  const flow = useReactFlow<FlowNode, FlowEdge>();
  return useCallback(
    (duration = 0, minZoom = WHOLE_GRAPH_MIN_ZOOM) => {
      const nodes = flow.getNodes();
      if (nodes.length === 0) return;
      const bounds = nodes.every((n) => n.measured?.width) ? flow.getNodesBounds(nodes) : estimateBounds(nodes);
      if (bounds) void flow.setViewport(fitViewport(bounds, canvasSize(), { minZoom }), { duration });
    },
    [flow],
  );
}

/** The canvas's own lower zoom limit (Canvas.tsx minZoom). */
const WHOLE_GRAPH_MIN_ZOOM = 0.1;
