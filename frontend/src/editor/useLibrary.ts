// Reads what the user's own nodes need (store/editor/library.ts): the user's library list when
// the editor opens and again whenever the window gets the focus back (another tab of the same
// user may have saved a node), and each version a placed `lib:` node pins that the catalogue
// does not know yet, once each.

import { useEffect, useRef } from "react";

import { errorText } from "@/lib/api";
import { LIBRARY_PREFIX, libraryIdOf, libraryOf, pinnedVersionOf } from "@/lib/library";
import { listLibrary, readLibraryVersion } from "@/lib/libraryApi";
import { editorStore, type FlowNode, libraryVersionKey, useEditor } from "@/store/editor";

const s = () => editorStore.getState();

/** Reads the user's list (one request; a request already under way is not repeated). */
let reading: Promise<void> | null = null;
export function reloadLibrary(): Promise<void> {
  if (reading) return reading;
  if (s().libraryListing.state !== "ready") s().setLibraryListing({ state: "loading" });
  reading = listLibrary()
    .then(
      (entries) => s().setLibrary(entries),
      (err: unknown) => {
        // A list already shown stays; only a first read that fails says so.
        if (s().libraryListing.state !== "ready") s().setLibraryListing({ state: "error", message: errorText(err) });
      },
    )
    .finally(() => {
      reading = null;
    });
  return reading;
}

// The pinned library versions of a nodes array, as "lib:<id>@<n>" (computed once per array: it changes on every drag frame).
const pinnedIndex = new WeakMap<readonly FlowNode[], string>();
function pinnedLibraryKeys(nodes: readonly FlowNode[]): string {
  let keys = pinnedIndex.get(nodes);
  if (keys === undefined) {
    const found = new Set<string>();
    for (const n of nodes) {
      const id = n.type?.startsWith(LIBRARY_PREFIX) ? libraryIdOf(n.type) : null;
      const version = id === null ? null : pinnedVersionOf(n.data.params);
      if (id !== null && version !== null) found.add(libraryVersionKey(id, version));
    }
    keys = [...found].sort().join("\n");
    pinnedIndex.set(nodes, keys);
  }
  return keys;
}

function parseKey(key: string): { id: number; version: number } {
  const [type = "", version = "0"] = key.split("@");
  return { id: libraryIdOf(type) ?? 0, version: Number(version) };
}

export function useLibrary(enabled: boolean): void {
  const keys = useEditor((st) => pinnedLibraryKeys(st.nodes));
  const listed = useEditor((st) => st.libraryListing.state === "ready" || st.libraryListing.state === "error");
  const asked = useRef(new Set<string>());

  useEffect(() => {
    if (!enabled) return;
    void reloadLibrary();
    const onFocus = () => void reloadLibrary();
    window.addEventListener("focus", onFocus);
    return () => window.removeEventListener("focus", onFocus);
  }, [enabled]);

  // The versions placed nodes pin, once the list has said which are the latest (those need no request).
  useEffect(() => {
    if (!enabled || !keys || !listed) return;
    for (const key of keys.split("\n")) {
      const { id, version } = parseKey(key);
      if (asked.current.has(key) || libraryOf(s().catalogue[`${LIBRARY_PREFIX}${id}`])?.versions.has(version)) continue;
      asked.current.add(key);
      readLibraryVersion(id, version).then(
        (read) => s().learnLibraryVersion(read),
        (err: unknown) => {
          asked.current.delete(key); // asked again when the nodes change
          s().libraryVersionFailed(id, version, `Version ${version} of node #${id} cannot be read: ${errorText(err)}`);
        },
      );
    }
  }, [enabled, keys, listed]);
}
