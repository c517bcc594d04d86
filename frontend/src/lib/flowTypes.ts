// Catalogue node types to React Flow node types and back. React Flow has built-in types (input,
// output, default, group) whose class (`react-flow__node-input`, ...) carries its own styling (a
// grey 150 px box): a catalogue type of that name is drawn under a prefixed type instead. Every
// other type keeps its name, so `.react-flow__node-print` still finds the Print nodes.

const BUILT_IN = new Set(["input", "output", "default", "group"]);
const PREFIX = "ne-";

/** The React Flow type a catalogue type is drawn as. */
export function flowNodeType(catalogueType: string): string {
  return BUILT_IN.has(catalogueType) ? PREFIX + catalogueType : catalogueType;
}

/** The catalogue type of a React Flow type (the inverse of flowNodeType). */
export function catalogueType(flowType: string | undefined): string {
  if (!flowType) return "";
  return flowType.startsWith(PREFIX) && BUILT_IN.has(flowType.slice(PREFIX.length)) ? flowType.slice(PREFIX.length) : flowType;
}
