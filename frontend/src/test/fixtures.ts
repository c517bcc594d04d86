import type { Catalogue } from "../lib/graph";
import { catalogueSchema } from "../lib/schemas";
import type { GraphNode } from "../lib/types";
// A snapshot of part of GET /api/nodes/ (graphs/catalogue.py) for the unit tests.
import raw from "./catalogue.fixture.json";

export const catalogueResponse = catalogueSchema.parse(raw);
export const catalogue: Catalogue = Object.fromEntries(catalogueResponse.nodes.map((n) => [n.type, n]));
export const typeCompatibility = catalogueResponse.type_compatibility;

export function node(id: string, type: string, params: Record<string, unknown> = {}, x = 0, y = 0): GraphNode {
  return { id, type, position: { x, y }, data: { params } };
}
