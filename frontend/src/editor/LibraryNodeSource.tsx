// What a library node (`lib:<id>`) shows of the entry it uses: its name and pinned version, and
// "Update to latest" (reads the entry, re-pins the node to its newest version; wires the new
// version's ports break turn red), as a `graph` node does (PinnedSource.tsx).

import { type LibraryVersions, libraryType } from "@/lib/library";
import { readLibraryEntry } from "@/lib/libraryApi";
import { editorStore, libraryVersionKey, useEditor } from "@/store/editor";

import { repinAndTell, SourceBar } from "./PinnedSource";

const s = () => editorStore.getState();

async function updateToLatest(nodeId: string, id: number, version: number): Promise<void> {
  const entry = await readLibraryEntry(id);
  s().learnLibraryEntry(entry);
  repinAndTell(nodeId, entry.name, version, entry.version, "function");
}

export function LibraryNodeSource({
  nodeId,
  library,
  version,
  readOnly,
}: {
  nodeId: string;
  library: LibraryVersions;
  version: number | null;
  readOnly: boolean;
}) {
  const problem = useEditor((st) => (version === null ? undefined : st.libraryProblems[libraryVersionKey(library.id, version)]));
  if (version === null) return <div className="px-3 py-1.5 text-xs text-red-300">No version pinned: drop the node again from “My nodes”.</div>;
  return (
    <SourceBar
      testId="lib-node"
      name={library.name}
      version={version}
      latest={library.latest}
      problem={problem}
      title={`${library.name} (${libraryType(library.id)}), version ${version}.`}
      readOnly={readOnly}
      update={() => updateToLatest(nodeId, library.id, version)}
    />
  );
}
