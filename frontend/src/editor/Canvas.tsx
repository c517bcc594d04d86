// The React Flow canvas wired to the editor store.

import {
  Background,
  BackgroundVariant,
  type Connection,
  type ConnectionLineComponentProps,
  Controls,
  type EdgeTypes,
  type FinalConnectionState,
  getBezierPath,
  type IsValidConnection,
  MiniMap,
  type NodeTypes,
  type OnConnectEnd,
  ReactFlow,
  useReactFlow,
} from "@xyflow/react";
import { useCallback, useEffect, useMemo, useState } from "react";

import { checkConnection } from "@/lib/graph";
import type { GraphEdge, GraphNode } from "@/lib/types";
import { editorStore, type FlowEdge, type FlowNode, isStatementNode, useEditor } from "@/store/editor";

import { categoryColor, NodeView } from "./NodeView";
import { DRAG_MIME } from "./Palette";
import { QuickAdd, type QuickAddRequest } from "./QuickAdd";
import { WireEdge } from "./WireEdge";

const edgeTypes: EdgeTypes = { default: WireEdge };

/** The menu of a right-clicked node: its breakpoint. */
interface NodeMenu {
  nodeId: string;
  x: number;
  y: number;
}

function NodeContextMenu({ menu, onClose }: { menu: NodeMenu; onClose: () => void }) {
  const has = useEditor((st) => st.breakpoints[menu.nodeId] === true);
  const statement = useEditor((st) => {
    const n = st.nodes.find((m) => m.id === menu.nodeId);
    return Boolean(n?.type && isStatementNode(n as unknown as GraphNode, st.catalogue));
  });
  useEffect(() => {
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent && e.key !== "Escape") return;
      onClose();
    };
    window.addEventListener("pointerdown", close);
    window.addEventListener("keydown", close);
    return () => {
      window.removeEventListener("pointerdown", close);
      window.removeEventListener("keydown", close);
    };
  }, [onClose]);
  return (
    <div
      role="menu"
      className="fixed z-50 min-w-44 rounded-md border border-slate-700 bg-slate-900 p-1 text-sm shadow-xl"
      style={{ left: menu.x, top: menu.y }}
      data-testid="node-menu"
      onPointerDown={(e) => e.stopPropagation()}
    >
      <button
        type="button"
        role="menuitem"
        disabled={!statement}
        className="flex w-full items-center gap-2 rounded px-2 py-1.5 text-left text-slate-200 hover:bg-slate-800 disabled:opacity-50"
        onClick={() => {
          s().toggleBreakpoint(menu.nodeId);
          onClose();
        }}
        title={statement ? "F9" : "Only nodes with an execution input run as statements and take breakpoints"}
        data-testid="menu-breakpoint"
      >
        <span className={`h-2.5 w-2.5 rounded-full ${has ? "border border-red-300" : "bg-red-500"}`} />
        {has ? "Remove breakpoint" : "Add breakpoint"}
      </button>
    </div>
  );
}

/** The wire being drawn: green over a port that accepts it, red over one that does not. */
function ConnectionLine({ fromX, fromY, toX, toY, fromPosition, toPosition, connectionStatus }: ConnectionLineComponentProps) {
  const [path] = getBezierPath({ sourceX: fromX, sourceY: fromY, sourcePosition: fromPosition, targetX: toX, targetY: toY, targetPosition: toPosition });
  const color = connectionStatus === "valid" ? "#22c55e" : connectionStatus === "invalid" ? "#ef4444" : "#94a3b8";
  return (
    <g>
      <path d={path} fill="none" stroke={color} strokeWidth={2.5} strokeDasharray={connectionStatus === "invalid" ? "6 4" : undefined} />
      <circle cx={toX} cy={toY} r={4} fill={color} />
    </g>
  );
}

const s = () => editorStore.getState();

export function Canvas() {
  const nodes = useEditor((st) => st.nodes);
  const edges = useEditor((st) => st.edges);
  const catalogue = useEditor((st) => st.catalogue);
  const flow = useReactFlow<FlowNode, FlowEdge>();
  const [quickAdd, setQuickAdd] = useState<QuickAddRequest | null>(null);
  const [menu, setMenu] = useState<NodeMenu | null>(null);
  const closeMenu = useCallback(() => setMenu(null), []);
  const onNodeContextMenu = useCallback((event: React.MouseEvent, node: FlowNode) => {
    event.preventDefault();
    setMenu({ nodeId: node.id, x: event.clientX, y: event.clientY });
  }, []);

  // Every catalogue type draws with the same component, so the stored `type` stays the catalogue's.
  const nodeTypes = useMemo<NodeTypes>(() => {
    const types: NodeTypes = {};
    for (const t of Object.keys(catalogue)) types[t] = NodeView;
    return types;
  }, [catalogue]);

  const isValidConnection = useCallback<IsValidConnection<FlowEdge>>(
    (conn) => checkConnection(conn, s().nodes as unknown as GraphNode[], s().edges as unknown as GraphEdge[], s().catalogue, s().typeCompatibility).ok,
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
        const verdict = checkConnection(conn, s().nodes as unknown as GraphNode[], s().edges as unknown as GraphEdge[], s().catalogue, s().typeCompatibility);
        if (!verdict.ok) s().setNotice(verdict.reason);
        return;
      }
      if (state.toNode) return;
      const point = "changedTouches" in event ? event.changedTouches[0]! : (event as MouseEvent);
      setQuickAdd({
        screen: { x: point.clientX, y: point.clientY },
        flow: flow.screenToFlowPosition({ x: point.clientX, y: point.clientY }),
        wire: { nodeId: state.fromNode.id, handleId: state.fromHandle.id ?? "", handleType: state.fromHandle.type },
      });
    },
    [flow],
  );

  const onDrop = useCallback(
    (event: React.DragEvent) => {
      const type = event.dataTransfer.getData(DRAG_MIME);
      if (!type) return;
      event.preventDefault();
      const position = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      s().addNode(type, { x: position.x - 90, y: position.y - 20 });
    },
    [flow],
  );

  const onDoubleClick = useCallback(
    (event: React.MouseEvent) => {
      const target = event.target as HTMLElement;
      if (!target.classList.contains("react-flow__pane")) return;
      setQuickAdd({
        screen: { x: event.clientX, y: event.clientY },
        flow: flow.screenToFlowPosition({ x: event.clientX, y: event.clientY }),
        wire: null,
      });
    },
    [flow],
  );

  const onConnect = useCallback((conn: Connection) => void s().connect(conn), []);

  const minimapColor = useCallback((n: FlowNode) => categoryColor(n.type ? s().catalogue[n.type]?.category : undefined), []);

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: double-clicking the empty canvas opens the quick-add search, a pointer shortcut.
    <div className="relative h-full w-full" onDoubleClick={onDoubleClick} data-testid="canvas">
      <ReactFlow<FlowNode, FlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodeContextMenu={onNodeContextMenu}
        onNodesChange={s().onNodesChange}
        onEdgesChange={s().onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        connectionLineComponent={ConnectionLine}
        onNodeDragStart={() => s().checkpoint()}
        onNodeDragStop={() => s().commitMove()}
        onSelectionDragStart={() => s().checkpoint()}
        onSelectionDragStop={() => s().commitMove()}
        onDragOver={(e) => {
          e.preventDefault();
          e.dataTransfer.dropEffect = "move";
        }}
        onDrop={onDrop}
        deleteKeyCode={null}
        zoomOnDoubleClick={false}
        multiSelectionKeyCode={["Meta", "Control", "Shift"]}
        selectionKeyCode="Shift"
        defaultViewport={{ x: 40, y: 40, zoom: 1 }}
        minZoom={0.1}
        maxZoom={2.5}
        onlyRenderVisibleElements={nodes.length > 150}
        proOptions={{ hideAttribution: true }}
        colorMode="dark"
      >
        <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} color="#1e293b" />
        <MiniMap pannable zoomable nodeColor={minimapColor} maskColor="rgba(2,6,23,0.7)" />
        <Controls showInteractive={false} />
      </ReactFlow>
      {menu && <NodeContextMenu menu={menu} onClose={closeMenu} />}
      {quickAdd && (
        <QuickAdd
          request={quickAdd}
          onClose={() => setQuickAdd(null)}
          onPick={(type) => {
            s().addNode(type, quickAdd.flow, quickAdd.wire);
            setQuickAdd(null);
          }}
        />
      )}
    </div>
  );
}
