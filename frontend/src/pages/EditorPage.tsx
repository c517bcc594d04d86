// The editor of one graph: the toolbar, then the palette, the canvas, the live code with the
// problems, and the console, in resizable, collapsible panels (editor/Workspace.tsx, shared with
// the read-only viewer of shared graphs). Loading, saving, drafts and the leave guard are
// editor/useGraphDocument.ts; the shortcuts are editor/keymap.ts; sharing is editor/ShareDialog.tsx; calling the graph (REST, webhooks) editor/CallDialog.tsx.

import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { ReactFlowProvider, useReactFlow } from "@xyflow/react";
import {
  Bug,
  Copy,
  Download,
  FastForward,
  History,
  Keyboard,
  LayoutGrid,
  Maximize,
  MoreHorizontal,
  Package,
  Pencil,
  Play,
  Redo2,
  Save,
  Square,
  StepForward,
  Trash2,
  Undo2,
} from "lucide-react";
import { useCallback, useEffect, useRef, useState } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { AppHeader } from "@/components/AppHeader";
import { Button } from "@/components/ui/button";
import { CallButton, CallDialog } from "@/editor/CallDialog";
import { ConflictDialog, DraftDialog, HelpDialog, HistoryDialog, LeaveDialog, RenameDialog } from "@/editor/DocumentDialogs";
import { addGraphAt, type GraphDrag } from "@/editor/graphDrag";
import { LazyLibraryNodeDialog } from "@/editor/LazyLibraryNodeDialog";
import { RunInputsDialog, type RunInputsRequest } from "@/editor/RunInputsDialog";
import { SandboxDialog } from "@/editor/SandboxDialog";
import { ForkedFrom, ShareButton, ShareDialog } from "@/editor/ShareDialog";
import { useLiveCompile } from "@/editor/useCompile";
import { useFitGraph } from "@/editor/useFitGraph";
import { useGraphDocument } from "@/editor/useGraphDocument";
import { useGraphFunctions } from "@/editor/useGraphFunctions";
import { useFocusNode, useShowRecord } from "@/editor/useGraphView";
import { useLibrary } from "@/editor/useLibrary";
import { type ShortcutActions, useShortcuts } from "@/editor/useShortcuts";
import { Workspace } from "@/editor/Workspace";
import { isActive, runClient } from "@/lib/runClient";
import { consoleStore, useConsole } from "@/store/console";
import { editorStore, type FlowEdge, type FlowNode, useEditor } from "@/store/editor";
import { layoutStore } from "@/store/layout";
import { Breadcrumb } from "../components/Breadcrumb";

const s = () => editorStore.getState();

function Editor({ graphId }: { graphId: number }) {
  const navigate = useNavigate();
  const flow = useReactFlow<FlowNode, FlowEdge>();
  const fitGraph = useFitGraph();
  const [historyOpen, setHistoryOpen] = useState(false);
  const [renameOpen, setRenameOpen] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const [sandboxOpen, setSandboxOpen] = useState(false);
  const [shareOpen, setShareOpen] = useState(false);
  const [callOpen, setCallOpen] = useState(false);
  const show = useShowRecord();
  const focusNode = useFocusNode();
  const doc = useGraphDocument(graphId, { show, getViewport: () => flow.getViewport() });
  const { graph, save } = doc;
  const graphRef = useRef(graph);
  graphRef.current = graph;

  const dirty = useEditor((st) => st.dirty);
  const notice = useEditor((st) => st.notice);
  const canUndo = useEditor((st) => st.past.length > 0);
  const canRedo = useEditor((st) => st.future.length > 0);
  const phase = useConsole((st) => st.phase);
  const running = isActive(phase);
  const paused = useEditor((st) => st.paused !== null);

  useLiveCompile(graph !== null);
  useGraphFunctions(graph !== null, graphId);
  useLibrary(graph !== null);

  // A graph with Graph input nodes runs through the inputs form (editor/RunInputsDialog.tsx),
  // generated from the signature of the latest compile; the server checks the inputs again.
  const [inputsRequest, setInputsRequest] = useState<RunInputsRequest | null>(null);
  const formRun = useRef<RunInputsRequest | null>(null);
  const start = useCallback((debugging: boolean, inputs?: Record<string, unknown>) => {
    runClient.run({ graph: s().document() }, debugging ? { breakpoints: s().activeBreakpoints() } : undefined, inputs);
  }, []);
  const runOrAsk = useCallback(
    (debugging: boolean) => {
      if (!graphRef.current) return;
      const signature = s().compile?.signature;
      formRun.current = null;
      if (signature && signature.inputs.length > 0) setInputsRequest({ signature, debug: debugging });
      else start(debugging);
    },
    [start],
  );
  const run = useCallback(() => runOrAsk(false), [runOrAsk]);
  const debug = useCallback(() => runOrAsk(true), [runOrAsk]);
  const runWithInputs = useCallback(
    (inputs: Record<string, unknown>, debugging: boolean) => {
      formRun.current = inputsRequest;
      setInputsRequest(null);
      start(debugging, inputs);
    },
    [inputsRequest, start],
  );
  // Inputs the server refused (`bad_inputs`): the form opens again, the sentences beside their fields.
  const badInputs = useConsole((st) => st.badInputs);
  useEffect(() => {
    const last = formRun.current;
    if (!badInputs || !last) return;
    formRun.current = null;
    setInputsRequest({ signature: s().compile?.signature ?? last.signature, debug: last.debug, serverErrors: badInputs });
  }, [badInputs]);

  // The keymap (editor/keymap.ts): every shortcut.
  useShortcuts({
    save: () => void save(),
    run,
    debug: () => {
      if (s().paused) runClient.resume("continue");
      else if (!isActive(consoleStore.getState().phase)) debug();
    },
    step: () => runClient.resume("step"),
    breakpoint: () => {
      for (const n of s().nodes) if (n.selected) s().toggleBreakpoint(n.id);
    },
    undo: () => s().undo(),
    redo: () => s().redo(),
    copy: () => void s().copy(),
    paste: () => s().paste(),
    selectAll: () => s().selectAll(),
    togglePalette: () => layoutStore.getState().toggle("palette"),
    toggleCode: () => layoutStore.getState().toggle("code"),
    toggleConsole: () => layoutStore.getState().toggle("console"),
    fitView: () => fitGraph(300),
    help: () => setHelpOpen((o) => !o),
  } satisfies Required<ShortcutActions>);

  // Notices fade after a few seconds.
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => s().setNotice(null), 5000);
    return () => clearTimeout(timer);
  }, [notice]);

  function canvasCenter(): { x: number; y: number } {
    const box = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
    const center = box ? flow.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 }) : { x: 0, y: 0 };
    return { x: center.x - 110, y: center.y - 30 };
  }

  function addNodeAtCenter(type: string) {
    s().addNode(type, canvasCenter());
  }

  function addGraphAtCenter(drag: GraphDrag) {
    void addGraphAt(drag, canvasCenter());
  }

  if (doc.loadError)
    return (
      <div className="flex h-full flex-col">
        <AppHeader />
        <div className="m-auto max-w-md rounded-lg border border-red-900 bg-red-950/40 p-6 text-center" role="alert" data-testid="load-error">
          <p className="text-red-300">{doc.loadError}</p>
          <Button className="mt-4" variant="outline" onClick={() => navigate("/")}>
            Back to your graphs
          </Button>
        </div>
      </div>
    );

  const menuItem = "flex cursor-pointer items-center gap-2 rounded px-2 py-1.5 text-sm text-slate-200 outline-none data-[highlighted]:bg-slate-800";

  return (
    <div className="flex h-full flex-col">
      <AppHeader>
        <Breadcrumb>
          <button
            type="button"
            className="max-w-[16rem] truncate rounded px-1.5 py-0.5 font-medium text-slate-100 hover:bg-slate-800"
            onClick={() => setRenameOpen(true)}
            title="Rename"
            data-testid="graph-name"
          >
            {graph?.name ?? "Loading…"}
          </button>
          {graph && <ForkedFrom graph={graph} />}
        </Breadcrumb>
        <span
          className={`whitespace-nowrap text-xs ${dirty ? "text-amber-300" : "text-slate-400"}`}
          data-testid="save-state"
          data-dirty={dirty ? "true" : "false"}
        >
          {doc.saving ? "Saving…" : dirty ? "● Unsaved changes" : graph ? `Saved · v${graph.version}` : ""}
        </span>
        <div className="ml-2 flex items-center gap-0.5">
          <Button size="icon" variant="ghost" title="Undo (Ctrl+Z)" disabled={!canUndo} onClick={() => s().undo()} data-testid="undo">
            <Undo2 />
          </Button>
          <Button size="icon" variant="ghost" title="Redo (Ctrl+Shift+Z)" disabled={!canRedo} onClick={() => s().redo()} data-testid="redo">
            <Redo2 />
          </Button>
          <Button
            size="icon"
            variant="ghost"
            title="Auto-arrange"
            onClick={() => {
              s().arrange();
              setTimeout(() => fitGraph(300), 30);
            }}
            data-testid="arrange"
          >
            <LayoutGrid />
          </Button>
          <Button size="icon" variant="ghost" title="Fit view (Shift+1)" onClick={() => fitGraph(300)} data-testid="fit-view">
            <Maximize />
          </Button>
          <Button size="icon" variant="ghost" title="Keyboard shortcuts (?)" onClick={() => setHelpOpen(true)} data-testid="help">
            <Keyboard />
          </Button>
        </div>
        <div className="ml-auto flex min-w-0 items-center gap-1.5">
          {notice && (
            <span className="mr-2 min-w-0 max-w-sm truncate text-xs text-sky-300" data-testid="notice" title={notice}>
              {notice}
            </span>
          )}
          {doc.saveError && (
            <span className="mr-2 min-w-0 max-w-sm truncate text-xs text-red-300" role="alert" title={doc.saveError}>
              {doc.saveError}
            </span>
          )}
          <CallButton graph={graph} onClick={() => setCallOpen(true)} />
          <ShareButton graph={graph} onClick={() => setShareOpen(true)} />
          <Button size="sm" variant="outline" onClick={() => void save()} disabled={doc.saving || !graph} title="Save (Ctrl+S)" data-testid="save">
            <Save /> Save
          </Button>
          {paused && (
            <>
              <Button
                size="sm"
                variant="success"
                onClick={() => runClient.resume("continue")}
                title="Continue to the next breakpoint (F5)"
                data-testid="continue"
              >
                <FastForward /> Continue
              </Button>
              <Button size="sm" variant="secondary" onClick={() => runClient.resume("step")} title="Step to the next node (F10)" data-testid="step">
                <StepForward /> Step
              </Button>
            </>
          )}
          {running ? (
            <Button size="sm" variant="destructive" onClick={() => runClient.kill()} title="Stop the running script" data-testid="kill">
              <Square /> Stop
            </Button>
          ) : (
            <>
              <Button size="sm" variant="success" onClick={run} disabled={!graph} title="Run (Ctrl+Enter)" data-testid="run">
                <Play /> Run
              </Button>
              <Button
                size="sm"
                variant="outline"
                onClick={debug}
                disabled={!graph}
                title="Debug (F5): run showing each node as it runs and the values on the wires; stops at breakpoints (F9)"
                data-testid="debug"
              >
                <Bug /> Debug
              </Button>
            </>
          )}
          <DropdownMenu.Root>
            <DropdownMenu.Trigger asChild>
              <Button size="icon" variant="ghost" title="More" data-testid="more">
                <MoreHorizontal />
              </Button>
            </DropdownMenu.Trigger>
            <DropdownMenu.Portal>
              <DropdownMenu.Content align="end" sideOffset={6} className="z-50 min-w-48 rounded-md border border-slate-700 bg-slate-900 p-1 shadow-xl">
                <DropdownMenu.Item className={menuItem} onSelect={() => setRenameOpen(true)}>
                  <Pencil className="h-4 w-4" /> Rename
                </DropdownMenu.Item>
                <DropdownMenu.Item className={menuItem} onSelect={() => setHistoryOpen(true)} data-testid="menu-history">
                  <History className="h-4 w-4" /> Revision history
                </DropdownMenu.Item>
                <DropdownMenu.Item
                  className={menuItem}
                  onSelect={() => void doc.duplicate()}
                  title={dirty ? "Duplicates what is on screen, unsaved changes included" : undefined}
                >
                  <Copy className="h-4 w-4" /> {dirty ? "Duplicate (with unsaved changes)" : "Duplicate"}
                </DropdownMenu.Item>
                <DropdownMenu.Item className={menuItem} onSelect={() => void doc.exportJson()}>
                  <Download className="h-4 w-4" /> Export JSON {dirty ? "(saved version)" : ""}
                </DropdownMenu.Item>
                <DropdownMenu.Separator className="my-1 h-px bg-slate-800" />
                <DropdownMenu.Item className={menuItem} onSelect={() => setSandboxOpen(true)} data-testid="menu-sandbox">
                  <Package className="h-4 w-4" /> Sandbox: Python and packages
                </DropdownMenu.Item>
                <DropdownMenu.Separator className="my-1 h-px bg-slate-800" />
                <DropdownMenu.Item className={`${menuItem} text-red-300`} onSelect={() => void doc.remove()}>
                  <Trash2 className="h-4 w-4" /> Delete graph
                </DropdownMenu.Item>
              </DropdownMenu.Content>
            </DropdownMenu.Portal>
          </DropdownMenu.Root>
        </div>
      </AppHeader>
      <Workspace loaded={graph !== null} onFocusNode={focusNode} onAddNode={addNodeAtCenter} onAddGraph={addGraphAtCenter} graphId={graphId} />

      <LeaveDialog open={doc.leave.asking} saving={doc.saving} onSave={() => void doc.leave.save()} onDiscard={doc.leave.discard} onStay={doc.leave.stay} />
      <DraftDialog offer={doc.draftOffer} onRestore={doc.restoreDraft} onDiscard={doc.discardDraft} />
      <ConflictDialog conflict={doc.conflict} onClose={doc.dismissConflict} onResolve={(choice) => void doc.resolveConflict(choice)} />
      <HelpDialog open={helpOpen} onClose={() => setHelpOpen(false)} />
      <RunInputsDialog graphId={graphId} request={inputsRequest} onClose={() => setInputsRequest(null)} onRun={runWithInputs} />
      <SandboxDialog open={sandboxOpen} onClose={() => setSandboxOpen(false)} />
      <LazyLibraryNodeDialog />
      {graph && <ShareDialog open={shareOpen} onClose={() => setShareOpen(false)} graph={graph} dirty={dirty} onChange={doc.sharingChanged} />}
      {graph && <CallDialog open={callOpen} onClose={() => setCallOpen(false)} graph={graph} dirty={dirty} />}
      {graph && <RenameDialog open={renameOpen} onClose={() => setRenameOpen(false)} graph={graph} onRenamed={doc.renamed} />}
      {graph && (
        <HistoryDialog
          open={historyOpen}
          onClose={() => setHistoryOpen(false)}
          graph={graph}
          onRestored={(record) => {
            doc.applyRecord(record);
            s().setNotice(`Restored; saved as version ${record.version}.`);
          }}
        />
      )}
    </div>
  );
}

export function EditorPage() {
  const { id } = useParams();
  const graphId = Number(id);
  if (!Number.isInteger(graphId) || graphId <= 0) return <div className="p-8 text-red-300">Not a graph address.</div>;
  return (
    <ReactFlowProvider>
      <Editor key={graphId} graphId={graphId} />
    </ReactFlowProvider>
  );
}
