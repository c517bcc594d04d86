// Schemas (zod) for what the editor reads from outside: REST responses, /ws/run/ events, drafts
// and the clipboard in the browser's storage. What does not match is refused where it is read,
// instead of travelling on under a type it does not have.
//
// Two kinds, two sources of truth:
// - REST answers: their shapes are the server's OpenAPI schema (types.ts, from the generated
//   api-schema.ts). The zod schemas below only *check* answers at run time, with the editor's
//   tolerance for older servers (`.catch` defaults); each object is written against its generated
//   type with `satisfies Shape<T>`, so a field added, removed or retyped on the server fails tsc here.
// - /ws/run/ events: no OpenAPI schema covers the socket, so the zod schemas at the end of this file
//   are their one frontend definition (types by z.infer); docs/interfaces.md lists them.

import { z } from "zod";
import type {
  ApiSchemas,
  CatalogueResponse,
  CompileResult,
  Diagnostic,
  GalleryListing,
  GraphDocument,
  GraphEdge,
  GraphNode,
  GraphRecord,
  GraphSharing,
  GraphSummary,
  NodeTypeDef,
  RevisionSummary,
  SharedGraphRead,
  Signature,
  Webhook,
  WebhookCreated,
} from "./types";

/** One zod schema per field of `T`, no field missing and none extra (checked with `satisfies`). */
type Shape<T> = { [K in keyof T]-?: z.ZodType<T[K]> };

const pinValue = z.union([z.number(), z.string(), z.boolean()]);

const nodeData = z.looseObject({
  params: z.record(z.string(), z.unknown()).catch({}),
  inputs: z.record(z.string(), pinValue).optional(),
  label: z.string().optional(),
});

export const graphNodeSchema: z.ZodType<GraphNode> = z.object({
  id: z.string(),
  type: z.string(),
  position: z.object({ x: z.number(), y: z.number() }),
  data: nodeData,
} satisfies Shape<GraphNode>);

export const graphEdgeSchema: z.ZodType<GraphEdge> = z.object({
  id: z.string(),
  source: z.string(),
  sourceHandle: z.string(),
  target: z.string(),
  targetHandle: z.string(),
} satisfies Shape<GraphEdge>);

export const graphDocumentSchema: z.ZodType<GraphDocument> = z.object({
  nodes: z.array(graphNodeSchema),
  edges: z.array(graphEdgeSchema),
} satisfies Shape<GraphDocument>);

const viewportSchema = z.object({ x: z.number().optional(), y: z.number().optional(), zoom: z.number().optional() });

// ---------------------------------------------------------------- signatures (graphs as functions)

const dataTypeSchema = z.enum(["any", "number", "int", "float", "text", "bool", "list", "dict", "none"]);

const signatureInputSchema = z.object({
  name: z.string(),
  type: dataTypeSchema.catch("any"),
  required: z.boolean(),
  default: z.unknown(),
  description: z.string().catch(""),
} satisfies Shape<Signature["inputs"][number]>);

const signatureOutputSchema = z.object({
  name: z.string(),
  type: dataTypeSchema.catch("any"),
} satisfies Shape<Signature["outputs"][number]>);

/** A signature as the signature route answers it: an answer of another shape is an error. */
export const signatureAnswerSchema: z.ZodType<Signature> = z.object({
  inputs: z.array(signatureInputSchema),
  outputs: z.array(signatureOutputSchema),
} satisfies Shape<Signature>);

/** An answer without a signature (an older server) reads as a graph with no inputs or outputs. */
export const signatureSchema: z.ZodType<Signature> = signatureAnswerSchema.catch({ inputs: [], outputs: [] });

/** A row of GET /api/graphs/ (the "My graphs" palette section). */
export const graphSummarySchema: z.ZodType<GraphSummary> = z.object({
  id: z.number(),
  name: z.string(),
  description: z.string().catch(""),
  version: z.number(),
  created_at: z.string(),
  updated_at: z.string(),
} satisfies Shape<GraphSummary>);

export const graphSummaryPageSchema = z.object({ results: z.array(graphSummarySchema) });

// ---------------------------------------------------------------- sharing and the gallery

export const galleryListingSchema: z.ZodType<GalleryListing> = z.object({
  title: z.string(),
  description: z.string().catch(""),
  published_at: z.string(),
} satisfies Shape<GalleryListing>);

/** The owner's read-only sharing fields; an answer without them (an older server) reads as "not shared". */
const sharingFields = {
  share_token: z.string().min(1).nullable().catch(null),
  share_url: z.string().min(1).nullable().catch(null),
  gallery: galleryListingSchema.nullable().catch(null),
  forked_from: z.number().int().nullable().catch(null),
  forked_from_note: z.string().catch(""),
} satisfies { [K in keyof GraphSharing]: z.ZodType<GraphSharing[K]> };

export const graphRecordSchema: z.ZodType<GraphRecord> = z.object({
  id: z.number(),
  name: z.string(),
  description: z.string().catch(""),
  nodes: z.array(graphNodeSchema).catch([]),
  edges: z.array(graphEdgeSchema).catch([]),
  viewport: viewportSchema.nullish().transform((v) => v ?? {}),
  version: z.number(),
  updated_at: z.string().optional(),
  ...sharingFields,
} satisfies Shape<GraphRecord>);

/** POST /api/graphs/{id}/share/ */
export const shareLinkSchema = z.object({ share_token: z.string().min(1), share_url: z.string().min(1) });
export type ShareLink = z.infer<typeof shareLinkSchema>;

/** A row of GET /api/gallery/ (`owner` is a username). */
export const galleryRowSchema = z.object({
  id: z.number(),
  title: z.string(),
  description: z.string().catch(""),
  owner: z.string(),
  published_at: z.string(),
  updated_at: z.string().optional(),
});
export type GalleryRow = z.infer<typeof galleryRowSchema>;

export const galleryPageSchema = z.object({
  count: z.number().int().nonnegative(),
  next: z.string().nullable().catch(null),
  previous: z.string().nullable().catch(null),
  results: z.array(galleryRowSchema),
});
export type GalleryPage = z.infer<typeof galleryPageSchema>;

/** A graph someone shared: GET /api/gallery/{id}/ ("gallery") or /api/shared/{token}/ ("link"). */
export const sharedGraphSchema: z.ZodType<SharedGraphRead> = z.object({
  id: z.number(),
  name: z.string(),
  description: z.string().catch(""),
  owner: z.string(),
  nodes: z.array(graphNodeSchema).catch([]),
  edges: z.array(graphEdgeSchema).catch([]),
  viewport: viewportSchema.nullish().transform((v) => v ?? {}),
  version: z.number(),
  updated_at: z.string().optional(),
  /** The gallery title; a graph shared only by link may have none (its name is shown then). */
  title: z
    .string()
    .nullish()
    .transform((v) => v ?? ""),
  source: z.enum(["gallery", "link"]),
  signature: signatureSchema,
} satisfies Shape<SharedGraphRead>);
export type SharedGraph = SharedGraphRead;

export const createdSchema = z.object({ id: z.number() });

// ---------------------------------------------------------------- webhooks (the Call dialog)

/** A row of GET /api/graphs/{id}/webhooks/: never a token. */
export const webhookSchema: z.ZodType<Webhook> = z.object({ id: z.number(), created_at: z.string() } satisfies Shape<Webhook>);

/** GET /api/graphs/{id}/webhooks/: a page (or, from a server without pagination, a plain list). */
export const webhookListSchema = z.union([
  z.array(webhookSchema).transform((results) => ({ count: results.length, results })),
  z.object({ count: z.number().int().nonnegative(), results: z.array(webhookSchema) }),
]);
export type WebhookList = z.infer<typeof webhookListSchema>;

/** POST /api/graphs/{id}/webhooks/: the one answer that carries the hook's URL (its token). */
export const webhookCreatedSchema: z.ZodType<WebhookCreated> = z.object({
  id: z.number(),
  url: z.string().min(1),
  created_at: z.string(),
} satisfies Shape<WebhookCreated>);

const portSchema = z.object({
  id: z.string(),
  direction: z.enum(["input", "output"]),
  kind: z.enum(["exec", "data"]),
  type: z.string().optional(),
  label: z.string(),
  default: z.unknown().optional(),
});

const nodeTypeSchema: z.ZodType<NodeTypeDef> = z.looseObject({
  type: z.string(),
  category: z.string(),
  title: z.string(),
  description: z.string(),
  ports: z.array(portSchema),
  params: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      kind: z.string(),
      default: z.unknown().optional(),
      choices: z.array(z.object({ value: z.string(), label: z.string().optional() })).optional(),
    }),
  ),
  dynamic_ports: z
    .array(
      z.object({
        param: z.string(),
        source: z.string(),
        direction: z.enum(["input", "output"]),
        kind: z.enum(["exec", "data"]),
        type: z.string().optional(),
        prefix: z.string(),
      }),
    )
    .optional(),
});

export const catalogueSchema: z.ZodType<CatalogueResponse> = z.object({
  categories: z.array(z.object({ id: z.string(), title: z.string() })),
  nodes: z.array(nodeTypeSchema),
  type_compatibility: z.record(z.string(), z.array(z.string())).catch({}),
});

/** A diagnostic; `line` and `col` (1-based) name a place in Python source (library code), null otherwise or from an older server. */
const diagnosticSchema: z.ZodType<Diagnostic> = z.object({
  severity: z.enum(["error", "warning", "info"]),
  code: z.string(),
  message: z.string(),
  node_id: z.string().nullable().catch(null),
  port: z.string().nullable().catch(null),
  line: z.number().int().nullable().catch(null),
  col: z.number().int().nullable().catch(null),
} satisfies Shape<Diagnostic>);

// ---------------------------------------------------------------- the node library (your own nodes)

/** A diagnostic of library code (the compiler's Diagnostic, with its line and column). */
export const libraryDiagnosticSchema = diagnosticSchema;
export type LibraryDiagnostic = Diagnostic;

/** What the editor keeps of an entry: its `node` read as a node type (the schema types it `unknown`, a JSON field). */
export type LibraryEntry = Pick<ApiSchemas["LibraryEntry"], "id" | "name" | "version" | "code" | "description" | "created_at" | "updated_at"> & {
  node: NodeTypeDef;
};

/** An entry of GET /api/node-library/: `node` is its latest version's node type, as GET /api/nodes/ lists one. */
export const libraryEntrySchema: z.ZodType<LibraryEntry> = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  version: z.number().int().positive(),
  code: z.string(),
  description: z.string().catch(""),
  node: nodeTypeSchema,
  created_at: z.string(),
  updated_at: z.string(),
} satisfies Shape<LibraryEntry>);

/** GET /api/node-library/: a page (or, from a server without pagination, a plain list). */
export const libraryListSchema = z
  .union([z.array(libraryEntrySchema), z.object({ results: z.array(libraryEntrySchema) })])
  .transform((v) => (Array.isArray(v) ? v : v.results));

/** GET /api/node-library/{id}/versions/{n}/ (`n`, `code`, `node`, `created_at`): what the editor needs of a pinned version. */
export const libraryVersionSchema = z.object({
  n: z.number().int().positive(),
  node: nodeTypeSchema,
} satisfies Shape<Pick<ApiSchemas["LibraryVersion"], "n"> & { node: NodeTypeDef }>);

/** POST /api/node-library/preview/: the node the code defines (null when it defines none) and what is wrong with it. */
export type LibraryPreview = Omit<ApiSchemas["LibraryPreview"], "node"> & { node: NodeTypeDef | null };
export const libraryPreviewSchema: z.ZodType<LibraryPreview> = z.object({
  node: nodeTypeSchema.nullable().catch(null),
  diagnostics: z.array(diagnosticSchema).catch([]),
} satisfies Shape<LibraryPreview>);

export const compileResultSchema: z.ZodType<CompileResult> = z.object({
  code: z.string(),
  diagnostics: z.array(diagnosticSchema),
  source_map: z.record(z.string(), z.string()),
  signature: signatureSchema,
} satisfies Shape<CompileResult>);

export const revisionListSchema: z.ZodType<RevisionSummary[]> = z
  .union([z.array(z.unknown()), z.object({ results: z.array(z.unknown()) })])
  .transform((v) => (Array.isArray(v) ? v : v.results))
  .pipe(z.array(z.object({ version: z.number(), name: z.string(), created_at: z.string() } satisfies Shape<RevisionSummary>)));

// ---------------------------------------------------------------- /ws/run/ events (docs/interfaces.md)

const runId = z.string();

/** A PNG at most 2 MiB, as base64 (docs/rich_output.md): the characters of base64 and the PNG signature. */
const MAX_PNG_BASE64 = Math.ceil((2 * 1024 * 1024) / 3) * 4;
const pngBase64 = z
  .string()
  .max(MAX_PNG_BASE64)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, "not base64")
  .refine((s) => s.startsWith("iVBORw0KGgo") && s.length % 4 === 0, "not a PNG");

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** A table as the sandbox sends it: at most 1,000 rows and 50 columns of JSON scalars, and the count there was. */
export const tableSchema = z
  .object({
    columns: z.array(z.string()).max(50),
    rows: z.array(z.array(cell)).max(1000),
    total: z.number().int().nonnegative(),
  })
  .transform((t) => ({ ...t, total: Math.max(t.total, t.rows.length) }));

const displayNode = z
  .string()
  .nullish()
  .transform((v) => v ?? null);

export type TableData = z.infer<typeof tableSchema>;
export type TableCell = z.infer<typeof cell>;

export const serverEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("queued"), run_id: runId, ref: z.string().optional(), position: z.number().nullable().catch(null) }),
  z.object({ type: z.literal("started"), run_id: runId }),
  z.object({ type: z.literal("stdout"), run_id: runId, data: z.string() }),
  z.object({ type: z.literal("stderr"), run_id: runId, data: z.string() }),
  z.object({
    type: z.literal("exit"),
    run_id: runId,
    exit_code: z.number().nullable().catch(null),
    reason: z.string(),
    duration_ms: z.number().catch(0),
    node_id: z.string().nullable().catch(null),
    message: z.string().catch(""),
  }),
  z.object({
    type: z.literal("error"),
    run_id: z.string().nullish(),
    ref: z.string().nullish(),
    code: z.string(),
    message: z.string(),
    diagnostics: z.array(diagnosticSchema).optional().catch(undefined),
    // bad_inputs: {"inputs": [one sentence per wrong, unknown or missing input]}.
    errors: z.record(z.string(), z.array(z.string())).optional().catch(undefined),
  }),
  // A graph's outputs (its Graph output nodes' last values), after all output and before `exit`:
  // JSON values (integers past 2^53 as decimal text), kept raw for the console to show as data.
  z.object({
    type: z.literal("result"),
    run_id: runId,
    outputs: z.record(z.string(), z.unknown()),
    output_warnings: z.array(z.string()).catch([]),
  }),
  // The debug events keep their payloads raw: runClient reads them field by field, dropping
  // entries of the wrong shape rather than the whole event.
  z.object({ type: z.literal("trace"), run_id: runId, counts: z.unknown(), values: z.unknown(), current: z.unknown() }),
  z.object({ type: z.literal("paused"), run_id: runId, node_id: z.unknown(), reason: z.unknown(), variables: z.unknown() }),
  // A picture or a table the script showed: checked whole (a bad one is dropped), never markup.
  z.discriminatedUnion("mime", [
    z.object({ type: z.literal("display"), run_id: runId, node_id: displayNode, mime: z.literal("image/png"), data: pngBase64 }),
    z.object({ type: z.literal("display"), run_id: runId, node_id: displayNode, mime: z.literal("table"), data: tableSchema }),
  ]),
]);

export type ServerEvent = z.infer<typeof serverEventSchema>;

/** `Pick` of each member of a union on its own (a plain Pick would merge them). */
type PickEach<T, K extends keyof T> = T extends unknown ? Pick<T, K> : never;

/** What the console keeps of a `display` event. */
export type DisplayData = PickEach<Extract<ServerEvent, { type: "display" }>, "mime" | "data">;

/** What the console keeps of a `result` event. */
export type RunResult = Omit<Extract<ServerEvent, { type: "result" }>, "type" | "run_id">;

/** What the console keeps of an `exit` event. */
export type ExitInfo = Omit<Extract<ServerEvent, { type: "exit" }>, "type" | "run_id">;

// ---------------------------------------------------------------- /ws/run/ messages the editor sends

/** A graph the server runs from its stored version (`run` with `graph_id`; `share_token` for a graph shared by link). */
export interface StoredGraphRun {
  graph_id: number;
  share_token?: string;
}

/** A graph run's inputs, name -> JSON value (checked against the graph's signature by the server). */
export type RunInputs = Record<string, unknown>;

/** What a `run` runs: a graph document, edited code, or a stored graph; a graph may take `inputs`. */
export type RunPayload = (({ graph: GraphDocument } | StoredGraphRun) & { inputs?: RunInputs }) | { code: string };

export type ResumeMode = "continue" | "step";

/** The frames the editor sends on /ws/run/ (written, never read: types only, no zod). */
export type ClientMessage =
  | ({ type: "run"; ref: string; debug?: { breakpoints: string[] }; inputs?: Record<string, unknown> } & RunPayload)
  | { type: "kill"; run_id: string }
  | { type: "stdin"; run_id: string; data: string }
  | { type: "stdin_eof"; run_id: string }
  | { type: "resume"; run_id: string; mode: ResumeMode }
  | { type: "breakpoints"; run_id: string; nodes: string[] };

/** A frame of the socket as an event, or null for one that is not JSON or not a known event. */
export function parseServerEvent(text: string): ServerEvent | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = serverEventSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

// ---------------------------------------------------------------- GET /api/sandbox/

export const sandboxInfoSchema = z.object({
  python: z.string(),
  packages: z.array(z.object({ name: z.string(), version: z.string() })).catch([]),
  limits: z.record(z.string(), z.number()).catch({}),
});

export type SandboxInfo = z.infer<typeof sandboxInfoSchema>;

// ---------------------------------------------------------------- browser storage

export const clipboardSchema = z.object({
  kind: z.literal("nodeengine/clipboard"),
  version: z.literal(1),
  nodes: z.array(graphNodeSchema),
  edges: z.array(graphEdgeSchema),
});
