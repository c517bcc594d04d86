// The library slice: the user's own nodes (docs/catalogue.md, "Your own nodes"). It holds the
// user's entries (the palette's "My nodes"), merges each entry's node type into the catalogue
// (lib/library.ts), keeps the versions of entries placed nodes pin, and what the "New node from
// Python" dialog is asked to open with. Reading the server is editor/useLibrary.ts.

import { type LibraryVersionRead, libraryOf, libraryType, mergeLibrary, withLibraryVersion } from "../../lib/library";
import type { LibraryEntry } from "../../lib/libraryApi";
import { decorateEdge } from "./flow";
import type { EditorSlice, GetEditor, SetEditor } from "./types";

/** What the dialog opens with: code to start from, and the entry a save makes a new version of (null: a new entry). */
export interface LibraryDialogRequest {
  code: string;
  description: string;
  entryId: number | null;
}

export type LibraryListing = { state: "idle" } | { state: "loading" } | { state: "error"; message: string } | { state: "ready" };

export interface LibraryState {
  /** The user's entries, by name (the palette's "My nodes"). */
  libraryEntries: readonly LibraryEntry[];
  libraryListing: LibraryListing;
  /** Pinned versions that could not be read, by "lib:<id>@<n>": why. */
  libraryProblems: Readonly<Record<string, string>>;
  libraryDialog: LibraryDialogRequest | null;
}

export interface LibraryActions {
  setLibraryListing(listing: LibraryListing): void;
  /** The user's whole list, as read: each entry's latest version joins the catalogue. */
  setLibrary(entries: readonly LibraryEntry[]): void;
  /** One entry just saved or read at its latest version: listed (or updated) and in the catalogue at once. */
  learnLibraryEntry(entry: LibraryEntry): void;
  /** A pinned version read (GET /api/node-library/{id}/versions/{n}/): the nodes pinned to it get their ports. */
  learnLibraryVersion(read: LibraryVersionRead): void;
  libraryVersionFailed(id: number, version: number, message: string): void;
  openLibraryDialog(request: LibraryDialogRequest): void;
  closeLibraryDialog(): void;
}

/** The key of one version of an entry in `libraryProblems`. */
export function libraryVersionKey(id: number, version: number): string {
  return `${libraryType(id)}@${version}`;
}

const byName = (a: LibraryEntry, b: LibraryEntry) => a.name.localeCompare(b.name) || a.id - b.id;

/** A new catalogue, and the wires of library nodes redrawn in the colours of their port types. */
function withCatalogue(set: SetEditor, get: GetEditor, catalogue: ReturnType<typeof mergeLibrary>, extra: Partial<LibraryState> = {}): void {
  const { nodes, edges, signatures } = get();
  const library = new Set(nodes.filter((n) => libraryOf(catalogue[n.type ?? ""])).map((n) => n.id));
  const redrawn = library.size ? edges.map((e) => (library.has(e.source) ? decorateEdge(e, nodes, catalogue, signatures) : e)) : edges;
  set({ ...extra, catalogue, edges: redrawn });
}

export const createLibrarySlice: EditorSlice<LibraryState & LibraryActions> = (set, get) => ({
  libraryEntries: [],
  libraryListing: { state: "idle" },
  libraryProblems: {},
  libraryDialog: null,

  setLibraryListing(listing) {
    set({ libraryListing: listing });
  },

  setLibrary(entries) {
    // Read again on every window focus: an unchanged list changes nothing (no node redrawn).
    const key = (e: LibraryEntry) => `${e.id}@${e.version}:${e.updated_at}`;
    const known = new Set(get().libraryEntries.map(key));
    if (get().libraryListing.state === "ready" && entries.length === known.size && entries.every((e) => known.has(key(e)))) return;
    withCatalogue(set, get, mergeLibrary(get().catalogue, entries), { libraryEntries: [...entries].sort(byName), libraryListing: { state: "ready" } });
  },

  learnLibraryEntry(entry) {
    const entries = [...get().libraryEntries.filter((e) => e.id !== entry.id), entry].sort(byName);
    withCatalogue(set, get, withLibraryVersion(get().catalogue, entry, true), { libraryEntries: entries });
  },

  learnLibraryVersion(read) {
    const { [libraryVersionKey(read.id, read.version)]: _, ...problems } = get().libraryProblems;
    const latest = libraryOf(get().catalogue[libraryType(read.id)])?.latest;
    withCatalogue(set, get, withLibraryVersion(get().catalogue, read, latest === read.version), { libraryProblems: problems });
  },

  libraryVersionFailed(id, version, message) {
    set({ libraryProblems: { ...get().libraryProblems, [libraryVersionKey(id, version)]: message } });
  },

  openLibraryDialog(request) {
    set({ libraryDialog: request });
  },

  closeLibraryDialog() {
    set({ libraryDialog: null });
  },
});
