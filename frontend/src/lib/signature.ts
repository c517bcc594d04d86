// A graph used as a node (docs/catalogue.md, "Graphs as functions"): the `graph` node names the
// graph and the version it is pinned to; its data ports come from that revision's signature,
// `in:<name>` per Graph input and `out:<name>` per Graph output, beside its `exec` and `next`.
// The same rules serve library nodes (lib/library.ts), whose ports also come from a pinned
// version: brokenWiresOf and missingPorts take what each kind pins.
// Pure: the store keeps the signatures it has read, by `signatureKey`, and hands them in.

import type { ApiSchemas, Params, PortDef } from "./types";

export type Signature = ApiSchemas["Signature"];
export type SignatureInput = ApiSchemas["SignatureInput"];
export type SignatureOutput = ApiSchemas["SignatureOutput"];

/** Signatures by `signatureKey(graph id, version)`. */
export type SignatureTable = Readonly<Record<string, Signature>>;

export const GRAPH_NODE_TYPE = "graph";
export const GRAPH_INPUT_TYPE = "graph_input";
export const GRAPH_OUTPUT_TYPE = "graph_output";
export const GRAPH_IN_PREFIX = "in:";
export const GRAPH_OUT_PREFIX = "out:";

export interface GraphRef {
  graphId: number;
  version: number;
}

const positiveInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v > 0;

/** The graph and version a `graph` node's params pin, or null while they name none. */
export function graphRefOf(params: Params | undefined): GraphRef | null {
  const graphId = params?.graph_id;
  const version = params?.version;
  return positiveInt(graphId) && positiveInt(version) ? { graphId, version } : null;
}

/** The key of one revision's signature, as the server keys snapshots: "<graph id>@<version>". */
export function signatureKey(ref: GraphRef): string {
  return `${ref.graphId}@${ref.version}`;
}

/** Whether a graph can be used as a node: it has at least one Graph input or Graph output. */
export function hasSignature(signature: Signature | null | undefined): boolean {
  return Boolean(signature && (signature.inputs.length > 0 || signature.outputs.length > 0));
}

/** The data ports a `graph` node gets from a signature: inputs first, each in the signature's order. */
export function signaturePorts(signature: Signature | undefined): PortDef[] {
  if (!signature) return [];
  return [
    ...signature.inputs.map(
      (input): PortDef => ({
        id: GRAPH_IN_PREFIX + input.name,
        direction: "input",
        kind: "data",
        type: input.type,
        label: input.name,
        // A required input has no default: its pin shows an empty field.
        ...(input.required || input.default === null ? {} : { default: input.default }),
      }),
    ),
    ...signature.outputs.map(
      (output): PortDef => ({ id: GRAPH_OUT_PREFIX + output.name, direction: "output", kind: "data", type: output.type, label: output.name }),
    ),
  ];
}

/** What a wire needs to be checked against a pinned node's ports. */
interface WireEnds {
  id: string;
  source: string;
  target: string;
  sourceHandle?: string | null;
  targetHandle?: string | null;
}

interface GraphNodeLike {
  id: string;
  type?: string;
  data: { params: Params };
}

/** How the editor names a used graph in messages: its name when known, else its id. */
export type GraphNamer = (ref: GraphRef) => string;

/**
 * A node whose ports come from a pinned version (a `graph` node, a library node): the ports that
 * version has, and which handles it decides (a `graph` node's `exec` and `next` are its own).
 */
export interface PinnedPorts {
  version: number;
  name: string;
  ids: ReadonlySet<string>;
  decides(handle: string): boolean;
}

const isGraphPort = (handle: string) => handle.startsWith(GRAPH_IN_PREFIX) || handle.startsWith(GRAPH_OUT_PREFIX);
const portName = (handle: string) => handle.replace(/^(in|out):/, "");

/** A `graph` node's pinned ports, or null for another node or one whose signature is not known yet. */
export function graphPinnedPorts(node: GraphNodeLike, signatures: SignatureTable, name: GraphNamer): PinnedPorts | null {
  if (node.type !== GRAPH_NODE_TYPE) return null;
  const ref = graphRefOf(node.data.params);
  const signature = ref ? signatures[signatureKey(ref)] : undefined;
  if (!ref || !signature) return null;
  return { version: ref.version, name: name(ref), ids: new Set(signaturePorts(signature).map((p) => p.id)), decides: isGraphPort };
}

/**
 * The wires that end on a port a pinned node no longer has (its pinned version changed, e.g.
 * after "Update to latest"), each with the sentence saying why: shown in red, never removed.
 * A node whose pinned version is not known yet breaks nothing.
 */
export function brokenWiresOf(
  nodes: readonly GraphNodeLike[],
  edges: readonly WireEnds[],
  pinnedOf: (node: GraphNodeLike) => PinnedPorts | null,
): Record<string, string> {
  const ports = new Map<string, PinnedPorts>();
  for (const node of nodes) {
    const pinned = pinnedOf(node);
    if (pinned) ports.set(node.id, pinned);
  }
  const broken: Record<string, string> = {};
  if (ports.size === 0) return broken;
  const check = (edge: WireEnds, nodeId: string, handle: string | null | undefined, what: string) => {
    const node = ports.get(nodeId);
    if (!node || !handle || !node.decides(handle) || node.ids.has(handle)) return;
    broken[edge.id] ??= `Broken wire: version ${node.version} of “${node.name}” has no ${what} “${portName(handle)}”. Rewire or delete it.`;
  };
  for (const edge of edges) {
    check(edge, edge.source, edge.sourceHandle, "output");
    check(edge, edge.target, edge.targetHandle, "input");
  }
  return broken;
}

/** The broken wires at `graph` nodes (see brokenWiresOf). */
export function brokenWires(nodes: readonly GraphNodeLike[], edges: readonly WireEnds[], signatures: SignatureTable, name: GraphNamer): Record<string, string> {
  return brokenWiresOf(nodes, edges, (node) => graphPinnedPorts(node, signatures, name));
}

/**
 * The ports a wired handle of a pinned node needs and its pinned version lacks (a broken wire, or
 * a version still loading), so the canvas still draws the wire to something: shown as missing.
 * `decides`: which handles the pinned version decides (by default a `graph` node's `in:`/`out:`).
 */
export function missingPorts(
  known: readonly PortDef[],
  wiredInputs: readonly string[],
  wiredOutputs: readonly string[],
  decides: (handle: string) => boolean = isGraphPort,
): PortDef[] {
  const ids = new Set(known.map((p) => p.id));
  const ghost = (id: string, direction: "input" | "output"): PortDef[] =>
    !id || ids.has(id) || !decides(id)
      ? []
      : id === "exec" || id === "next"
        ? [{ id, direction, kind: "exec", label: id }]
        : [{ id, direction, kind: "data", type: "any", label: portName(id) }];
  return [...wiredInputs.flatMap((id) => ghost(id, "input")), ...wiredOutputs.flatMap((id) => ghost(id, "output"))];
}
