import type { NodeTypeDef } from "@/lib/types";

/** Node types matching a query on title, type, category or description; best matches first. */
export function searchNodeTypes(defs: NodeTypeDef[], query: string): NodeTypeDef[] {
  const q = query.trim().toLowerCase();
  if (!q) return defs;
  const scored: Array<[number, NodeTypeDef]> = [];
  for (const d of defs) {
    const title = d.title.toLowerCase();
    let score = -1;
    if (title.startsWith(q)) score = 0;
    else if (title.includes(q) || d.type.includes(q)) score = 1;
    else if (d.category.toLowerCase().includes(q)) score = 2;
    else if (d.description.toLowerCase().includes(q)) score = 3;
    if (score >= 0) scored.push([score, d]);
  }
  return scored.sort((a, b) => a[0] - b[0]).map(([, d]) => d);
}
