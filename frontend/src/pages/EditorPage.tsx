// The editor of one graph: toolbar (save, run, history, ...), palette, canvas, live code,
// problems and console, plus the keyboard shortcuts.

import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { ReactFlowProvider, useReactFlow } from "@xyflow/react";
import {
  Bug,
  Copy,
  Download,
  FastForward,
  History,
  LayoutGrid,
  Maximize,
  MoreHorizontal,
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
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Canvas } from "@/editor/Canvas";
import { ConsolePanel } from "@/editor/ConsolePanel";
import { Palette } from "@/editor/Palette";
import { ProblemsList } from "@/editor/ProblemsList";
import { takeEditorData } from "@/editor/prefetch";
import { useLiveCompile } from "@/editor/useCompile";
import { ApiError, api, download, errorText, type Page, results } from "@/lib/api";
import { lazyModule } from "@/lib/lazyModule";
import { runClient } from "@/lib/runClient";
import type { GraphRecord, RevisionSummary } from "@/lib/types";
import { consoleStore, useConsole } from "@/store/console";
import { editorStore, type FlowEdge, type FlowNode, useEditor } from "@/store/editor";

const s = () => editorStore.getState();

// CodeMirror is a third of the editor's code: the canvas draws first, the code panel follows.
const codePanel = lazyModule(() => import("@/editor/CodePanel"));

function LazyCodePanel({ onFocusNode }: { onFocusNode: (id: string) => void }) {
  const { module, error } = codePanel.useModule();
  if (module) return <module.CodePanel onFocusNode={onFocusNode} />;
  return (
    <div className={`flex-1 p-3 text-xs ${error ? "text-red-300" : "text-slate-500"}`} data-testid="code-loading">
      {error ?? "Loading the code view…"}
    </div>
  );
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable || Boolean(el.closest(".cm-editor"));
}

/** A viewport showing every node, from positions alone (sizes are not measured yet). */
function estimateFit(nodes: GraphRecord["nodes"]): { x: number; y: number; zoom: number } {
  const box = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
  const width = box?.width ?? window.innerWidth - 700;
  const height = box?.height ?? window.innerHeight - 300;
  const xs = nodes.map((n) => n.position.x);
  const ys = nodes.map((n) => n.position.y);
  const minX = Math.min(...xs);
  const minY = Math.min(...ys);
  const w = Math.max(...xs) - minX + 240;
  const h = Math.max(...ys) - minY + 160;
  const zoom = Math.min(1.2, Math.max(0.1, Math.min(width / (w * 1.2), height / (h * 1.2))));
  return { x: (width - w * zoom) / 2 - minX * zoom, y: (height - h * zoom) / 2 - minY * zoom, zoom };
}

interface Conflict {
  currentVersion: number;
}

function Editor({ graphId }: { graphId: number }) {
  const navigate = useNavigate();
  const flow = useReactFlow<FlowNode, FlowEdge>();
  const [graph, setGraph] = useState<GraphRecord | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [historyOpen, setHistoryOpen] = useState(false);
  const [renameOpen, setRenameOpen] = useState(false);
  const graphRef = useRef<GraphRecord | null>(null);
  graphRef.current = graph;
  const dirty = useEditor((st) => st.contentSeq !== st.savedSeq);
  const notice = useEditor((st) => st.notice);
  const canUndo = useEditor((st) => st.past.length > 0);
  const canRedo = useEditor((st) => st.future.length > 0);
  const phase = useConsole((st) => st.phase);
  const running = phase === "running" || phase === "queued" || phase === "sending";
  const paused = useEditor((st) => st.paused !== null);

  useLiveCompile(graph !== null);

  const applyRecord = useCallback(
    (record: GraphRecord) => {
      setGraph(record);
      // Set the viewport before the nodes arrive, so a big graph is first drawn at its final
      // zoom (zoomed out, nodes skip their forms) rather than at 100% and then fitted.
      const vp = record.viewport;
      const nodes = record.nodes ?? [];
      if (vp && typeof vp.x === "number" && typeof vp.y === "number" && typeof vp.zoom === "number") void flow.setViewport({ x: vp.x, y: vp.y, zoom: vp.zoom });
      else if (nodes.length) void flow.setViewport(estimateFit(nodes));
      s().load({ nodes, edges: record.edges ?? [] });
      if (!vp?.zoom && nodes.length) setTimeout(() => void flow.fitView({ padding: 0.2, maxZoom: 1.2 }), 50);
    },
    [flow],
  );

  // The loader must not re-run when React Flow hands out a new helper object after mounting: a
  // second run would fetch the graph again and wipe the store in between.
  const applyRecordRef = useRef(applyRecord);
  applyRecordRef.current = applyRecord;

  useEffect(() => {
    let cancelled = false;
    s().setGraphKey(String(graphId));
    s().load({ nodes: [], edges: [] });
    s().setCompile(null);
    consoleStore.getState().clear();
    consoleStore.getState().patch({ phase: "idle", exit: null, runId: null, ref: null });
    (async () => {
      try {
        const [catalogue, record] = await takeEditorData(graphId);
        if (cancelled) return;
        s().setCatalogue(catalogue.nodes, catalogue.categories, catalogue.type_compatibility);
        applyRecordRef.current(record);
      } catch (err) {
        if (cancelled) return;
        if (err instanceof ApiError && err.status === 401) return; // the session watcher signs in again
        setLoadError(err instanceof ApiError && err.status === 404 ? "This graph does not exist or is not yours." : errorText(err));
      }
    })();
    runClient.start();
    return () => {
      cancelled = true;
    };
  }, [graphId]);

  useEffect(() => () => runClient.stop(), []);

  // Leaving with unsaved changes asks first.
  useEffect(() => {
    const handler = (e: BeforeUnloadEvent) => {
      if (editorStore.getState().contentSeq !== editorStore.getState().savedSeq) e.preventDefault();
    };
    window.addEventListener("beforeunload", handler);
    return () => window.removeEventListener("beforeunload", handler);
  }, []);

  const save = useCallback(
    async (opts: { baseVersion?: number } = {}) => {
      const current = graphRef.current;
      if (!current) return;
      setSaving(true);
      setSaveError(null);
      const seqAtSave = s().contentSeq;
      try {
        const doc = s().document();
        const saved = await api<GraphRecord>(`graphs/${current.id}/`, {
          method: "PUT",
          body: { name: current.name, description: current.description, ...doc, viewport: flow.getViewport(), version: opts.baseVersion ?? current.version },
        });
        setGraph({ ...current, version: saved.version, name: saved.name });
        // Edits made while the request was in flight stay unsaved.
        if (s().contentSeq === seqAtSave) s().markSaved();
        s().setNotice(`Saved (version ${saved.version}).`);
      } catch (err) {
        if (err instanceof ApiError && err.status === 409) {
          const currentVersion = Number(err.body?.current_version ?? 0);
          setConflict({ currentVersion });
        } else setSaveError(errorText(err));
      } finally {
        setSaving(false);
      }
    },
    [flow],
  );

  const run = useCallback(() => {
    runClient.run({ graph: s().document() });
  }, []);

  const debug = useCallback(() => {
    runClient.run({ graph: s().document() }, { breakpoints: s().activeBreakpoints() });
  }, []);

  const focusNode = useCallback(
    (id: string) => {
      s().selectOnly([id]);
      const node = flow.getNode(id);
      if (node) {
        const w = node.measured?.width ?? 200;
        const h = node.measured?.height ?? 80;
        void flow.setCenter(node.position.x + w / 2, node.position.y + h / 2, { zoom: Math.max(flow.getZoom(), 0.8), duration: 300 });
      }
    },
    [flow],
  );

  // A run that raised in a node's code brings that node into view.
  const raised = useEditor((st) => st.raisedNodeId);
  useEffect(() => {
    if (raised) focusNode(raised);
  }, [raised, focusNode]);

  useEffect(() => {
    const handler = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === "s") {
        e.preventDefault();
        void save();
        return;
      }
      if (mod && e.key === "Enter") {
        e.preventDefault();
        run();
        return;
      }
      // Debugging: F5 starts a debug run (or continues a paused one), F10 steps, F9 toggles the
      // breakpoints of the selected nodes. F5 never reloads the editor.
      if (e.key === "F5" && !mod) {
        e.preventDefault();
        const phase = consoleStore.getState().phase;
        if (s().paused) runClient.resume("continue");
        else if (phase !== "running" && phase !== "queued" && phase !== "sending" && graphRef.current) debug();
        return;
      }
      if (e.key === "F10" && !mod) {
        e.preventDefault();
        runClient.resume("step");
        return;
      }
      if (isTyping(e.target)) return;
      if (e.key === "F9" && !mod) {
        e.preventDefault();
        for (const n of s().nodes) if (n.selected) s().toggleBreakpoint(n.id);
        return;
      }
      if (mod && key === "z" && !e.shiftKey) {
        e.preventDefault();
        s().undo();
      } else if (mod && ((key === "z" && e.shiftKey) || key === "y")) {
        e.preventDefault();
        s().redo();
      } else if (mod && key === "c") {
        s().copy();
      } else if (mod && key === "v") {
        e.preventDefault();
        s().paste();
      } else if (mod && key === "a") {
        e.preventDefault();
        s().selectAll();
      } else if (e.key === "Delete" || e.key === "Backspace") {
        e.preventDefault();
        s().deleteSelected();
      }
    };
    window.addEventListener("keydown", handler);
    return () => window.removeEventListener("keydown", handler);
  }, [save, run, debug]);

  // Notices fade after a few seconds.
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => s().setNotice(null), 4000);
    return () => clearTimeout(timer);
  }, [notice]);

  async function resolveConflict(choice: "theirs" | "mine") {
    const current = graphRef.current;
    if (!current || !conflict) return;
    setConflict(null);
    try {
      if (choice === "theirs") {
        applyRecord(await api<GraphRecord>(`graphs/${current.id}/`));
        s().setNotice("Loaded the newer saved version; your unsaved changes were discarded.");
      } else {
        // Keep mine: fetch the current version, then save my graph on top of it.
        const latest = await api<GraphRecord>(`graphs/${current.id}/`);
        setGraph({ ...current, version: latest.version });
        graphRef.current = { ...current, version: latest.version };
        await save({ baseVersion: latest.version });
      }
    } catch (err) {
      setSaveError(errorText(err));
    }
  }

  function addNodeAtCenter(type: string) {
    const box = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
    const center = box ? flow.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 }) : { x: 0, y: 0 };
    s().addNode(type, { x: center.x - 90, y: center.y - 30 });
  }

  async function duplicate() {
    const current = graphRef.current;
    if (!current) return;
    try {
      const copy = await api<{ id: number }>(`graphs/${current.id}/duplicate/`, { method: "POST", body: {} });
      navigate(`/graphs/${copy.id}`);
    } catch (err) {
      setSaveError(errorText(err));
    }
  }

  async function exportJson() {
    const current = graphRef.current;
    if (!current) return;
    try {
      const doc = await api<unknown>(`graphs/${current.id}/export/`);
      download(`${current.name.replace(/[^\w.-]+/g, "_") || "graph"}.json`, JSON.stringify(doc, null, 2));
    } catch (err) {
      setSaveError(errorText(err));
    }
  }

  async function remove() {
    const current = graphRef.current;
    if (!current || !window.confirm(`Delete "${current.name}"? This cannot be undone.`)) return;
    try {
      await api(`graphs/${current.id}/`, { method: "DELETE" });
      s().markSaved();
      navigate("/");
    } catch (err) {
      setSaveError(errorText(err));
    }
  }

  if (loadError)
    return (
      <div className="flex h-full flex-col">
        <AppHeader />
        <div className="m-auto max-w-md rounded-lg border border-red-900 bg-red-950/40 p-6 text-center" role="alert" data-testid="load-error">
          <p className="text-red-300">{loadError}</p>
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
        <button
          type="button"
          className="max-w-xs truncate rounded px-1.5 py-0.5 text-sm font-medium text-slate-100 hover:bg-slate-800"
          onClick={() => setRenameOpen(true)}
          title="Rename"
          data-testid="graph-name"
        >
          {graph?.name ?? "Loading…"}
        </button>
        <span className={`text-xs ${dirty ? "text-amber-300" : "text-slate-500"}`} data-testid="save-state" data-dirty={dirty ? "true" : "false"}>
          {saving ? "Saving…" : dirty ? "● Unsaved changes" : graph ? `Saved · v${graph.version}` : ""}
        </span>
        <div className="ml-3 flex items-center gap-1">
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
              setTimeout(() => void flow.fitView({ padding: 0.2, duration: 300 }), 30);
            }}
            data-testid="arrange"
          >
            <LayoutGrid />
          </Button>
          <Button size="icon" variant="ghost" title="Fit view" onClick={() => void flow.fitView({ padding: 0.2, duration: 300 })} data-testid="fit-view">
            <Maximize />
          </Button>
        </div>
        <div className="ml-auto flex items-center gap-1.5">
          {notice && (
            <span className="mr-2 max-w-sm truncate text-xs text-sky-300" data-testid="notice" title={notice}>
              {notice}
            </span>
          )}
          {saveError && (
            <span className="mr-2 max-w-sm truncate text-xs text-red-300" role="alert" title={saveError}>
              {saveError}
            </span>
          )}
          <Button size="sm" variant="outline" onClick={() => void save()} disabled={saving || !graph} title="Save (Ctrl+S)" data-testid="save">
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
                <DropdownMenu.Item className={menuItem} onSelect={() => void duplicate()}>
                  <Copy className="h-4 w-4" /> Duplicate
                </DropdownMenu.Item>
                <DropdownMenu.Item className={menuItem} onSelect={() => void exportJson()}>
                  <Download className="h-4 w-4" /> Export JSON
                </DropdownMenu.Item>
                <DropdownMenu.Separator className="my-1 h-px bg-slate-800" />
                <DropdownMenu.Item className={`${menuItem} text-red-300`} onSelect={() => void remove()}>
                  <Trash2 className="h-4 w-4" /> Delete graph
                </DropdownMenu.Item>
              </DropdownMenu.Content>
            </DropdownMenu.Portal>
          </DropdownMenu.Root>
        </div>
      </AppHeader>
      <div className="flex min-h-0 flex-1">
        <Palette onAdd={addNodeAtCenter} />
        <div className="min-w-0 flex-1">
          <Canvas />
        </div>
        <aside className="flex w-[420px] shrink-0 flex-col border-l border-slate-800 bg-slate-950">
          {/* Mounted once the graph is drawn: evaluating CodeMirror must not delay the canvas. */}
          {graph ? <LazyCodePanel onFocusNode={focusNode} /> : <div className="flex-1" data-testid="code-loading" />}
          <ProblemsList onFocusNode={focusNode} />
        </aside>
      </div>
      <ConsolePanel height={240} />

      <Dialog open={conflict !== null} onOpenChange={(open) => !open && setConflict(null)}>
        <DialogContent data-testid="conflict-dialog">
          <DialogHeader>
            <DialogTitle>This graph was saved elsewhere</DialogTitle>
            <DialogDescription>
              Someone (maybe you, in another tab) saved version {conflict?.currentVersion} after you opened this graph. Choose which one wins.
            </DialogDescription>
          </DialogHeader>
          <DialogFooter>
            <Button variant="outline" onClick={() => void resolveConflict("theirs")}>
              Use theirs (discard mine)
            </Button>
            <Button onClick={() => void resolveConflict("mine")}>Keep mine (save over theirs)</Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>

      {graph && (
        <RenameDialog
          open={renameOpen}
          onClose={() => setRenameOpen(false)}
          graph={graph}
          onRenamed={(g) => setGraph({ ...graph, name: g.name, version: g.version })}
        />
      )}
      {graph && (
        <HistoryDialog
          open={historyOpen}
          onClose={() => setHistoryOpen(false)}
          graph={graph}
          onRestored={(record) => {
            applyRecord(record);
            s().setNotice(`Restored; saved as version ${record.version}.`);
          }}
        />
      )}
    </div>
  );
}

function RenameDialog({ open, onClose, graph, onRenamed }: { open: boolean; onClose: () => void; graph: GraphRecord; onRenamed: (g: GraphRecord) => void }) {
  const [name, setName] = useState(graph.name);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (open) {
      setName(graph.name);
      setError(null);
    }
  }, [open, graph.name]);
  return (
    <Dialog open={open} onOpenChange={(o) => !o && onClose()}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Rename graph</DialogTitle>
        </DialogHeader>
        <form
          className="space-y-3"
          onSubmit={async (e) => {
            e.preventDefault();
            try {
              const saved = await api<GraphRecord>(`graphs/${graph.id}/`, { method: "PATCH", body: { name, version: graph.version } });
              onRenamed(saved);
              onClose();
            } catch (err) {
              setError(err instanceof ApiError && err.status === 409 ? "The graph was saved elsewhere; save or reload first, then rename." : errorText(err));
            }
          }}
        >
          <Input value={name} onChange={(e) => setName(e.target.value)} autoFocus maxLength={200} aria-label="Graph name" />
          {error && <p className="text-sm text-red-300">{error}</p>}
          <DialogFooter>
            <Button type="button" variant="ghost" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" disabled={!name.trim()}>
              Rename
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

function HistoryDialog({ open, onClose, graph, onRestored }: { open: boolean; onClose: () => void; graph: GraphRecord; onRestored: (g: GraphRecord) => void }) {
  const [revisions, setRevisions] = useState<RevisionSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!open) return;
    setRevisions(null);
    setError(null);
    api<Page<RevisionSummary> | RevisionSummary[]>(`graphs/${graph.id}/revisions/?limit=100`)
      .then((page) => setRevisions(results(page)))
      .catch((err: unknown) => setError(errorText(err)));
  }, [open, graph.id]);
  const dirty = useEditor((st) => st.contentSeq !== st.savedSeq);
  return (
    <Dialog open={open} onOpenChange={(o) => !o && onClose()}>
      <DialogContent data-testid="history-dialog">
        <DialogHeader>
          <DialogTitle>Revision history</DialogTitle>
          <DialogDescription>
            Current: version {graph.version}. Restoring saves the old state as a new version{dirty ? " and discards your unsaved changes" : ""}.
          </DialogDescription>
        </DialogHeader>
        {error && <p className="text-sm text-red-300">{error}</p>}
        <ul className="max-h-80 space-y-1 overflow-y-auto">
          {revisions?.length === 0 && <li className="text-sm text-slate-400">No earlier versions yet: each save keeps the previous one here.</li>}
          {revisions?.map((r) => (
            <li key={r.version} className="flex items-center gap-3 rounded-md border border-slate-800 px-3 py-2 text-sm">
              <span className="font-mono text-slate-300">v{r.version}</span>
              <span className="flex-1 truncate text-slate-400">
                {r.name} · {new Date(r.created_at).toLocaleString()}
              </span>
              <Button
                size="xs"
                variant="outline"
                onClick={async () => {
                  try {
                    const restored = await api<GraphRecord>(`graphs/${graph.id}/revisions/${r.version}/restore/`, {
                      method: "POST",
                      body: { version: graph.version },
                    });
                    const record = restored && Array.isArray(restored.nodes) ? restored : await api<GraphRecord>(`graphs/${graph.id}/`);
                    onRestored(record);
                    onClose();
                  } catch (err) {
                    setError(errorText(err));
                  }
                }}
              >
                Restore
              </Button>
            </li>
          ))}
        </ul>
      </DialogContent>
    </Dialog>
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
