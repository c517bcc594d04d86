// One color per data type, used by ports, wires and the palette legend.
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
