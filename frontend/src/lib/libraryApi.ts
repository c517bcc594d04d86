// The node library's routes (docs/interfaces.md, "Your own nodes"): the user's entries
// (GET /api/node-library/), one entry's latest version (GET /api/node-library/{id}/) or a pinned
// one (GET /api/node-library/{id}/versions/{n}/), a preview of the node some code defines
// (POST /api/node-library/preview/, nothing saved), and saving (POST, or PUT: a new version).

import { ApiError, api, apiAs } from "./api";
import type { LibraryVersionRead } from "./library";
import {
  type LibraryDiagnostic,
  type LibraryEntry,
  type LibraryPreview,
  libraryEntrySchema,
  libraryListSchema,
  libraryPreviewSchema,
  libraryVersionSchema,
} from "./schemas";

export type { LibraryDiagnostic, LibraryEntry, LibraryPreview };

/** The server's largest page: the palette lists all of a user's nodes at once. */
const LIST_LIMIT = 500;

export function listLibrary(signal?: AbortSignal): Promise<LibraryEntry[]> {
  return apiAs(libraryListSchema, `node-library/?limit=${LIST_LIMIT}`, { signal });
}

export function readLibraryEntry(id: number): Promise<LibraryEntry> {
  return apiAs(libraryEntrySchema, `node-library/${id}/`);
}

export async function readLibraryVersion(id: number, version: number): Promise<LibraryVersionRead> {
  const read = await apiAs(libraryVersionSchema, `node-library/${id}/versions/${version}/`);
  // A version carries no name of its own: the function's name is its node's title.
  return { id, name: read.node.title, version: read.n, node: read.node };
}

/** The diagnostics of a 400 answer (bad code), or null when the error is of another kind. */
function diagnosticsOf(err: unknown): LibraryDiagnostic[] | null {
  if (!(err instanceof ApiError) || err.status !== 400) return null;
  const parsed = libraryPreviewSchema.safeParse({ node: null, ...err.body });
  return parsed.success && parsed.data.diagnostics.length > 0 ? parsed.data.diagnostics : null;
}

/** The node `code` defines and what is wrong with it; bad code is an answer too (node null), not an error. */
export async function previewLibraryNode(code: string, signal?: AbortSignal): Promise<LibraryPreview> {
  try {
    return await apiAs(libraryPreviewSchema, "node-library/preview/", { method: "POST", body: { code }, signal });
  } catch (err) {
    const diagnostics = diagnosticsOf(err);
    if (diagnostics) return { node: null, diagnostics };
    throw err;
  }
}

export type SaveResult = { ok: true; entry: LibraryEntry } | { ok: false; diagnostics: LibraryDiagnostic[] };

/** Saves `code` as a new entry, or as a new version of entry `id`; refused code answers its diagnostics. */
export async function saveLibraryEntry(code: string, description: string, id: number | null): Promise<SaveResult> {
  const body = description ? { code, description } : { code };
  try {
    const entry = await apiAs(libraryEntrySchema, id === null ? "node-library/" : `node-library/${id}/`, { method: id === null ? "POST" : "PUT", body });
    return { ok: true, entry };
  } catch (err) {
    const diagnostics = diagnosticsOf(err);
    if (diagnostics) return { ok: false, diagnostics };
    throw err;
  }
}

export async function deleteLibraryEntry(id: number): Promise<void> {
  await api(`node-library/${id}/`, { method: "DELETE" });
}
