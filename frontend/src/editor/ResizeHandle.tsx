// A drag handle between two panels (pointer or arrow keys). `grow` says which way of moving the
// pointer makes the panel larger: a panel on the right or at the bottom grows towards the left or
// the top.

import { useRef, useState } from "react";

interface Props {
  axis: "x" | "y";
  value: number;
  grow: 1 | -1;
  onResize: (value: number) => void;
  label: string;
  testId: string;
}

export function ResizeHandle({ axis, value, grow, onResize, label, testId }: Props) {
  const start = useRef<{ pointer: number; value: number } | null>(null);
  const [dragging, setDragging] = useState(false);
  const position = (e: React.PointerEvent) => (axis === "x" ? e.clientX : e.clientY);
  return (
    // biome-ignore lint/a11y/useSemanticElements: a focusable, draggable splitter: <hr> cannot take focus or pointer drags.
    <div
      role="separator"
      aria-orientation={axis === "x" ? "vertical" : "horizontal"}
      aria-label={label}
      aria-valuenow={value}
      tabIndex={0}
      title={`${label}: drag to resize`}
      className={axis === "x" ? "ne-resize ne-resize-x" : "ne-resize ne-resize-y"}
      data-testid={testId}
      data-dragging={dragging ? "true" : "false"}
      onPointerDown={(e) => {
        e.preventDefault();
        e.currentTarget.setPointerCapture(e.pointerId);
        start.current = { pointer: position(e), value };
        setDragging(true);
      }}
      onPointerMove={(e) => {
        if (!start.current) return;
        onResize(start.current.value + grow * (position(e) - start.current.pointer));
      }}
      onPointerUp={(e) => {
        start.current = null;
        setDragging(false);
        e.currentTarget.releasePointerCapture(e.pointerId);
      }}
      onKeyDown={(e) => {
        const step = e.shiftKey ? 64 : 16;
        const more = axis === "x" ? (grow === 1 ? "ArrowRight" : "ArrowLeft") : grow === 1 ? "ArrowDown" : "ArrowUp";
        const less = axis === "x" ? (grow === 1 ? "ArrowLeft" : "ArrowRight") : grow === 1 ? "ArrowUp" : "ArrowDown";
        if (e.key === more) onResize(value + step);
        else if (e.key === less) onResize(value - step);
        else return;
        e.preventDefault();
      }}
    />
  );
}
