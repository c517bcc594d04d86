// Sharing and forking graphs: where a shared graph is read, run and forked from (a secret link
// or the gallery), the gallery's list, and the owner's share and publish requests. The pure
// helpers are tested in sharing.test.ts; the requests go through api.ts.

import { ApiError, api, apiAs, errorText } from "./api";
import {
  createdSchema,
  type GalleryPage,
  galleryListingSchema,
  galleryPageSchema,
  type SharedGraph,
  type ShareLink,
  sharedGraphSchema,
  shareLinkSchema,
} from "./schemas";
import type { GalleryListing } from "./types";

/** How a viewer reached a shared graph: a secret link's token, or the gallery's id. */
export type ShareSource = { kind: "link"; token: string } | { kind: "gallery"; id: number };

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 2000;

/** The viewer's address params (`/s/:token`, `/gallery/:id`) as a source, or null for a malformed one. */
export function sourceFromParams(params: { token?: string; id?: string }): ShareSource | null {
  if (params.token !== undefined) return params.token.trim() ? { kind: "link", token: params.token } : null;
  if (params.id !== undefined && /^\d+$/.test(params.id)) {
    const id = Number(params.id);
    return Number.isSafeInteger(id) && id > 0 ? { kind: "gallery", id } : null;
  }
  return null;
}

/** The app's address of a shared graph. */
export function viewerPath(source: ShareSource): string {
  return source.kind === "link" ? `/s/${encodeURIComponent(source.token)}` : `/gallery/${source.id}`;
}

/** The API path (under /api/) that answers a shared graph. */
export function sharedGraphApiPath(source: ShareSource): string {
  return source.kind === "link" ? `shared/${encodeURIComponent(source.token)}/` : `gallery/${source.id}/`;
}

/** The `run` frame's fields for a shared graph: the server runs its stored version (a link's token proves access). */
export function runFields(source: ShareSource, graphId: number): { graph_id: number; share_token?: string } {
  return source.kind === "link" ? { graph_id: graphId, share_token: source.token } : { graph_id: graphId };
}

/** POST /api/graphs/{id}/fork/: a graph reached by link sends its token, a gallery one needs none. */
export function forkRequest(source: ShareSource, graphId: number, name?: string): { path: string; body: { share_token?: string; name?: string } } {
  const body: { share_token?: string; name?: string } = source.kind === "link" ? { share_token: source.token } : {};
  if (name !== undefined) body.name = name;
  return { path: `graphs/${graphId}/fork/`, body };
}

/** The link to hand out: the server's `share_url`, else one built on this page's origin. */
export function shareUrlOf(token: string, shareUrl: string | null, origin: string): string {
  return shareUrl || `${origin.replace(/\/+$/, "")}/s/${encodeURIComponent(token)}`;
}

/** The query parameters that choose a page of a list: DRF's limit/offset, or a page number. */
const PAGE_KEYS = ["page", "offset", "limit"] as const;
export type PageQuery = Partial<Record<(typeof PAGE_KEYS)[number], string>>;

/**
 * The page parameters of a list's `next` or `previous` link (absolute or relative), null when
 * there is no such page. The first page's link may carry none: `{}`.
 */
export function pageQueryOf(link: string | null): PageQuery | null {
  if (!link) return null;
  let params: URLSearchParams;
  try {
    params = new URL(link, "http://x/").searchParams;
  } catch {
    return null;
  }
  return pageQueryFrom(params);
}

/** The page parameters among others (an address's, a link's); values that are no counts are left out. */
export function pageQueryFrom(params: URLSearchParams): PageQuery {
  const out: PageQuery = {};
  for (const key of PAGE_KEYS) {
    const value = params.get(key);
    if (value !== null && /^\d{1,9}$/.test(value)) out[key] = value;
  }
  return out;
}

/** GET /api/gallery/ with a search and a page (as the server's own links choose it). */
export function galleryListPath(search: string, page: PageQuery = {}): string {
  const query = new URLSearchParams();
  const text = search.trim();
  if (text) query.set("search", text);
  for (const key of PAGE_KEYS) {
    const value = page[key];
    if (value !== undefined) query.set(key, value);
  }
  const qs = query.toString();
  return qs ? `gallery/?${qs}` : "gallery/";
}

/** Where a page sits in the list, e.g. "51–100 of 120", or "Page 3" for a numbered page. */
export function pagePosition(page: PageQuery, shown: number, count: number): string {
  if (page.offset !== undefined) {
    const first = Number(page.offset) + 1;
    return shown ? `${first}–${first + shown - 1} of ${count}` : `none of ${count}`;
  }
  if (page.page !== undefined && page.page !== "1") return `Page ${page.page}`;
  return shown ? `1–${shown} of ${count}` : `none of ${count}`;
}

/** What a 404 means on the viewer page, by how the graph was reached. */
export function notFoundText(source: ShareSource): string {
  return source.kind === "link" ? "This link was revoked or never existed." : "This graph is not in the gallery: it was unlisted, deleted or never published.";
}

export type ListingField = "title" | "description";
export type FieldErrors<F extends string> = Partial<Record<F, string>>;

/** The gallery form checked before it is sent, with the server's limits. */
export function checkListing(listing: { title: string; description: string }): FieldErrors<ListingField> {
  const errors: FieldErrors<ListingField> = {};
  const title = listing.title.trim();
  if (!title) errors.title = "A title is needed.";
  else if (title.length > TITLE_MAX) errors.title = `At most ${TITLE_MAX} characters (${title.length} now).`;
  if (listing.description.length > DESCRIPTION_MAX) errors.description = `At most ${DESCRIPTION_MAX} characters (${listing.description.length} now).`;
  return errors;
}

const firstMessage = (value: unknown): string | null => {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) for (const item of value) if (typeof item === "string") return item;
  return null;
};

/**
 * A failed request's errors by form field: the API's `{"errors": {"title": [...]}}` shape, or
 * `{"title": [...]}` at the top level. What names no field of the form is `other`.
 */
export function fieldErrorsOf<F extends string>(err: unknown, fields: readonly F[]): { fields: FieldErrors<F>; other: string | null } {
  const out: FieldErrors<F> = {};
  if (err instanceof ApiError && err.status === 400 && err.body) {
    const nested = err.body.errors;
    const source = nested && typeof nested === "object" && !Array.isArray(nested) ? (nested as Record<string, unknown>) : err.body;
    for (const field of fields) {
      const message = firstMessage(source[field]);
      if (message) out[field] = message;
    }
  }
  return { fields: out, other: Object.keys(out).length ? null : errorText(err) };
}

// ---------------------------------------------------------------- requests

export function loadSharedGraph(source: ShareSource): Promise<SharedGraph> {
  return apiAs(sharedGraphSchema, sharedGraphApiPath(source));
}

/** Forks a shared graph into the caller's graphs; answers the new graph's id. */
export async function forkGraph(source: ShareSource, graphId: number): Promise<number> {
  const { path, body } = forkRequest(source, graphId);
  return (await apiAs(createdSchema, path, { method: "POST", body })).id;
}

export function loadGallery(search: string, page: PageQuery, signal?: AbortSignal): Promise<GalleryPage> {
  return apiAs(galleryPageSchema, galleryListPath(search, page), { signal });
}

export function createShareLink(graphId: number): Promise<ShareLink> {
  return apiAs(shareLinkSchema, `graphs/${graphId}/share/`, { method: "POST" });
}

export async function revokeShareLink(graphId: number): Promise<void> {
  await api(`graphs/${graphId}/share/`, { method: "DELETE" });
}

export function publishToGallery(graphId: number, listing: { title: string; description: string }): Promise<GalleryListing> {
  return apiAs(galleryListingSchema, `graphs/${graphId}/gallery/`, { method: "PUT", body: { title: listing.title.trim(), description: listing.description } });
}

export async function unlistFromGallery(graphId: number): Promise<void> {
  await api(`graphs/${graphId}/gallery/`, { method: "DELETE" });
}
