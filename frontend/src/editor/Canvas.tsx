// The React Flow canvas wired to the editor store.

import {
  Background,
  BackgroundVariant,
  type ConnectionLineComponentProps,
  ControlButton,
  Controls,
  type EdgeTypes,
  getBezierPath,
  MiniMap,
  type NodeTypes,
  ReactFlow,
} from "@xyflow/react";
import { Maximize, MousePointerClick, SquareFunction } from "lucide-react";
import { useCallback, useEffect, useMemo, useState } from "react";
import { Link } from "react-router-dom";
import { CODE_NODE_TYPE, codeNodeFunction } from "@/lib/codeNodeFunction";
import { categoryColor } from "@/lib/colors";
import { catalogueType, flowNodeType } from "@/lib/flowTypes";
import { libraryIdOf } from "@/lib/library";
import { useTheme } from "@/lib/theme";
import { editorStore, type FlowEdge, type FlowNode, isStatementNode, useEditor } from "@/store/editor";

import { NodeView } from "./NodeView";
import { QuickAdd, type QuickAddRequest } from "./QuickAdd";
import { useCanvasEditing } from "./useCanvasEditing";
import { useFitGraph } from "./useFitGraph";
import { WireEdge } from "./WireEdge";

const edgeTypes: EdgeTypes = { default: WireEdge };

// The store's nodes carry catalogue types; React Flow gets each under its flow type (lib/flowTypes.ts).
// A node whose type needs no renaming is passed as it is; a renamed one is copied once per version.
const drawn = new WeakMap<FlowNode, FlowNode>();
function asDrawn(node: FlowNode): FlowNode {
  const type = flowNodeType(node.type ?? "");
  if (type === node.type) return node;
  let copy = drawn.get(node);
  if (!copy) {
    copy = { ...node, type };
    drawn.set(node, copy);
  }
  return copy;
}

/** What a new, empty graph says until its first node is placed. */
function EmptyHint({ readOnly }: { readOnly: boolean }) {
  if (readOnly)
    return (
      <div className="ne-empty-hint absolute inset-0 flex items-center justify-center" data-testid="empty-hint">
        <p className="rounded-lg border border-dashed border-slate-600 bg-slate-950/90 px-6 py-5 text-sm text-slate-300">This graph is empty.</p>
      </div>
    );
  return (
    <div className="ne-empty-hint absolute inset-0 flex items-center justify-center" data-testid="empty-hint">
      <div className="max-w-sm rounded-lg border border-dashed border-slate-600 bg-slate-950/90 px-6 py-5 text-center text-sm text-slate-300 shadow-lg">
        <MousePointerClick className="mx-auto mb-2 h-6 w-6 text-sky-400" />
        <p className="font-medium text-slate-100">An empty graph</p>
        <p className="mt-1">Drag a node from the palette, or double-click the canvas to search for one.</p>
        <p className="mt-1 text-slate-400">
          New to this? Open one of the example graphs from{" "}
          <Link className="text-sky-400 underline" to="/">
            your graphs
          </Link>
          , such as “Hello, world”.
        </p>
      </div>
    </div>
  );
}

/** Opens "New node from Python" with the function a Python code node makes (lib/codeNodeFunction.ts). */
function makeNodeFromCodeNode(nodeId: string): void {
  const node = s().nodes.find((n) => n.id === nodeId);
  const def = s().catalogue[CODE_NODE_TYPE];
  if (!node || !def) return;
  const defaults = Object.fromEntries(def.params.map((p) => [p.id, p.default]));
  const { code, inputs, outputs } = node.data.params;
  const source = codeNodeFunction({ code, inputs, outputs, label: node.data.label }, { inputs: defaults.inputs, outputs: defaults.outputs });
  s().openLibraryDialog({ code: source, description: "", entryId: null });
}

/** The menu of a right-clicked node: its breakpoint; on a Python code node, making a node of it. */
interface NodeMenu {
  nodeId: string;
  x: number;
  y: number;
}

function NodeContextMenu({ menu, onClose }: { menu: NodeMenu; onClose: () => void }) {
  const has = useEditor((st) => st.breakpoints[menu.nodeId] === true);
  const statement = useEditor((st) => {
    const n = st.nodes.find((m) => m.id === menu.nodeId);
    return Boolean(n && isStatementNode(n, st.catalogue));
  });
  const codeNode = useEditor((st) => st.nodes.find((m) => m.id === menu.nodeId)?.type === CODE_NODE_TYPE);
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
      {codeNode && (
        <button
          type="button"
          role="menuitem"
          className="flex w-full items-center gap-2 rounded px-2 py-1.5 text-left text-slate-200 hover:bg-slate-800"
          onClick={() => {
            makeNodeFromCodeNode(menu.nodeId);
            onClose();
          }}
          title="Opens “New node from Python” with a function made from this node: its inputs are the parameters, its outputs what it returns"
          data-testid="menu-make-node"
        >
          <SquareFunction className="h-3.5 w-3.5 text-emerald-300" />
          Make a node from this code node
        </button>
      )}
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

/**
 * The graph on its canvas. `readOnly` (someone's shared graph) draws it to be read: nodes can be
 * selected and the view moved, but nothing is dragged, wired, added or deleted (the store refuses
 * edits too, see store/editor/document.ts `readOnly`).
 */
export function Canvas({ loaded, readOnly = false }: { loaded: boolean; readOnly?: boolean }) {
  const storeNodes = useEditor((st) => st.nodes);
  const nodes = useMemo(() => storeNodes.map(asDrawn), [storeNodes]);
  const theme = useTheme((st) => st.theme);
  const fitGraph = useFitGraph();
  const edges = useEditor((st) => st.edges);
  const catalogue = useEditor((st) => st.catalogue);
  const [quickAdd, setQuickAdd] = useState<QuickAddRequest | null>(null);
  const [menu, setMenu] = useState<NodeMenu | null>(null);
  const closeMenu = useCallback(() => setMenu(null), []);
  const onNodeContextMenu = useCallback((event: React.MouseEvent, node: FlowNode) => {
    event.preventDefault();
    setMenu({ nodeId: node.id, x: event.clientX, y: event.clientY });
  }, []);

  // A library node whose type is still being read (editor/useLibrary.ts) draws with NodeView too.
  const libraryTypes = useMemo(
    () => [...new Set(storeNodes.flatMap((n) => (libraryIdOf(n.type) !== null && n.type ? [n.type] : [])))].sort().join("\n"),
    [storeNodes],
  );
  // Every catalogue type draws with the same component, under a type that is no React Flow built-in.
  const nodeTypes = useMemo<NodeTypes>(() => {
    const types: NodeTypes = {};
    for (const t of Object.keys(catalogue)) types[flowNodeType(t)] = NodeView;
    for (const t of libraryTypes.split("\n")) if (t) types[t] = NodeView;
    return types;
  }, [catalogue, libraryTypes]);

  const { onBeforeDelete, isValidConnection, onConnectEnd, onDrop, onDoubleClick, onConnect, allowDrop } = useCanvasEditing(setQuickAdd);
  const editing = !readOnly;

  const minimapColor = useCallback((n: FlowNode) => categoryColor(s().catalogue[catalogueType(n.type)]?.category), []);

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: double-clicking the empty canvas opens the quick-add search, a pointer shortcut.
    <div
      className="relative h-full w-full"
      onDoubleClick={editing ? onDoubleClick : undefined}
      data-testid="canvas"
      data-readonly={readOnly ? "true" : undefined}
    >
      <ReactFlow<FlowNode, FlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodeContextMenu={editing ? onNodeContextMenu : undefined}
        onNodesChange={s().onNodesChange}
        onEdgesChange={s().onEdgesChange}
        nodesDraggable={editing}
        nodesConnectable={editing}
        edgesReconnectable={editing}
        onConnect={editing ? onConnect : undefined}
        onConnectEnd={editing ? onConnectEnd : undefined}
        isValidConnection={isValidConnection}
        connectionLineComponent={ConnectionLine}
        onNodeDragStart={() => s().checkpoint()}
        onNodeDragStop={() => s().commitMove()}
        onSelectionDragStart={() => s().checkpoint()}
        onSelectionDragStop={() => s().commitMove()}
        onDragOver={editing ? allowDrop : undefined}
        onDrop={editing ? onDrop : undefined}
        deleteKeyCode={editing ? ["Delete", "Backspace"] : null}
        onBeforeDelete={onBeforeDelete}
        zoomOnDoubleClick={false}
        multiSelectionKeyCode={["Meta", "Control", "Shift"]}
        selectionKeyCode="Shift"
        defaultViewport={{ x: 40, y: 40, zoom: 1 }}
        minZoom={0.1}
        maxZoom={2.5}
        onlyRenderVisibleElements={nodes.length > 150}
        proOptions={{ hideAttribution: true }}
        colorMode={theme}
      >
        <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} color="var(--ne-dots)" />
        <MiniMap
          pannable
          zoomable
          nodeColor={minimapColor}
          maskColor={theme === "dark" ? "rgba(2,6,23,0.7)" : "rgba(241,245,249,0.7)"}
          style={{ width: 160, height: 110 }}
        />
        <Controls showInteractive={false} showFitView={false}>
          <ControlButton className="react-flow__controls-fitview" onClick={() => fitGraph(300)} title="Fit view (Shift+1)" aria-label="Fit view">
            <Maximize />
          </ControlButton>
        </Controls>
      </ReactFlow>
      {loaded && storeNodes.length === 0 && <EmptyHint readOnly={readOnly} />}
      {menu && editing && <NodeContextMenu menu={menu} onClose={closeMenu} />}
      {quickAdd && editing && (
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
