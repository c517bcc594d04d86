// Every wire of the canvas: React Flow's bezier, plus, after a debug run reached it, the last
// value that went through it (short on the wire, whole on hover). Each wire selects its own
// value, so a trace event re-renders only the wires whose value changed.

import { BaseEdge, EdgeLabelRenderer, type EdgeProps, getBezierPath } from "@xyflow/react";
import { memo } from "react";

import { type FlowEdge, useEditor } from "@/store/editor";

const WIRE_VALUE_CHARS = 24;
const BROKEN_COLOR = "#ef4444";

/** A value's repr on one short line: whitespace runs become one space, the rest an ellipsis. */
function shortValue(text: string, max = WIRE_VALUE_CHARS): string {
  const line = text.replace(/\s+/g, " ");
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function WireEdgeImpl({
  id,
  sourceX,
  sourceY,
  targetX,
  targetY,
  sourcePosition,
  targetPosition,
  style,
  markerEnd,
  markerStart,
  interactionWidth,
}: EdgeProps<FlowEdge>) {
  const value = useEditor((s) => s.wireValues[id]);
  // A wire to a port its `graph` node's signature no longer has: red and dashed, never removed.
  const broken = useEditor((s) => s.brokenWires[id]);
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        style={broken ? { ...style, stroke: BROKEN_COLOR, strokeDasharray: "6 4" } : style}
        markerEnd={markerEnd}
        markerStart={markerStart}
        interactionWidth={interactionWidth}
      />
      {broken && (
        <EdgeLabelRenderer>
          <div
            className="nodrag nopan absolute rounded border border-red-400 bg-red-950/95 px-1 text-xs font-semibold leading-4 text-red-200 shadow"
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)`, pointerEvents: "all" }}
            title={broken}
            role="img"
            aria-label={broken}
            data-testid="broken-wire"
            data-edge-id={id}
          >
            ✕ broken
          </div>
        </EdgeLabelRenderer>
      )}
      {value !== undefined && (
        <EdgeLabelRenderer>
          <div
            className="ne-wire-value nodrag nopan absolute max-w-[220px] whitespace-pre rounded border border-slate-600 bg-slate-900/95 px-1 text-xs leading-4 text-amber-200 shadow"
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)`, pointerEvents: "all" }}
            title={value}
            data-testid="wire-value"
            data-edge-id={id}
          >
            {shortValue(value)}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const WireEdge = memo(WireEdgeImpl);
