// What a `graph` node shows of the graph it uses: its name and pinned version, and "Update to
// latest" (re-pins the node to the graph's newest version; wires the new signature breaks turn
// red, see WireEdge). Double-clicking the node opens the graph (NodeView).

import { readGraphHead } from "@/lib/graphFunctions";
import { type GraphRef, signatureKey } from "@/lib/signature";
import { editorStore, usedGraphName, useEditor } from "@/store/editor";

import { repinAndTell, SourceBar } from "./PinnedSource";

const s = () => editorStore.getState();

/** Where a used graph opens: the user's own in the editor, a gallery graph in the gallery viewer. */
export function graphAddress(graphId: number, gallery: boolean): string {
  return gallery ? `/gallery/${graphId}` : `/graphs/${graphId}`;
}

async function updateToLatest(nodeId: string, ref: GraphRef, gallery: boolean): Promise<void> {
  const head = await readGraphHead(ref.graphId, gallery);
  s().learnSignature(head.ref, head.signature, { name: head.name, gallery, latest: head.ref.version });
  repinAndTell(nodeId, head.name, ref.version, head.ref.version, "signature");
}

export function GraphNodeSource({ nodeId, graphRef, readOnly }: { nodeId: string; graphRef: GraphRef | null; readOnly: boolean }) {
  const used = useEditor((st) => (graphRef ? st.usedGraphs[String(graphRef.graphId)] : undefined));
  const name = useEditor((st) => (graphRef ? usedGraphName(st, graphRef.graphId) : ""));
  const problem = useEditor((st) => (graphRef ? st.signatureProblems[signatureKey(graphRef)] : undefined));
  if (!graphRef) return <div className="px-3 py-1.5 text-xs text-red-300">No graph chosen: drop one from the palette’s “My graphs”.</div>;
  return (
    <SourceBar
      testId="graph-node"
      name={name}
      version={graphRef.version}
      latest={used?.latest}
      problem={problem}
      title={`${name}, version ${graphRef.version}. Double-click the node to open it.`}
      readOnly={readOnly}
      update={() => updateToLatest(nodeId, graphRef, used?.gallery ?? false)}
    />
  );
}
