// The user's own nodes (docs/catalogue.md, "Your own nodes"): a Python function saved in the node
// library (GET /api/node-library/) is the node type `lib:<id>`. The catalogue the editor checks a
// graph against holds each entry's type beside the built-in ones, so palette, ports, wires and
// quick-add treat it like any other; the type also carries every version of the entry the
// editor has read (a placed node's ports come from the version its `version` param pins).
// Pure: reading the library from the server is lib/libraryApi.ts.

import type { NodeTypeDef, Params, PortDef } from "./types";

export const LIBRARY_PREFIX = "lib:";
/** The palette category a library node falls under when its definition names none. */
export const LIBRARY_CATEGORY = "library";
/** The param that pins a placed library node's version (never a function's parameter: those are `arg:<name>`). */
export const VERSION_PARAM = "version";

/** The node type of library entry `id`. */
export function libraryType(id: number): string {
  return `${LIBRARY_PREFIX}${id}`;
}

/** The entry id of a `lib:<id>` type, or null for any other type. */
export function libraryIdOf(type: string | undefined): number | null {
  if (!type?.startsWith(LIBRARY_PREFIX)) return null;
  const id = Number(type.slice(LIBRARY_PREFIX.length));
  return Number.isInteger(id) && id > 0 ? id : null;
}

const positiveInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v > 0;

/** The version a node's params pin, or null while they pin none. */
export function pinnedVersionOf(params: Params | undefined): number | null {
  const v = params?.[VERSION_PARAM];
  return positiveInt(v) ? v : null;
}

/**
 * What the editor knows of one library entry: its name, its latest version when the user's list
 * has it (null for an entry read only at a pinned version), and each version's node definition.
 * A class, so a catalogue definition is recognised as a library node by `instanceof`.
 */
export class LibraryVersions {
  constructor(
    readonly id: number,
    readonly name: string,
    readonly latest: number | null,
    readonly versions: ReadonlyMap<number, NodeTypeDef>,
  ) {}

  /** These versions and `def` as version `version` (the latest when `isLatest`). */
  with(version: number, def: NodeTypeDef, name: string, isLatest: boolean): LibraryVersions {
    const versions = new Map(this.versions);
    versions.set(version, def);
    const latest = isLatest ? version : this.latest;
    return new LibraryVersions(this.id, isLatest || this.latest === null ? name : this.name, latest, versions);
  }
}

/** A catalogue definition of a library node: its latest known version's, plus all versions read. */
export interface LibraryNodeDef extends NodeTypeDef {
  library: LibraryVersions;
}

/** The library versions a catalogue definition carries, or null for a built-in type. */
export function libraryOf(def: NodeTypeDef | undefined): LibraryVersions | null {
  const library = def?.library;
  return library instanceof LibraryVersions ? library : null;
}

/**
 * The definition a library node's params pin: that version's (its ports and `arg:` params), or
 * undefined while that version is not read yet. Params that pin no version (the palette, quick
 * add) get the newest known.
 */
export function pinnedDefOf(def: NodeTypeDef, params: Params | undefined): NodeTypeDef | undefined {
  const library = libraryOf(def);
  if (!library) return def;
  const version = pinnedVersionOf(params);
  return version === null ? def : library.versions.get(version);
}

/** The ports of a library node at its pinned version ([] while that version is not read). */
export function libraryPorts(def: NodeTypeDef, params: Params | undefined): PortDef[] {
  return pinnedDefOf(def, params)?.ports ?? [];
}

/** What the catalogue needs to know of one version of an entry (an entry of the list, or a version read). */
export interface LibraryVersionRead {
  id: number;
  name: string;
  version: number;
  node: NodeTypeDef;
}

/**
 * Catalogue `catalogue` with version `read` of a library entry merged in (the latest, when it
 * comes from the user's list). The entry's type is rebuilt around the versions already known, so
 * nodes pinned to older versions keep their ports; built-in types are never touched.
 */
export function withLibraryVersion<C extends Readonly<Record<string, NodeTypeDef>>>(
  catalogue: C,
  read: LibraryVersionRead,
  isLatest: boolean,
): Record<string, NodeTypeDef> {
  const type = libraryType(read.id);
  const known = libraryOf(catalogue[type]) ?? new LibraryVersions(read.id, read.name, null, new Map());
  const def: NodeTypeDef = { ...read.node, type, category: read.node.category || LIBRARY_CATEGORY };
  const library = known.with(read.version, def, read.name, isLatest);
  // The type shows the latest version (palette, tooltip); an entry known only at pinned versions shows the newest of those.
  const shownVersion = library.latest ?? Math.max(...library.versions.keys());
  const shown = library.versions.get(shownVersion) ?? def;
  const merged: LibraryNodeDef = { ...shown, title: shown.title || read.name, library };
  return { ...catalogue, [type]: merged };
}

/** Catalogue `catalogue` with the latest version of each entry of the user's list merged in. */
export function mergeLibrary(catalogue: Readonly<Record<string, NodeTypeDef>>, entries: readonly LibraryVersionRead[]): Record<string, NodeTypeDef> {
  let merged: Record<string, NodeTypeDef> = { ...catalogue };
  for (const entry of entries) merged = withLibraryVersion(merged, entry, true);
  return merged;
}

/** The library types of a catalogue (kept when the built-in catalogue is read again). */
export function libraryDefs(catalogue: Readonly<Record<string, NodeTypeDef>>): NodeTypeDef[] {
  return Object.values(catalogue).filter((def) => libraryOf(def) !== null);
}
