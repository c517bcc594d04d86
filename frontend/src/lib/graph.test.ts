import { describe, expect, it } from "vitest";

import { catalogue, node, typeCompatibility } from "../test/fixtures";
import {
  autoArrange,
  checkConnection,
  cleanNode,
  copySelection,
  dynamicPortNames,
  parseClipboard,
  pasteNodes,
  portsOf,
  pruneDanglingEdges,
  typesCompatible,
} from "./graph";
import type { GraphEdge } from "./types";

const edge = (id: string, source: string, sourceHandle: string, target: string, targetHandle: string): GraphEdge => ({
  id,
  source,
  sourceHandle,
  target,
  targetHandle,
});

describe("dynamic ports (docs/catalogue.md)", () => {
  it("splits names, trims, drops empties and repeats", () => {
    expect(dynamicPortNames("names", "a, b,,a", "")).toEqual(["a", "b"]);
    expect(dynamicPortNames("names", " \tx\n, y ", "")).toEqual(["x", "y"]);
  });

  it("counts from 0 to n-1, clamped, falling back to the default for non-integers", () => {
    expect(dynamicPortNames("count", 3, 2)).toEqual(["0", "1", "2"]);
    expect(dynamicPortNames("count", -4, 2)).toEqual([]);
    expect(dynamicPortNames("count", 1000, 2)).toHaveLength(64);
    expect(dynamicPortNames("count", 2.5, 2)).toEqual(["0", "1"]);
    expect(dynamicPortNames("count", "7", 2)).toEqual(["0", "1"]);
  });

  it("reads format placeholders like Python's str.format", () => {
    expect(dynamicPortNames("placeholders", "Hi {name}, {n:>3} {name!r} {{literal}}", "")).toEqual(["name", "n"]);
    expect(dynamicPortNames("placeholders", "{} { }", "")).toEqual([]);
  });

  it("adds prefixed ports to a node from its params", () => {
    const ports = portsOf(catalogue.make_list, { count: 3 });
    expect(ports.filter((p) => p.direction === "input").map((p) => [p.id, p.label])).toEqual([
      ["item0", "item0"],
      ["item1", "item1"],
      ["item2", "item2"],
    ]);
    const fmt = portsOf(catalogue.format_text, { template: "{greeting}, {who}!" });
    expect(fmt.map((p) => p.id)).toEqual(["text", "field:greeting", "field:who"]);
    const fn = portsOf(catalogue.function_def, { parameters: "x, y" });
    expect(fn.filter((p) => p.direction === "output").map((p) => p.id)).toEqual(["body", "arg:x", "arg:y"]);
  });

  it("uses the param's default when the node has no value", () => {
    expect(portsOf(catalogue.make_list, {}).filter((p) => p.direction === "input")).toHaveLength(2);
  });
});

describe("connection validation", () => {
  const nodes = [
    node("s", "on_start"),
    node("p", "print"),
    node("p2", "print"),
    node("lit", "literal"),
    node("lit2", "literal"),
    node("cmp", "compare"),
    node("loop", "for_range"),
    node("fmt", "format_text", { template: "{x}" }),
  ];

  it("accepts exec to exec and data to a compatible data input", () => {
    expect(checkConnection({ source: "s", sourceHandle: "next", target: "p", targetHandle: "exec" }, nodes, [], catalogue, typeCompatibility)).toEqual({
      ok: true,
      replaces: [],
    });
    expect(checkConnection({ source: "lit", sourceHandle: "value", target: "p", targetHandle: "value" }, nodes, [], catalogue, typeCompatibility).ok).toBe(
      true,
    );
    expect(checkConnection({ source: "loop", sourceHandle: "index", target: "fmt", targetHandle: "field:x" }, nodes, [], catalogue, typeCompatibility).ok).toBe(
      true,
    );
  });

  it("refuses exec to data, data to exec, input to input and self loops", () => {
    const refuse = (c: Parameters<typeof checkConnection>[0]) => checkConnection(c, nodes, [], catalogue, typeCompatibility);
    expect(refuse({ source: "s", sourceHandle: "next", target: "p", targetHandle: "value" })).toMatchObject({ ok: false });
    expect(refuse({ source: "lit", sourceHandle: "value", target: "p", targetHandle: "exec" })).toMatchObject({ ok: false });
    expect(refuse({ source: "p", sourceHandle: "exec", target: "p2", targetHandle: "exec" })).toMatchObject({ ok: false });
    expect(refuse({ source: "p", sourceHandle: "next", target: "p", targetHandle: "exec" })).toMatchObject({ ok: false });
    expect(refuse({ source: "p", sourceHandle: "nope", target: "p2", targetHandle: "exec" })).toMatchObject({ ok: false, reason: "Unknown port." });
  });

  it("refuses incompatible data types", () => {
    const fits = (from: string, to: string) => typesCompatible(from, to, typeCompatibility);
    expect(fits("bool", "int")).toBe(true);
    expect(fits("text", "int")).toBe(false);
    expect(fits("list", "dict")).toBe(false);
    expect(fits("any", "int")).toBe(true);
    expect(fits("int", "number")).toBe(true);
    // A type the served table does not know fits only itself and `any`.
    expect(fits("image", "image")).toBe(true);
    expect(fits("image", "any")).toBe(true);
    expect(fits("image", "text")).toBe(false);
    expect(fits("text", "image")).toBe(false);
    // compare.result is bool, for_range.stop is int: allowed (bool is an int); text is not.
    expect(
      checkConnection({ source: "fmt", sourceHandle: "text", target: "loop", targetHandle: "stop" }, nodes, [], catalogue, typeCompatibility),
    ).toMatchObject({
      ok: false,
      reason: expect.stringContaining("Type mismatch"),
    });
  });

  it("keeps one wire per data input and per exec output by replacing the old one", () => {
    const edges = [edge("e1", "lit", "value", "p", "value"), edge("e2", "s", "next", "p", "exec")];
    expect(checkConnection({ source: "lit2", sourceHandle: "value", target: "p", targetHandle: "value" }, nodes, edges, catalogue, typeCompatibility)).toEqual({
      ok: true,
      replaces: ["e1"],
    });
    expect(checkConnection({ source: "s", sourceHandle: "next", target: "p2", targetHandle: "exec" }, nodes, edges, catalogue, typeCompatibility)).toEqual({
      ok: true,
      replaces: ["e2"],
    });
    // A data output fans out, an exec input takes several wires.
    expect(checkConnection({ source: "lit", sourceHandle: "value", target: "p2", targetHandle: "value" }, nodes, edges, catalogue, typeCompatibility)).toEqual({
      ok: true,
      replaces: [],
    });
    expect(checkConnection({ source: "s", sourceHandle: "next", target: "p", targetHandle: "exec" }, nodes, edges, catalogue, typeCompatibility)).toMatchObject(
      { ok: false },
    );
  });

  it("drops wires whose dynamic port disappeared", () => {
    const before = [node("l", "make_list", { count: 3 }), node("a", "literal")];
    const edges = [edge("e", "a", "value", "l", "item2")];
    expect(pruneDanglingEdges(before, edges, catalogue, "l")).toHaveLength(1);
    const after = [node("l", "make_list", { count: 2 }), node("a", "literal")];
    expect(pruneDanglingEdges(after, edges, catalogue, "l")).toHaveLength(0);
  });

  it("drops only the wires of the node whose params changed", () => {
    // A `graph` node's ports depend on a signature the catalogue does not hold: its wires stay.
    const nodes = [node("l", "make_list", { count: 2 }), node("a", "literal"), node("g", "graph", { graph_id: 4, version: 2 })];
    const edges = [edge("e", "a", "value", "l", "item2"), edge("f", "a", "value", "g", "in:x")];
    expect(pruneDanglingEdges(nodes, edges, catalogue, "l").map((e) => e.id)).toEqual(["f"]);
    expect(pruneDanglingEdges(nodes, edges, catalogue, "g").map((e) => e.id)).toEqual(["e", "f"]);
  });
});

describe("copy and paste", () => {
  it("copies the selected nodes with their inner wires only, and pastes them with new ids", () => {
    const nodes = [node("a", "on_start", {}, 0, 0), node("b", "print", {}, 100, 0), node("c", "literal", {}, 0, 100)];
    const edges = [edge("e1", "a", "next", "b", "exec"), edge("e2", "c", "value", "b", "value")];
    const payload = copySelection(nodes, edges, new Set(["a", "b"]));
    expect(payload.nodes.map((n) => n.id)).toEqual(["a", "b"]);
    expect(payload.edges.map((e) => e.id)).toEqual(["e1"]);

    const round = parseClipboard(JSON.stringify(payload));
    expect(round).not.toBeNull();
    const pasted = pasteNodes(round!, { x: 40, y: 40 });
    expect(pasted.nodes).toHaveLength(2);
    expect(pasted.nodes.every((n) => !["a", "b"].includes(n.id))).toBe(true);
    expect(pasted.nodes[1]!.position).toEqual({ x: 140, y: 40 });
    const [e] = pasted.edges;
    expect(e!.source).toBe(pasted.nodes[0]!.id);
    expect(e!.target).toBe(pasted.nodes[1]!.id);
  });

  it("carries typed pin values, copied so that editing the copy leaves the original alone", () => {
    const loop = { ...node("loop", "for_range"), data: { params: {}, inputs: { stop: 3 } } };
    const clean = cleanNode(loop);
    expect(clean.data.inputs).toEqual({ stop: 3 });
    expect(clean.data.inputs).not.toBe(loop.data.inputs);
    const payload = copySelection([loop], [], new Set(["loop"]));
    const pasted = pasteNodes(parseClipboard(JSON.stringify(payload))!, { x: 0, y: 0 });
    expect(pasted.nodes[0]!.data.inputs).toEqual({ stop: 3 });
    const again = pasteNodes(payload, { x: 0, y: 0 });
    expect(again.nodes[0]!.data.inputs).not.toBe(payload.nodes[0]!.data.inputs);
    // A node without typed values does not gain an empty record.
    expect("inputs" in cleanNode(node("p", "print")).data).toBe(false);
  });

  it("ignores clipboard text that is not ours", () => {
    expect(parseClipboard("hello")).toBeNull();
    expect(parseClipboard('{"kind":"other"}')).toBeNull();
    expect(parseClipboard(null)).toBeNull();
  });
});

describe("auto-arrange", () => {
  it("puts each node one column right of what feeds it and survives cycles", () => {
    const nodes = [node("c", "print", {}, 5, 5), node("a", "on_start", {}, 50, 50), node("b", "print", {}, 9, 9), node("d", "literal", {}, 100, 300)];
    const edges = [
      edge("1", "a", "next", "b", "exec"),
      edge("2", "b", "next", "c", "exec"),
      edge("3", "c", "next", "b", "exec"),
      edge("4", "d", "value", "c", "value"),
    ];
    const pos = autoArrange(nodes, edges, { x: 100, y: 50 });
    expect(pos.get("a")!.x).toBe(0);
    expect(pos.get("b")!.x).toBe(100);
    expect(pos.get("c")!.x).toBe(200);
    expect(pos.get("d")!.x).toBe(0);
    // Within a column the previous vertical order is kept.
    expect(pos.get("a")!.y).toBeLessThan(pos.get("d")!.y);
  });
});
