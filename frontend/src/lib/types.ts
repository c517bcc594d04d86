// Shapes shared with the backend; see docs/interfaces.md and docs/catalogue.md.

type DataType = "any" | "number" | "int" | "float" | "text" | "bool" | "list" | "dict" | "none";
type PortKind = "exec" | "data";
type PortDirection = "input" | "output";

export interface PortDef {
  id: string;
  direction: PortDirection;
  kind: PortKind;
  type?: DataType | string;
  label: string;
  default?: unknown;
}

type ParamKind = "text" | "number" | "int" | "bool" | "select" | "code" | "multiline";

export interface ParamDef {
  id: string;
  label: string;
  kind: ParamKind | string;
  default?: unknown;
  choices?: Array<{ value: string; label?: string }>;
}

/** A rule that adds ports from a param value (docs/catalogue.md, "Dynamic ports"). */
export interface DynamicPortRule {
  param: string;
  source: "names" | "count" | "placeholders" | string;
  direction: PortDirection;
  kind: PortKind;
  type?: DataType | string;
  prefix: string;
}

export interface Category {
  id: string;
  title: string;
}

/** `{source type: [target types a value of that type may be wired to]}`, served by the backend. */
export type TypeCompatibility = Record<string, readonly string[]>;

export interface CatalogueResponse {
  categories: Category[];
  nodes: NodeTypeDef[];
  type_compatibility: TypeCompatibility;
}

export interface NodeTypeDef {
  type: string;
  category: string;
  title: string;
  description: string;
  ports: PortDef[];
  params: ParamDef[];
  dynamic_ports?: DynamicPortRule[];
  [key: string]: unknown;
}

export type Params = Record<string, unknown>;

/** A value typed on an unwired data input (a pin default): JSON scalars only. */
export type PinValue = number | string | boolean;
type PinValues = Record<string, PinValue>;

export interface GraphNodeData {
  params: Params;
  /** Values typed on data inputs, by port id; the compiler uses them while the port has no wire. */
  inputs?: PinValues;
  label?: string;
  [key: string]: unknown;
}

export interface GraphNode {
  id: string;
  type: string;
  position: { x: number; y: number };
  data: GraphNodeData;
}

export interface GraphEdge {
  id: string;
  source: string;
  sourceHandle: string;
  target: string;
  targetHandle: string;
}

export interface GraphDocument {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

type Severity = "error" | "warning" | "info";

export interface Diagnostic {
  severity: Severity;
  code: string;
  message: string;
  node_id: string | null;
  port: string | null;
}

export interface CompileResult {
  code: string;
  diagnostics: Diagnostic[];
  source_map: Record<string, string>;
}

/** A graph's entry in the public gallery, as its owner sees it. */
export interface GalleryListing {
  title: string;
  description: string;
  published_at: string;
}

/** How the owner shares a graph, and where it came from (read-only fields of the owner's graph JSON). */
export interface GraphSharing {
  share_token: string | null;
  share_url: string | null;
  gallery: GalleryListing | null;
  /** The original's id, null if the graph is no fork or the original was deleted. */
  forked_from: number | null;
  /** e.g. `Forked from “Fizzbuzz” by alice`; "" if the graph is no fork. */
  forked_from_note: string;
}

export interface GraphRecord extends GraphSharing {
  id: number;
  name: string;
  description: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  viewport: { x?: number; y?: number; zoom?: number };
  version: number;
  updated_at?: string;
}

export interface RevisionSummary {
  version: number;
  name: string;
  created_at: string;
}
