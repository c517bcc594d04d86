import { beforeEach, describe, expect, it } from "vitest";

import type { Signature } from "../lib/signature";
import { catalogueResponse } from "../test/fixtures";
import { createEditorStore } from "./editor";

let store: ReturnType<typeof createEditorStore>;
const st = () => store.getState();

const V1: Signature = {
  inputs: [
    { name: "a", type: "number", required: true, default: null, description: "" },
    { name: "b", type: "number", required: true, default: null, description: "" },
  ],
  outputs: [{ name: "sum", type: "number" }],
};
const V2: Signature = { inputs: [V1.inputs[0]!], outputs: [{ name: "total", type: "number" }] };

beforeEach(() => {
  store = createEditorStore();
  st().setCatalogue(catalogueResponse.nodes, catalogueResponse.categories, catalogueResponse.type_compatibility);
  st().load({
    nodes: [
      { id: "n", type: "arithmetic", position: { x: 0, y: 0 }, data: { params: {} } },
      { id: "p", type: "print", position: { x: 600, y: 0 }, data: { params: {} } },
    ],
    edges: [],
  });
});

describe("graph nodes in the editor store", () => {
  it("adds a graph node pinned to a version, wires its pins, and keeps broken wires (red) after an update", () => {
    st().learnSignature({ graphId: 5, version: 1 }, V1, { name: "adder", gallery: false, latest: 1 });
    const id = st().addGraphNode({ graphId: 5, version: 1 }, { x: 300, y: 0 });
    expect(id).not.toBeNull();
    const g = id ?? "";
    expect(st().nodes.find((n) => n.id === g)?.data.params).toMatchObject({ graph_id: 5, version: 1 });
    expect(st().connect({ source: "n", sourceHandle: "result", target: g, targetHandle: "in:a" })).toBe(true);
    expect(st().connect({ source: "n", sourceHandle: "result", target: g, targetHandle: "in:b" })).toBe(true);
    expect(st().connect({ source: g, sourceHandle: "out:sum", target: "p", targetHandle: "value" })).toBe(true);
    expect(st().brokenWires).toEqual({});

    st().learnSignature({ graphId: 5, version: 2 }, V2, { name: "adder", gallery: false, latest: 2 });
    st().repinNode(g, 2);
    expect(st().nodes.find((n) => n.id === g)?.data.params.version).toBe(2);
    // Never removed: all three wires stay, the two the new signature lacks are broken.
    expect(st().edges).toHaveLength(3);
    const broken = Object.values(st().brokenWires);
    expect(broken).toHaveLength(2);
    expect(broken.join(" ")).toMatch(/version 2 of “adder” has no input “b”/);

    // One undo step back to version 1: nothing broken any more.
    st().undo();
    expect(st().nodes.find((n) => n.id === g)?.data.params.version).toBe(1);
    expect(st().brokenWires).toEqual({});
  });

  it("keeps a graph node's wires when another node's dynamic ports change", () => {
    st().load({
      nodes: [
        { id: "l", type: "make_list", position: { x: 0, y: 0 }, data: { params: { count: 3 } } },
        { id: "g", type: "graph", position: { x: 300, y: 0 }, data: { params: { graph_id: 5, version: 1 } } },
      ],
      edges: [{ id: "e", source: "g", sourceHandle: "out:sum", target: "l", targetHandle: "item0" }],
    });
    // The signature is not read yet: the wire's port is unknown, and the wire stays anyway.
    st().setParam("l", "count", 2);
    expect(st().edges.map((e) => e.id)).toEqual(["e"]);
  });
});
