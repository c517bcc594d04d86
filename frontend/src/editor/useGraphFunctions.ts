// Reads what the `graph` nodes on the canvas need: the signature of each pinned revision (their
// ports) and the names of the graphs they use, once each, as nodes appear. Results go to the
// editor store's functions slice (store/editor/functions.ts).

import { useEffect, useRef } from "react";

import { errorText } from "@/lib/api";
import { listFunctionGraphs, readPinnedSignature, readSnapshotHeads } from "@/lib/graphFunctions";
import { GRAPH_NODE_TYPE, type GraphRef, graphRefOf, signatureKey } from "@/lib/signature";
import { editorStore, type FlowNode, useEditor } from "@/store/editor";

const s = () => editorStore.getState();

// The pinned revisions of a nodes array (it changes on every drag frame: computed once per array).
const refsIndex = new WeakMap<readonly FlowNode[], string>();
function pinnedKeys(nodes: readonly FlowNode[]): string {
  let keys = refsIndex.get(nodes);
  if (keys === undefined) {
    const found = new Set<string>();
    for (const n of nodes) {
      const ref = n.type === GRAPH_NODE_TYPE ? graphRefOf(n.data.params) : null;
      if (ref) found.add(signatureKey(ref));
    }
    keys = [...found].sort().join("\n");
    refsIndex.set(nodes, keys);
  }
  return keys;
}

function parseKey(key: string): GraphRef {
  const [graphId, version] = key.split("@").map(Number);
  return { graphId: graphId ?? 0, version: version ?? 0 };
}

/** The signature of `ref` from the copy graph `graphId` keeps of it, learned; false when it keeps none. */
async function learnFromSnapshots(graphId: number, ref: GraphRef): Promise<boolean> {
  const heads = await readSnapshotHeads(graphId);
  for (const head of heads) s().learnSignature(head.ref, head.signature, { name: head.name, gallery: true });
  return heads.some((head) => head.ref.graphId === ref.graphId && head.ref.version === ref.version);
}

/** `graphId`: the graph being edited (its kept copies of others' graphs are read when needed). */
export function useGraphFunctions(enabled: boolean, graphId: number): void {
  const keys = useEditor((st) => pinnedKeys(st.nodes));
  const asked = useRef(new Set<string>());
  const namesAsked = useRef(false);

  useEffect(() => {
    if (!enabled || !keys) return;
    const wanted = keys.split("\n").filter((key) => !asked.current.has(key) && !s().signatures[key]);
    for (const key of wanted) {
      asked.current.add(key);
      const ref = parseKey(key);
      readPinnedSignature(ref).then(
        async (found) => {
          if (!found) {
            if (await learnFromSnapshots(graphId, ref).catch(() => false)) return;
            s().signatureFailed(
              ref,
              `Version ${ref.version} of graph #${ref.graphId} cannot be read: it is not yours, not in the gallery at that version, and this graph keeps no copy of it.`,
            );
            return;
          }
          const head = found.head;
          s().learnSignature(ref, found.signature, head ? { name: head.name, gallery: true, latest: head.ref.version } : undefined);
        },
        (err: unknown) => {
          asked.current.delete(key); // a failed request is asked again when the nodes change
          s().signatureFailed(ref, errorText(err));
        },
      );
    }
    // The names of the user's own graphs: one list request, when a node names one not known yet.
    const unnamed = keys.split("\n").some((key) => !s().usedGraphs[String(parseKey(key).graphId)]);
    if (unnamed && !namesAsked.current) {
      namesAsked.current = true;
      listFunctionGraphs().then(
        (rows) => s().knowGraphs(Object.fromEntries(rows.map((row) => [String(row.id), { name: row.name, gallery: false, latest: row.version }]))),
        () => {
          namesAsked.current = false;
        },
      );
    }
  }, [enabled, keys, graphId]);
}
