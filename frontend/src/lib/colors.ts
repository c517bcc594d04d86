// One color per data type, used by ports, wires and the palette legend; one per node category,
// used by node headers, the palette and the minimap.
const TYPE_COLORS: Record<string, string> = {
  any: "#94a3b8",
  number: "#2dd4bf",
  int: "#38bdf8",
  float: "#4ade80",
  text: "#f472b6",
  bool: "#f87171",
  list: "#a78bfa",
  dict: "#fb923c",
  none: "#64748b",
};

export const EXEC_COLOR = "#f8fafc";

export function typeColor(type: string | undefined): string {
  return TYPE_COLORS[type ?? "any"] ?? TYPE_COLORS.any!;
}

// Node headers: white 12 px text on these passes WCAG AA (4.5:1) in both themes.
const CATEGORY_COLORS: Record<string, string> = {
  events: "#dc2626",
  io: "#0369a1",
  values: "#475569",
  math: "#047857",
  logic: "#7c3aed",
  text: "#be185d",
  collections: "#b45309",
  variables: "#0f766e",
  control: "#9333ea",
  functions: "#2563eb",
  advanced: "#52525b",
  // "Charts and tables": Plot and Show (5.0:1 with white).
  output: "#4d7c0f",
};

export function categoryColor(category: string | undefined): string {
  return CATEGORY_COLORS[category ?? ""] ?? "#475569";
}
