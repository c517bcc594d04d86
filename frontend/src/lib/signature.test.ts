import { describe, expect, it } from "vitest";

import { catalogue, node } from "../test/fixtures";
import { checkConnection, portsOf } from "./graph";
import { brokenWires, graphRefOf, hasSignature, missingPorts, type Signature, signatureKey, signaturePorts } from "./signature";

const ADD: Signature = {
  inputs: [
    { name: "a", type: "int", required: true, default: null, description: "first" },
    { name: "b", type: "number", required: false, default: 1.5, description: "" },
  ],
  outputs: [{ name: "sum", type: "number" }],
};
const edge = (id: string, source: string, sourceHandle: string, target: string, targetHandle: string) => ({ id, source, sourceHandle, target, targetHandle });

describe("signature → ports", () => {
  it("names an input pin in:<name> and an output pin out:<name>, typed, with the default of an optional input", () => {
    expect(signaturePorts(ADD)).toEqual([
      { id: "in:a", direction: "input", kind: "data", type: "int", label: "a" },
      { id: "in:b", direction: "input", kind: "data", type: "number", label: "b", default: 1.5 },
      { id: "out:sum", direction: "output", kind: "data", type: "number", label: "sum" },
    ]);
    expect(signaturePorts(undefined)).toEqual([]);
  });

  it("gives a graph node exec and next, plus its pinned revision's ports once that signature is known", () => {
    const params = { graph_id: 7, version: 3 };
    const def = catalogue.graph;
    expect(portsOf(def, params).map((p) => p.id)).toEqual(["exec", "next"]);
    expect(portsOf(def, params, { "7@3": ADD }).map((p) => p.id)).toEqual(["exec", "next", "in:a", "in:b", "out:sum"]);
    // Another version's signature is not this node's.
    expect(portsOf(def, params, { "7@4": ADD }).map((p) => p.id)).toEqual(["exec", "next"]);
  });

  it("reads the pinned graph only from positive integer params", () => {
    expect(graphRefOf({ graph_id: 7, version: 3 })).toEqual({ graphId: 7, version: 3 });
    expect(graphRefOf({ graph_id: 0, version: 3 })).toBeNull();
    expect(graphRefOf({ graph_id: "7", version: 3 })).toBeNull();
    expect(graphRefOf({ graph_id: 7, version: 1.5 })).toBeNull();
    expect(signatureKey({ graphId: 7, version: 3 })).toBe("7@3");
  });

  it("counts a graph with an input or an output as usable", () => {
    expect(hasSignature(ADD)).toBe(true);
    expect(hasSignature({ inputs: [], outputs: [{ name: "x", type: "any" }] })).toBe(true);
    expect(hasSignature({ inputs: [], outputs: [] })).toBe(false);
    expect(hasSignature(undefined)).toBe(false);
  });

  it("checks wires to a graph node's pins by their types", () => {
    const nodes = [node("g", "graph", { graph_id: 7, version: 3 }), node("t", "format_text"), node("n", "arithmetic")];
    const table = { "7@3": ADD };
    const fits = checkConnection({ source: "n", sourceHandle: "result", target: "g", targetHandle: "in:b" }, nodes, [], catalogue, {}, table);
    expect(fits.ok).toBe(true);
    const unknown = checkConnection({ source: "n", sourceHandle: "result", target: "g", targetHandle: "in:zzz" }, nodes, [], catalogue, {}, table);
    expect(unknown).toEqual({ ok: false, reason: "Unknown port." });
  });
});

describe("broken wires", () => {
  const nodes = [node("g", "graph", { graph_id: 7, version: 4 }), node("n", "arithmetic"), node("p", "print")];
  const edges = [
    edge("ok", "n", "result", "g", "in:a"),
    edge("lost-in", "n", "result", "g", "in:b"),
    edge("lost-out", "g", "out:sum", "p", "value"),
    edge("exec", "g", "next", "p", "exec"),
  ];
  const v4: Signature = { inputs: [ADD.inputs[0]!], outputs: [{ name: "total", type: "number" }] };

  it("names each wire whose port the pinned signature lacks, and no other", () => {
    const broken = brokenWires(nodes, edges, { "7@4": v4 }, () => "adder");
    expect(Object.keys(broken).sort()).toEqual(["lost-in", "lost-out"]);
    expect(broken["lost-in"]).toContain("version 4 of “adder” has no input “b”");
    expect(broken["lost-out"]).toContain("has no output “sum”");
  });

  it("breaks nothing while the signature is not known", () => {
    expect(brokenWires(nodes, edges, {}, () => "adder")).toEqual({});
  });

  it("keeps a drawn port for each wired handle the signature lacks", () => {
    const known = signaturePorts(v4);
    expect(missingPorts(known, ["in:a", "in:b", "exec"], ["out:sum", "next"]).map((p) => [p.id, p.direction])).toEqual([
      ["in:b", "input"],
      ["out:sum", "output"],
    ]);
  });
});
