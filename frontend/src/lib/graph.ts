// Pure graph logic: ports of a node, connection rules, ids, copy/paste and auto-arrange.
// Kept free of React so that the unit tests exercise exactly what the editor runs.

import { libraryOf, libraryPorts, VERSION_PARAM } from "./library";
import { clipboardSchema } from "./schemas";
import { GRAPH_NODE_TYPE, graphRefOf, type SignatureTable, signatureKey, signaturePorts } from "./signature";
import type { DynamicPortRule, GraphEdge, GraphNode, GraphNodeData, NodeTypeDef, Params, PortDef, TypeCompatibility } from "./types";

export type Catalogue = Record<string, NodeTypeDef>;

/**
 * What the graph logic needs of a node: the contract's GraphNode and React Flow's Node<GraphNodeData>
 * (the editor store's nodes, with `selected`, `measured`, ...) both fit, so neither is cast.
 */
export interface NodeLike {
  id: string;
  type?: string;
  position: { x: number; y: number };
  data: GraphNodeData;
}

/** What the graph logic needs of a wire: GraphEdge and React Flow's Edge (optional handles) both fit. */
export interface EdgeLike {
  id: string;
  source: string;
  target: string;
  sourceHandle?: string | null;
  targetHandle?: string | null;
}

export function newId(prefix = "n"): string {
  const random = Math.random().toString(36).slice(2, 8);
  return `${prefix}_${Date.now().toString(36)}${random}`;
}

export function defaultParams(def: NodeTypeDef): Params {
  const params: Params = {};
  for (const p of def.params) params[p.id] = p.default ?? null;
  // A library node is pinned to its entry's latest version when placed.
  const latest = libraryOf(def)?.latest;
  if (latest) params[VERSION_PARAM] = latest;
  return params;
}

const MAX_DYNAMIC = 64;
const trimAscii = (s: string): string => s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");

function uniqueNonEmpty(names: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const name of names) {
    if (!name || seen.has(name)) continue;
    seen.add(name);
    out.push(name);
    if (out.length >= MAX_DYNAMIC) break;
  }
  return out;
}

/** The port names a rule derives from a param value, exactly as docs/catalogue.md specifies. */
export function dynamicPortNames(source: string, value: unknown, fallback: unknown): string[] {
  if (source === "count") {
    const pick = (v: unknown): number | null => (typeof v === "number" && Number.isInteger(v) ? v : null);
    const n = Math.max(0, Math.min(MAX_DYNAMIC, pick(value) ?? pick(fallback) ?? 0));
    return Array.from({ length: n }, (_, i) => String(i));
  }
  const text = typeof value === "string" ? value : typeof fallback === "string" ? fallback : "";
  if (source === "names") return uniqueNonEmpty(text.split(",").map(trimAscii));
  if (source === "placeholders") {
    const names: string[] = [];
    for (const match of text.matchAll(/\{\{|\}\}|\{([^{}]*)\}/g)) {
      if (match[1] === undefined) continue;
      names.push(trimAscii(match[1].split(/[!:]/)[0] ?? ""));
    }
    return uniqueNonEmpty(names);
  }
  return [];
}

function dynamicPorts(rule: DynamicPortRule, params: Params, def?: NodeTypeDef): PortDef[] {
  const fallback = def?.params.find((p) => p.id === rule.param)?.default;
  return dynamicPortNames(rule.source, params[rule.param], fallback).map((name) => ({
    id: rule.prefix + name,
    direction: rule.direction,
    kind: rule.kind,
    type: rule.kind === "data" ? (rule.type ?? "any") : undefined,
    label: rule.source === "count" ? rule.prefix + name : name,
  }));
}

/**
 * Static ports plus those derived from the node's params, inputs before outputs as declared. A
 * `graph` node's data ports come from its pinned revision's signature, when `signatures` has it;
 * a library node's from its pinned version, when the catalogue has read it (lib/library.ts).
 */
export function portsOf(def: NodeTypeDef | undefined, params: Params, signatures?: SignatureTable): PortDef[] {
  if (!def) return [];
  if (libraryOf(def)) return libraryPorts(def, params);
  if (def.type === GRAPH_NODE_TYPE) {
    const ref = graphRefOf(params);
    const extra = signaturePorts(ref ? signatures?.[signatureKey(ref)] : undefined);
    return extra.length ? [...def.ports, ...extra] : def.ports;
  }
  const extra = (def.dynamic_ports ?? []).flatMap((rule) => dynamicPorts(rule, params, def));
  if (extra.length === 0) return def.ports;
  const ids = new Set(def.ports.map((p) => p.id));
  return [...def.ports, ...extra.filter((p) => !ids.has(p.id))];
}

export function findPort(
  nodes: readonly NodeLike[],
  catalogue: Catalogue,
  nodeId: string | null | undefined,
  portId: string | null | undefined,
  signatures?: SignatureTable,
): PortDef | undefined {
  if (!nodeId || !portId) return undefined;
  const node = nodes.find((n) => n.id === nodeId);
  if (!node) return undefined;
  return portsOf(catalogue[node.type ?? ""], node.data.params, signatures).find((p) => p.id === portId);
}

/**
 * Whether a value of type `from` may flow into an input of type `to`, by the table the backend
 * serves (GET /api/nodes/ `type_compatibility`), so editor and compiler share one rule. A type the
 * table does not list fits only itself and `any`.
 */
export function typesCompatible(from: string | undefined, to: string | undefined, table: TypeCompatibility): boolean {
  const a = from ?? "any";
  const b = to ?? "any";
  if (a === "any" || b === "any" || a === b) return true;
  return table[a]?.includes(b) ?? false;
}

export interface ConnectionLike {
  source: string | null;
  sourceHandle?: string | null;
  target: string | null;
  targetHandle?: string | null;
}

export type ConnectionVerdict = { ok: true; replaces: string[] } | { ok: false; reason: string };

/**
 * The connection rules: output to input, execution to execution, data to data of a compatible
 * type, no wire from a node to itself. A data input takes one wire and an execution output
 * leads to one place, so a new wire there replaces the old one (listed in `replaces`).
 */
export function checkConnection(
  conn: ConnectionLike,
  nodes: readonly NodeLike[],
  edges: readonly EdgeLike[],
  catalogue: Catalogue,
  compatibility: TypeCompatibility,
  signatures?: SignatureTable,
): ConnectionVerdict {
  if (!conn.source || !conn.target) return { ok: false, reason: "Drop the wire on a port." };
  if (conn.source === conn.target) return { ok: false, reason: "A node cannot connect to itself." };
  const from = findPort(nodes, catalogue, conn.source, conn.sourceHandle, signatures);
  const to = findPort(nodes, catalogue, conn.target, conn.targetHandle, signatures);
  if (!from || !to) return { ok: false, reason: "Unknown port." };
  if (from.direction !== "output" || to.direction !== "input") return { ok: false, reason: "Wires go from an output to an input." };
  if (from.kind !== to.kind)
    return {
      ok: false,
      reason: from.kind === "exec" ? "An execution wire must end on an execution input (▶)." : "A data wire must end on a data input (●).",
    };
  if (from.kind === "data" && !typesCompatible(from.type, to.type, compatibility))
    return { ok: false, reason: `Type mismatch: ${from.type ?? "any"} does not fit ${to.type ?? "any"}.` };
  const duplicate = edges.some(
    (e) => e.source === conn.source && e.sourceHandle === conn.sourceHandle && e.target === conn.target && e.targetHandle === conn.targetHandle,
  );
  if (duplicate) return { ok: false, reason: "These ports are already connected." };
  const replaces =
    from.kind === "data"
      ? edges.filter((e) => e.target === conn.target && e.targetHandle === conn.targetHandle).map((e) => e.id)
      : edges.filter((e) => e.source === conn.source && e.sourceHandle === conn.sourceHandle).map((e) => e.id);
  return { ok: true, replaces };
}

/**
 * Drop the wires of node `nodeId` whose ports no longer exist (after one of its dynamic ports was
 * removed). Other nodes' wires are not its business: a `graph` or library node's wires are never
 * dropped (a port its pinned version lost is a broken wire, shown in red: lib/signature.ts).
 */
export function pruneDanglingEdges<E extends EdgeLike>(nodes: readonly NodeLike[], edges: readonly E[], catalogue: Catalogue, nodeId: string): E[] {
  const node = nodes.find((n) => n.id === nodeId);
  if (!node || node.type === GRAPH_NODE_TYPE || libraryOf(catalogue[node.type ?? ""])) return [...edges];
  const ids = new Set(portsOf(catalogue[node.type ?? ""], node.data.params).map((p) => p.id));
  return edges.filter((e) => (e.source !== nodeId || ids.has(e.sourceHandle ?? "")) && (e.target !== nodeId || ids.has(e.targetHandle ?? "")));
}

// ---------------------------------------------------------------- copy / paste

export interface ClipboardPayload {
  kind: "nodeengine/clipboard";
  version: 1;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export function copySelection(nodes: readonly NodeLike[], edges: readonly EdgeLike[], selected: ReadonlySet<string>): ClipboardPayload {
  const picked = nodes.filter((n) => selected.has(n.id)).map(cleanNode);
  const ids = new Set(picked.map((n) => n.id));
  const inner = edges.filter((e) => ids.has(e.source) && ids.has(e.target)).map(cleanEdge);
  return { kind: "nodeengine/clipboard", version: 1, nodes: picked, edges: inner };
}

export function parseClipboard(text: string | null): ClipboardPayload | null {
  if (!text) return null;
  try {
    const parsed = clipboardSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** New ids for pasted nodes and their inner wires, shifted so the copy does not hide the original. */
export function pasteNodes(payload: ClipboardPayload, offset: { x: number; y: number }): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const map = new Map<string, string>();
  const nodes = payload.nodes.map((n) => {
    const id = newId("n");
    map.set(n.id, id);
    return {
      ...n,
      id,
      position: { x: n.position.x + offset.x, y: n.position.y + offset.y },
      data: copyNodeData(n.data),
    };
  });
  const edges = payload.edges.flatMap((e) => {
    const source = map.get(e.source);
    const target = map.get(e.target);
    return source && target ? [{ ...e, id: newId("e"), source, target }] : [];
  });
  return { nodes, edges };
}

// ---------------------------------------------------------------- contract shapes

/**
 * A node's data with its own params and typed pin values, so that editing a copy (pasted,
 * loaded, exported) never changes the original. Both are flat records of JSON scalars, so a
 * shallow copy of each is a deep copy.
 */
export function copyNodeData(data: GraphNodeData | undefined): GraphNodeData {
  const copy: GraphNodeData = { ...data, params: { ...(data?.params ?? {}) } };
  if (data?.inputs) copy.inputs = { ...data.inputs };
  return copy;
}

/** A node as the contract knows it: no React Flow runtime fields (selected, measured, ...). */
export function cleanNode(n: NodeLike): GraphNode {
  return {
    id: n.id,
    type: n.type ?? "",
    position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
    data: copyNodeData(n.data),
  };
}

export function cleanEdge(e: EdgeLike): GraphEdge {
  return { id: e.id, source: e.source, sourceHandle: e.sourceHandle ?? "", target: e.target, targetHandle: e.targetHandle ?? "" };
}

// ---------------------------------------------------------------- auto-arrange

/**
 * A layered layout: each node's column is the length of the longest wire path reaching it
 * (back edges of cycles ignored), rows keep the previous vertical order within a column.
 */
export function autoArrange(nodes: readonly NodeLike[], edges: readonly EdgeLike[], spacing = { x: 340, y: 190 }): Map<string, { x: number; y: number }> {
  const ids = new Set(nodes.map((n) => n.id));
  const out = new Map<string, string[]>();
  for (const n of nodes) out.set(n.id, []);
  for (const e of edges) if (ids.has(e.source) && ids.has(e.target) && e.source !== e.target) out.get(e.source)!.push(e.target);

  // Topological order with cycle breaking: DFS, ignoring edges into nodes on the current path.
  const state = new Map<string, 0 | 1 | 2>();
  const order: string[] = [];
  const forward = new Map<string, string[]>();
  for (const n of nodes) forward.set(n.id, []);
  // Start from nodes nothing feeds (the heads of chains), so a loop is entered where it is entered.
  const fed = new Set<string>();
  for (const targets of out.values()) for (const t of targets) fed.add(t);
  const ordered = [...nodes].sort((a, b) => Number(fed.has(a.id)) - Number(fed.has(b.id)) || a.position.x - b.position.x || a.position.y - b.position.y);
  for (const start of ordered) {
    if (state.get(start.id)) continue;
    const stack: Array<[string, number]> = [[start.id, 0]];
    state.set(start.id, 1);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [id, i] = top;
      const next = out.get(id)!;
      if (i < next.length) {
        top[1] = i + 1;
        const t = next[i]!;
        const s = state.get(t) ?? 0;
        if (s === 1) continue; // back edge: part of a loop, ignore for layering
        forward.get(id)!.push(t);
        if (s === 0) {
          state.set(t, 1);
          stack.push([t, 0]);
        }
      } else {
        state.set(id, 2);
        order.push(id);
        stack.pop();
      }
    }
  }
  order.reverse();
  const layer = new Map<string, number>();
  for (const id of order) layer.set(id, layer.get(id) ?? 0);
  for (const id of order) for (const t of forward.get(id)!) layer.set(t, Math.max(layer.get(t) ?? 0, layer.get(id)! + 1));

  const columns = new Map<number, NodeLike[]>();
  for (const n of nodes) {
    const l = layer.get(n.id) ?? 0;
    if (!columns.has(l)) columns.set(l, []);
    columns.get(l)!.push(n);
  }
  const result = new Map<string, { x: number; y: number }>();
  for (const [l, column] of columns) {
    column.sort((a, b) => a.position.y - b.position.y);
    column.forEach((n, row) => {
      result.set(n.id, { x: l * spacing.x, y: row * spacing.y });
    });
  }
  return result;
}
