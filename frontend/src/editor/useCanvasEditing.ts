// What the canvas does with the pointer and the keyboard to edit the graph: wires dropped on a
// port or on empty canvas, nodes dropped from the palette, the quick-add search, deletion.
// Every edit goes through the store, which checks it (and refuses it when read-only).

import { type Connection, type FinalConnectionState, type IsValidConnection, type OnBeforeDelete, type OnConnectEnd, useReactFlow } from "@xyflow/react";
import { useCallback } from "react";

import { checkConnection } from "@/lib/graph";
import { editorStore, type FlowEdge, type FlowNode } from "@/store/editor";

import { addGraphAt, GRAPH_DRAG_MIME, readGraphDrag } from "./graphDrag";
import { DRAG_MIME } from "./Palette";
import type { QuickAddRequest } from "./QuickAdd";

const s = () => editorStore.getState();

/** The canvas's editing handlers; `openQuickAdd` shows the quick-add search (at a dropped wire's end, or empty). */
export function useCanvasEditing(openQuickAdd: (request: QuickAddRequest) => void) {
  const flow = useReactFlow<FlowNode, FlowEdge>();

  // React Flow's own delete (Delete / Backspace, not while typing): the store removes the nodes
  // and wires in one undo step, so React Flow itself removes nothing.
  const onBeforeDelete = useCallback<OnBeforeDelete<FlowNode, FlowEdge>>(async ({ nodes: doomed, edges: doomedEdges }) => {
    s().removeElements(
      doomed.map((n) => n.id),
      doomedEdges.map((e) => e.id),
    );
    return false;
  }, []);

  const isValidConnection = useCallback<IsValidConnection<FlowEdge>>(
    (conn) => checkConnection(conn, s().nodes, s().edges, s().catalogue, s().typeCompatibility, s().signatures).ok,
    [],
  );

  const onConnectEnd = useCallback<OnConnectEnd>(
    (event, state: FinalConnectionState) => {
      if (state.isValid || !state.fromNode || !state.fromHandle) return;
      if (state.toHandle && state.toNode) {
        // Dropped on a port that refuses the wire: say why.
        const from = state.fromHandle;
        const conn =
          from.type === "source"
            ? { source: state.fromNode.id, sourceHandle: from.id ?? null, target: state.toNode.id, targetHandle: state.toHandle.id ?? null }
            : { source: state.toNode.id, sourceHandle: state.toHandle.id ?? null, target: state.fromNode.id, targetHandle: from.id ?? null };
        const verdict = checkConnection(conn, s().nodes, s().edges, s().catalogue, s().typeCompatibility, s().signatures);
        if (!verdict.ok) s().setNotice(verdict.reason);
        return;
      }
      if (state.toNode) return;
      const point = "changedTouches" in event ? event.changedTouches[0]! : (event as MouseEvent);
      openQuickAdd({
        screen: { x: point.clientX, y: point.clientY },
        flow: flow.screenToFlowPosition({ x: point.clientX, y: point.clientY }),
        wire: { nodeId: state.fromNode.id, handleId: state.fromHandle.id ?? "", handleType: state.fromHandle.type },
      });
    },
    [flow, openQuickAdd],
  );

  const onDrop = useCallback(
    (event: React.DragEvent) => {
      const type = event.dataTransfer.getData(DRAG_MIME);
      const graph = readGraphDrag(event.dataTransfer.getData(GRAPH_DRAG_MIME));
      if (!type && !graph) return;
      event.preventDefault();
      const position = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      const at = { x: position.x - 90, y: position.y - 20 };
      if (graph) void addGraphAt(graph, at);
      else s().addNode(type, at);
    },
    [flow],
  );

  const onDoubleClick = useCallback(
    (event: React.MouseEvent) => {
      const target = event.target as HTMLElement;
      if (!target.classList.contains("react-flow__pane")) return;
      openQuickAdd({
        screen: { x: event.clientX, y: event.clientY },
        flow: flow.screenToFlowPosition({ x: event.clientX, y: event.clientY }),
        wire: null,
      });
    },
    [flow, openQuickAdd],
  );

  const onConnect = useCallback((conn: Connection) => void s().connect(conn), []);
  const allowDrop = useCallback((e: React.DragEvent) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
  }, []);
  return { onBeforeDelete, isValidConnection, onConnectEnd, onDrop, onDoubleClick, onConnect, allowDrop };
}
