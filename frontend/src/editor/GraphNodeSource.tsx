// What a `graph` node shows of the graph it uses: its name and pinned version, and "Update to
// latest" (re-pins the node to the graph's newest version; wires the new signature breaks turn
// red, see WireEdge). Double-clicking the node opens the graph (NodeView).

import { RefreshCw } from "lucide-react";
import { useState } from "react";

import { errorText } from "@/lib/api";
import { readGraphHead } from "@/lib/graphFunctions";
import { type GraphRef, signatureKey } from "@/lib/signature";
import { editorStore, usedGraphName, useEditor } from "@/store/editor";

const s = () => editorStore.getState();

/** Where a used graph opens: the user's own in the editor, a gallery graph in the gallery viewer. */
export function graphAddress(graphId: number, gallery: boolean): string {
  return gallery ? `/gallery/${graphId}` : `/graphs/${graphId}`;
}

async function updateToLatest(nodeId: string, ref: GraphRef, gallery: boolean): Promise<void> {
  const head = await readGraphHead(ref.graphId, gallery);
  s().learnSignature(head.ref, head.signature, { name: head.name, gallery, latest: head.ref.version });
  if (head.ref.version === ref.version) {
    s().setNotice(`“${head.name}” is already at its latest version (v${ref.version}).`);
    return;
  }
  s().repinGraphNode(nodeId, head.ref.version);
  const broken = Object.keys(s().brokenWires).filter((id) => s().edges.some((e) => e.id === id && (e.source === nodeId || e.target === nodeId))).length;
  s().setNotice(
    broken
      ? `Updated “${head.name}” to v${head.ref.version}: ${broken} wire${broken === 1 ? "" : "s"} no longer fit its signature (shown in red).`
      : `Updated “${head.name}” to v${head.ref.version}.`,
  );
}

export function GraphNodeSource({ nodeId, graphRef, readOnly }: { nodeId: string; graphRef: GraphRef | null; readOnly: boolean }) {
  const used = useEditor((st) => (graphRef ? st.usedGraphs[String(graphRef.graphId)] : undefined));
  const name = useEditor((st) => (graphRef ? usedGraphName(st, graphRef.graphId) : ""));
  const problem = useEditor((st) => (graphRef ? st.signatureProblems[signatureKey(graphRef)] : undefined));
  const [busy, setBusy] = useState(false);
  if (!graphRef) return <div className="px-3 py-1.5 text-xs text-red-300">No graph chosen: drop one from the palette’s “My graphs”.</div>;
  const behind = used?.latest !== undefined && used.latest > graphRef.version;
  return (
    <div className="flex items-center gap-2 border-t border-slate-800 px-3 py-1.5 text-xs" data-testid="graph-node-source">
      <span className="min-w-0 truncate text-slate-300" title={`${name}, version ${graphRef.version}. Double-click the node to open it.`}>
        <span data-testid="graph-node-name">{name}</span> · <span data-testid="graph-node-version">v{graphRef.version}</span>
        {behind && <span className="ml-1 text-amber-300">(v{used?.latest} available)</span>}
      </span>
      {problem && (
        <span className="text-red-300" title={problem} data-testid="graph-node-problem">
          unreadable
        </span>
      )}
      {!readOnly && (
        <button
          type="button"
          className="nodrag ml-auto flex shrink-0 items-center gap-1 rounded border border-slate-700 px-1.5 py-0.5 text-slate-200 hover:border-sky-500 disabled:opacity-50"
          title="Update to latest: pin this node to the graph’s newest version"
          aria-label="Update to latest"
          data-testid="graph-node-update"
          disabled={busy}
          onClick={(e) => {
            e.stopPropagation();
            setBusy(true);
            updateToLatest(nodeId, graphRef, used?.gallery ?? false)
              .catch((err: unknown) => s().setNotice(`Could not update: ${errorText(err)}`))
              .finally(() => setBusy(false));
          }}
        >
          <RefreshCw className="h-3 w-3" /> Update to latest
        </button>
      )}
    </div>
  );
}
