// The panels around a graph, shared by the editor and the shared-graph viewer: the palette (the
// editor only), the canvas, the live code with the problems, and the console, resizable and
// collapsible (store/layout.ts). It keeps the run socket open while it is shown.

import { PanelLeftOpen, PanelRightClose, PanelRightOpen } from "lucide-react";
import { useEffect } from "react";

import { Button } from "@/components/ui/button";
import { lazyModule } from "@/lib/lazyModule";
import { runClient } from "@/lib/runClient";
import { useEditor } from "@/store/editor";
import { layoutStore, useLayout } from "@/store/layout";
import { useSession } from "@/store/session";

import { Canvas } from "./Canvas";
import { ConsolePanel } from "./ConsolePanel";
import type { GraphDrag } from "./graphDrag";
import { Palette } from "./Palette";
import { ProblemsList } from "./ProblemsList";
import { ResizeHandle } from "./ResizeHandle";

// CodeMirror is a third of the editor's code: the canvas draws first, the code panel follows.
const codePanel = lazyModule(() => import("./CodePanel"));

function LazyCodePanel({ onFocusNode, readOnly }: { onFocusNode: (id: string) => void; readOnly: boolean }) {
  const { module, error } = codePanel.useModule();
  if (module) return <module.CodePanel onFocusNode={onFocusNode} readOnly={readOnly} />;
  return (
    <div className={`flex-1 p-3 text-xs ${error ? "text-red-300" : "text-slate-400"}`} data-testid="code-loading">
      {error ?? "Loading the code view…"}
    </div>
  );
}

const rail = "flex w-9 shrink-0 flex-col items-center border-slate-800 bg-slate-950 py-2";
const toggle = (panel: "palette" | "code" | "console") => () => layoutStore.getState().toggle(panel);

/** A collapsed side panel: a thin rail with the button that opens it again. */
function Rail({ side, title, label, testId, onOpen }: { side: "left" | "right"; title: string; label: string; testId: string; onOpen: () => void }) {
  return (
    <div className={`${rail} ${side === "left" ? "border-r" : "border-l"}`}>
      <Button size="icon" variant="ghost" onClick={onOpen} title={title} aria-label={label} data-testid={testId}>
        {side === "left" ? <PanelLeftOpen /> : <PanelRightOpen />}
      </Button>
    </div>
  );
}

function PaletteColumn({ onAddNode, onAddGraph, graphId }: { onAddNode: (type: string) => void; onAddGraph: (drag: GraphDrag) => void; graphId?: number }) {
  const open = useLayout((st) => st.paletteOpen);
  const width = useLayout((st) => st.paletteWidth);
  if (!open) return <Rail side="left" title="Show the palette (Ctrl+B)" label="Show the palette" testId="palette-expand" onOpen={toggle("palette")} />;
  return (
    <>
      <Palette onAdd={onAddNode} onAddGraph={onAddGraph} graphId={graphId} width={width} onCollapse={toggle("palette")} />
      <ResizeHandle
        axis="x"
        grow={1}
        value={width}
        onResize={(v) => layoutStore.getState().resize("paletteWidth", v)}
        label="Palette width"
        testId="palette-resize"
      />
    </>
  );
}

function CodeColumn({ loaded, readOnly, onFocusNode }: { loaded: boolean; readOnly: boolean; onFocusNode: (id: string) => void }) {
  const open = useLayout((st) => st.codeOpen);
  const width = useLayout((st) => st.codeWidth);
  if (!open) return <Rail side="right" title="Show the code panel (Ctrl+Alt+B)" label="Show the code panel" testId="code-expand" onOpen={toggle("code")} />;
  return (
    <>
      <ResizeHandle
        axis="x"
        grow={-1}
        value={width}
        onResize={(v) => layoutStore.getState().resize("codeWidth", v)}
        label="Code panel width"
        testId="code-resize"
      />
      <aside className="flex shrink-0 flex-col border-l border-slate-800 bg-slate-950" style={{ width }} data-testid="code-aside">
        <div className="relative flex min-h-0 flex-1 flex-col">
          {/* Mounted once the graph is drawn: evaluating CodeMirror must not delay the canvas. */}
          {loaded ? <LazyCodePanel onFocusNode={onFocusNode} readOnly={readOnly} /> : <div className="flex-1" data-testid="code-loading" />}
          <Button
            size="icon"
            variant="ghost"
            className="absolute right-1 top-1 h-7 w-7"
            onClick={toggle("code")}
            title="Hide the code panel (Ctrl+Alt+B)"
            aria-label="Hide the code panel"
            data-testid="code-collapse"
          >
            <PanelRightClose />
          </Button>
        </div>
        <ProblemsList onFocusNode={onFocusNode} />
      </aside>
    </>
  );
}

interface WorkspaceProps {
  /** The graph is loaded (the code panel waits for it). */
  loaded: boolean;
  onFocusNode: (id: string) => void;
  /** The editor's palette adds a node; without it (a shared graph) there is no palette and nothing can be edited. */
  onAddNode?: (type: string) => void;
  /** The editor's palette adds a graph as a node (with onAddNode). */
  onAddGraph?: (drag: GraphDrag) => void;
  /** The graph being edited. */
  graphId?: number;
}

export function Workspace({ loaded, onFocusNode, onAddNode, onAddGraph, graphId }: WorkspaceProps) {
  const readOnly = onAddNode === undefined;
  const userId = useSession((st) => st.me?.id ?? null);
  const consoleOpen = useLayout((st) => st.consoleOpen);
  const consoleHeight = useLayout((st) => st.consoleHeight);

  useEffect(() => {
    if (userId !== null) layoutStore.getState().useFor(String(userId));
  }, [userId]);

  useEffect(() => {
    runClient.start();
    return () => runClient.stop();
  }, []);

  // A run that raised in a node's code brings that node into view.
  const raised = useEditor((st) => st.raisedNodeId);
  useEffect(() => {
    if (raised) onFocusNode(raised);
  }, [raised, onFocusNode]);

  return (
    <>
      <div className="flex min-h-0 flex-1">
        {onAddNode && onAddGraph && <PaletteColumn onAddNode={onAddNode} onAddGraph={onAddGraph} graphId={graphId} />}
        <div className="min-w-0 flex-1">
          <Canvas loaded={loaded} readOnly={readOnly} />
        </div>
        <CodeColumn loaded={loaded} readOnly={readOnly} onFocusNode={onFocusNode} />
      </div>
      {consoleOpen && (
        <ResizeHandle
          axis="y"
          grow={-1}
          value={consoleHeight}
          onResize={(v) => layoutStore.getState().resize("consoleHeight", v)}
          label="Console height"
          testId="console-resize"
        />
      )}
      <ConsolePanel height={consoleHeight} open={consoleOpen} onToggle={toggle("console")} onFocusNode={onFocusNode} />
    </>
  );
}
