// Shapes shared with the backend; see docs/interfaces.md and docs/catalogue.md.

import type { components } from "./api-schema";

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

// ---------------------------------------------------------------- the graph document
// Its one definition is the server's OpenAPI schema (NodeDoc, EdgeDoc, Graph), generated into
// api-schema.ts by `make api-types`. What follows only narrows it to what the editor holds after
// schemas.ts has read an answer: the fields it fills in when missing, and the values it refuses.

/** The server's OpenAPI components, as openapi-typescript wrote them (api-schema.ts). */
export type ApiSchemas = components["schemas"];

/** `T` with the keys `K` always present and not null: what the editor fills in on reading. */
type Filled<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };

type NodeDoc = ApiSchemas["NodeDoc"];
type NodeDocData = NonNullable<NodeDoc["data"]>;
type GraphAnswer = ApiSchemas["Graph"];

export type Params = Record<string, unknown>;

/** A value typed on an unwired data input (a pin default): the schema's JSON scalars less null, which the editor never writes. */
export type PinValue = Exclude<NonNullable<NodeDocData["inputs"]>[string], null>;

/** `data`: always present, `params` always an object; `inputs` are values typed on data inputs, by port id (the compiler uses them while the port has no wire). */
export type GraphNodeData = NodeDocData & { params: Params; inputs?: Record<string, PinValue>; label?: string };

export type GraphNode = Omit<NodeDoc, "data"> & { data: GraphNodeData };

/** The editor always names both handles of an edge (the schema allows them missing or null). */
export type GraphEdge = Filled<ApiSchemas["EdgeDoc"], "sourceHandle" | "targetHandle">;

export interface GraphDocument {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** The schema's viewport is `{}` or `{x, y, zoom}`; the editor reads each of the three on its own. */
export type Viewport = Partial<Extract<NonNullable<GraphAnswer["viewport"]>, { zoom: number }>>;

export type Diagnostic = ApiSchemas["Diagnostic"];

export type CompileResult = ApiSchemas["CompileResult"];

/** A graph's inputs and outputs (its Graph input / Graph output nodes), derived by the compiler. */
export type Signature = ApiSchemas["Signature"];

/** A graph's webhook as listed (GET /api/graphs/{id}/webhooks/): never its token. */
export type Webhook = ApiSchemas["Webhook"];

/** A webhook just created: its absolute URL carries the token, shown this once. */
export type WebhookCreated = ApiSchemas["WebhookCreated"];

/** A graph's entry in the public gallery, as its owner sees it. */
export type GalleryListing = ApiSchemas["GalleryListing"];

/** How the owner shares a graph, and where it came from (read-only fields of the owner's graph JSON). */
export type GraphSharing = Pick<GraphAnswer, "share_token" | "share_url" | "gallery" | "forked_from" | "forked_from_note">;

/** The owner's graph (GET /api/graphs/{id}/) as the editor holds it; `updated_at` may be missing in an older server's answer. */
export type GraphRecord = Filled<Pick<GraphAnswer, "id" | "name" | "description" | "version">, "description" | "version"> &
  Partial<Pick<GraphAnswer, "updated_at">> &
  GraphSharing &
  GraphDocument & { viewport: Viewport };

/** A graph someone shared (GET /api/gallery/{id}/ or /api/shared/{token}/), as the editor holds it. */
export type SharedGraphRead = Filled<Omit<ApiSchemas["SharedGraph"], "nodes" | "edges" | "viewport" | "updated_at">, "title"> &
  Partial<Pick<ApiSchemas["SharedGraph"], "updated_at">> &
  GraphDocument & { viewport: Viewport };

export type RevisionSummary = ApiSchemas["GraphRevisionSummary"];

/** A row of GET /api/graphs/: everything but the document. */
export type GraphSummary = ApiSchemas["GraphSummary"];
