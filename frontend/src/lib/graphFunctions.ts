// Reading the graphs a graph uses as nodes, and those it could use (docs/interfaces.md): the
// user's own graphs with a signature (GET /api/graphs/?has_signature=true, one request), a
// pinned revision's signature (GET /api/graphs/{id}/signature/?version=), and gallery graphs
// (GET /api/gallery/{id}/, their current version only: someone else's history is not readable).

import { z } from "zod";

import { ApiError, apiAs } from "./api";
import { type GalleryRow, galleryPageSchema, graphRecordSchema, graphSummaryPageSchema, sharedGraphSchema, signatureSchema } from "./schemas";
import type { GraphRef, Signature } from "./signature";
import type { GraphSummary } from "./types";

/** Enough for a palette section; the server caps a page at 500. */
const LIST_LIMIT = 200;

export async function listFunctionGraphs(signal?: AbortSignal): Promise<GraphSummary[]> {
  return (await apiAs(graphSummaryPageSchema, `graphs/?has_signature=true&limit=${LIST_LIMIT}&ordering=name`, { signal })).results;
}

export async function listGalleryGraphs(signal?: AbortSignal): Promise<GalleryRow[]> {
  return (await apiAs(galleryPageSchema, `gallery/?limit=${LIST_LIMIT}`, { signal })).results;
}

/** A graph's current version as a `graph` node would pin it. */
export interface GraphHead {
  ref: GraphRef;
  name: string;
  signature: Signature;
  gallery: boolean;
}

/** The current version of one of the user's own graphs (`gallery`: false) or of a gallery graph. */
export async function readGraphHead(graphId: number, gallery: boolean): Promise<GraphHead> {
  if (gallery) {
    const shared = await apiAs(sharedGraphSchema, `gallery/${graphId}/`);
    return { ref: { graphId, version: shared.version }, name: shared.title || shared.name, signature: shared.signature, gallery: true };
  }
  const [record, signature] = await Promise.all([apiAs(graphRecordSchema, `graphs/${graphId}/`), apiAs(signatureSchema, `graphs/${graphId}/signature/`)]);
  return { ref: { graphId, version: record.version }, name: record.name, signature, gallery: false };
}

/**
 * The signature of a pinned revision: the user's own graph's (any version kept in its history),
 * else a gallery graph's current version. Null when neither can read it (someone else's graph
 * copied when it was added: the server compiles it from that copy; see docs/interfaces.md).
 */
export async function readPinnedSignature(ref: GraphRef): Promise<{ signature: Signature; head?: GraphHead } | null> {
  try {
    return { signature: await apiAs(signatureSchema, `graphs/${ref.graphId}/signature/?version=${ref.version}`) };
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
  }
  try {
    const head = await readGraphHead(ref.graphId, true);
    return head.ref.version === ref.version ? { signature: head.signature, head } : null;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

const snapshotsSchema = z.object({
  snapshots: z.array(z.object({ graph_id: z.number(), version: z.number(), name: z.string().catch(""), signature: signatureSchema })).catch([]),
});

/**
 * The copies of other users' graphs that graph `graphId` (the user's own) keeps, as the server
 * summarizes them (`snapshots` of GET /api/graphs/{id}/): a graph node using a graph shared by
 * link, or a gallery graph's older version, reads its signature here.
 */
export async function readSnapshotHeads(graphId: number): Promise<GraphHead[]> {
  const { snapshots } = await apiAs(snapshotsSchema, `graphs/${graphId}/`);
  return snapshots.map((s) => ({ ref: { graphId: s.graph_id, version: s.version }, name: s.name, signature: s.signature, gallery: true }));
}
