// GET /api/nodes/ is the same for every user until a deploy: fetch it once per page load.
import { apiAs } from "./api";
import { catalogueSchema } from "./schemas";
import type { CatalogueResponse } from "./types";

let cached: Promise<CatalogueResponse> | null = null;

export function loadCatalogue(): Promise<CatalogueResponse> {
  cached ??= apiAs(catalogueSchema, "nodes/").catch((err: unknown) => {
    cached = null;
    throw err;
  });
  return cached;
}
