// Someone's shared graph, read-only: reached by a secret link (/s/<token>) or from the gallery
// (/gallery/<id>). The editor's canvas, code and console (editor/Workspace.tsx) without the
// palette or any editing; Run runs the stored graph under the viewer's account, Fork copies it
// into the viewer's graphs and opens it in the editor.

import { ReactFlowProvider } from "@xyflow/react";
import { Eye, GitFork, Maximize, Pencil, Play, Square } from "lucide-react";
import { useCallback, useMemo, useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { AppHeader } from "@/components/AppHeader";
import { Button } from "@/components/ui/button";
import { useLiveCompile } from "@/editor/useCompile";
import { useFitGraph } from "@/editor/useFitGraph";
import { useFocusNode, useShowRecord } from "@/editor/useGraphView";
import { useSharedGraph } from "@/editor/useSharedGraph";
import { useShortcuts } from "@/editor/useShortcuts";
import { Workspace } from "@/editor/Workspace";
import { errorText } from "@/lib/api";
import { isActive, runClient } from "@/lib/runClient";
import type { SharedGraph } from "@/lib/schemas";
import { forkGraph, runFields, type ShareSource, sourceFromParams, viewerPath } from "@/lib/sharing";
import { useConsole } from "@/store/console";
import { layoutStore } from "@/store/layout";
import { useSession } from "@/store/session";
import { Breadcrumb } from "../components/Breadcrumb";

/** The page instead of the graph: revoked, unlisted, never existed, or the server failed. */
function Unavailable({ text, notFound }: { text: string; notFound: boolean }) {
  const navigate = useNavigate();
  return (
    <div className="flex h-full flex-col">
      <AppHeader />
      <div className="m-auto max-w-md rounded-lg border border-red-900 bg-red-950/40 p-6 text-center" role="alert" data-testid="shared-unavailable">
        {notFound && <p className="mb-1 text-lg font-semibold text-slate-100">Not found</p>}
        <p className="text-red-300" data-testid="shared-error">
          {text}
        </p>
        <div className="mt-4 flex justify-center gap-2">
          <Button variant="outline" onClick={() => navigate("/gallery")}>
            Browse the gallery
          </Button>
          <Button variant="outline" onClick={() => navigate("/")}>
            Your graphs
          </Button>
        </div>
      </div>
    </div>
  );
}

/** Run, or Stop while a run is on its way. */
function RunButton({ onRun, disabled }: { onRun: () => void; disabled: boolean }) {
  const running = isActive(useConsole((st) => st.phase));
  if (running)
    return (
      <Button size="sm" variant="destructive" onClick={() => runClient.kill()} title="Stop the running script" data-testid="kill">
        <Square /> Stop
      </Button>
    );
  return (
    <Button size="sm" variant="success" onClick={onRun} disabled={disabled} title="Run (Ctrl+Enter), with your account and its limits" data-testid="run">
      <Play /> Run
    </Button>
  );
}

/** Fork: a copy in the viewer's own graphs, opened in the editor. */
function ForkButton({ source, graph, onError }: { source: ShareSource; graph: SharedGraph | null; onError: (text: string | null) => void }) {
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  async function fork() {
    if (!graph) return;
    setBusy(true);
    onError(null);
    try {
      navigate(`/graphs/${await forkGraph(source, graph.id)}`);
    } catch (err) {
      onError(`Could not fork: ${errorText(err)}`);
      setBusy(false);
    }
  }
  return (
    <Button size="sm" onClick={() => void fork()} disabled={!graph || busy} title="Copy this graph into your graphs and edit it" data-testid="fork">
      <GitFork /> {busy ? "Forking…" : "Fork"}
    </Button>
  );
}

function Viewer({ source }: { source: ShareSource }) {
  const show = useShowRecord();
  const focusNode = useFocusNode();
  const fitGraph = useFitGraph();
  const { graph, error } = useSharedGraph(source, show);
  const [actionError, setActionError] = useState<string | null>(null);
  const mine = useSession((st) => Boolean(graph && st.me && st.me.username === graph.owner));
  // The stored graph, with the link's token when it came by link.
  const run = useCallback(() => {
    if (graph) runClient.run(runFields(source, graph.id));
  }, [graph, source]);

  useLiveCompile(graph !== null);
  // The shortcuts that read and run; none that edit.
  useShortcuts({
    run,
    fitView: () => fitGraph(300),
    toggleCode: () => layoutStore.getState().toggle("code"),
    toggleConsole: () => layoutStore.getState().toggle("console"),
  });

  if (error) return <Unavailable text={error.text} notFound={error.notFound} />;

  const title = graph ? graph.title || graph.name : "Loading…";
  return (
    <div className="flex h-full flex-col" data-testid="shared-view" data-source={source.kind}>
      <AppHeader>
        {/* Back to where such graphs are found: the gallery, or (a link) the viewer's own graphs. */}
        <Breadcrumb back={source.kind === "gallery" ? { to: "/gallery", label: "Gallery", testId: "nav-gallery" } : undefined}>
          <span className="max-w-[16rem] truncate px-1.5 py-0.5 font-medium text-slate-100" title={graph?.description || title} data-testid="shared-title">
            {title}
          </span>
          {graph && (
            <span className="truncate text-xs text-slate-400" data-testid="shared-owner">
              by {graph.owner}
            </span>
          )}
        </Breadcrumb>
        <span
          className="flex items-center gap-1 whitespace-nowrap rounded border border-slate-700 px-1.5 py-0.5 text-xs text-slate-400"
          title={source.kind === "link" ? "Shared with you by a link: you can read, run and fork it" : "Listed in the gallery: you can read, run and fork it"}
          data-testid="read-only-badge"
        >
          <Eye className="h-3 w-3" /> Read-only · {source.kind === "link" ? "shared link" : "gallery"}
        </span>
        <Button size="icon" variant="ghost" title="Fit view (Shift+1)" onClick={() => fitGraph(300)} data-testid="fit-view">
          <Maximize />
        </Button>
        <div className="ml-auto flex min-w-0 items-center gap-1.5">
          {actionError && (
            <span className="mr-2 min-w-0 max-w-sm truncate text-xs text-red-300" role="alert" title={actionError}>
              {actionError}
            </span>
          )}
          {mine && graph && (
            <Button size="sm" variant="outline" asChild title="This graph is yours: open it in the editor">
              <Link to={`/graphs/${graph.id}`} data-testid="open-own">
                <Pencil /> Edit
              </Link>
            </Button>
          )}
          <RunButton onRun={run} disabled={!graph} />
          <ForkButton source={source} graph={graph} onError={setActionError} />
        </div>
      </AppHeader>
      <Workspace loaded={graph !== null} onFocusNode={focusNode} />
    </div>
  );
}

export function SharedGraphPage() {
  const { token, id } = useParams();
  const source = useMemo(() => sourceFromParams({ token, id }), [token, id]);
  if (!source) return <Unavailable text="This is not the address of a shared graph." notFound />;
  return (
    <ReactFlowProvider>
      <Viewer key={viewerPath(source)} source={source} />
    </ReactFlowProvider>
  );
}
