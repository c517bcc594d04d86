// What the editor needs before it can draw a graph: the catalogue and the graph itself. Opening
// `/graphs/12` directly starts both requests at page start, in parallel with the download of the
// editor's code and the session check, instead of after them (see App.tsx).

import { ApiError, api } from "@/lib/api";
import { loadCatalogue } from "@/lib/catalogue";
import { graphRecordSchema } from "@/lib/schemas";
import type { CatalogueResponse, GraphRecord } from "@/lib/types";

export type EditorData = [CatalogueResponse, GraphRecord];

const started = new Map<number, Promise<EditorData>>();

function fetchEditorData(graphId: number, quiet401 = false): Promise<EditorData> {
  const graph = api<unknown>(`graphs/${graphId}/`, { quiet401 }).then((body): GraphRecord => {
    const parsed = graphRecordSchema.safeParse(body);
    if (!parsed.success) throw new ApiError(0, "The server's answer for this graph has an unexpected shape.", null);
    return parsed.data;
  });
  return Promise.all([loadCatalogue(), graph]);
}

export function prefetchEditorData(graphId: number): void {
  if (started.has(graphId)) return;
  // Quiet: before the session is known a 401 is expected and must not redirect by itself.
  const promise = fetchEditorData(graphId, true);
  promise.catch(() => undefined); // a failure is reported to whoever takes it
  started.set(graphId, promise);
}

/** The prefetched answer if there is one (used once: a later open fetches afresh), else a new request. */
export function takeEditorData(graphId: number): Promise<EditorData> {
  const promise = started.get(graphId);
  started.delete(graphId);
  if (!promise) return fetchEditorData(graphId);
  // A prefetch made before the session was known may have failed (e.g. 401): retry once, loudly.
  return promise.catch(() => fetchEditorData(graphId));
}
