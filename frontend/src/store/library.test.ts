import { beforeEach, describe, expect, it } from "vitest";

import type { LibraryEntry } from "../lib/libraryApi";
import type { NodeTypeDef } from "../lib/types";
import { catalogueResponse } from "../test/fixtures";
import { createEditorStore } from "./editor";

let store: ReturnType<typeof createEditorStore>;
const st = () => store.getState();

const node = (ports: NodeTypeDef["ports"]): NodeTypeDef => ({ type: "lib:3", category: "library", title: "clamp", description: "Clamps.", ports, params: [] });
const exec: NodeTypeDef["ports"] = [
  { id: "exec", direction: "input", kind: "exec", label: "" },
  { id: "next", direction: "output", kind: "exec", label: "" },
];
const V1 = node([
  ...exec,
  { id: "in:x", direction: "input", kind: "data", type: "float", label: "x" },
  { id: "in:hi", direction: "input", kind: "data", type: "float", label: "hi" },
  { id: "result", direction: "output", kind: "data", type: "float", label: "result" },
]);
/** `hi` gone and `# node: pure`: no exec pins. */
const V2 = node([
  { id: "in:x", direction: "input", kind: "data", type: "float", label: "x" },
  { id: "result", direction: "output", kind: "data", type: "float", label: "result" },
]);

function entry(version: number, def: NodeTypeDef): LibraryEntry {
  return { id: 3, name: "clamp", version, code: "def clamp(x): ...", description: "", node: def, created_at: "", updated_at: "" };
}

beforeEach(() => {
  store = createEditorStore();
  st().setCatalogue(catalogueResponse.nodes, catalogueResponse.categories, catalogueResponse.type_compatibility);
  st().load({
    nodes: [
      { id: "start", type: "on_start", position: { x: 0, y: 0 }, data: { params: {} } },
      { id: "n", type: "arithmetic", position: { x: 0, y: 200 }, data: { params: {} } },
      { id: "p", type: "print", position: { x: 600, y: 0 }, data: { params: {} } },
    ],
    edges: [],
  });
});

describe("library nodes in the editor store", () => {
  it("lists a saved entry at once and keeps it when the built-in catalogue is read again", () => {
    st().setLibrary([]);
    expect(st().catalogue["lib:3"]).toBeUndefined();
    st().learnLibraryEntry(entry(1, V1));
    expect(st().libraryEntries.map((e) => e.id)).toEqual([3]);
    expect(st().catalogue["lib:3"]?.title).toBe("clamp");
    st().setCatalogue(catalogueResponse.nodes, catalogueResponse.categories, catalogueResponse.type_compatibility);
    expect(st().catalogue["lib:3"]?.title).toBe("clamp");
  });

  it("places a node pinned to the latest version, and an update keeps every wire, the broken ones red", () => {
    st().setLibrary([entry(1, V1)]);
    const id = st().addNode("lib:3", { x: 300, y: 0 }) ?? "";
    expect(st().nodes.find((n) => n.id === id)?.data.params).toEqual({ version: 1 });
    expect(st().connect({ source: "start", sourceHandle: "next", target: id, targetHandle: "exec" })).toBe(true);
    expect(st().connect({ source: "n", sourceHandle: "result", target: id, targetHandle: "in:x" })).toBe(true);
    expect(st().connect({ source: "n", sourceHandle: "result", target: id, targetHandle: "in:hi" })).toBe(true);
    expect(st().connect({ source: id, sourceHandle: "result", target: "p", targetHandle: "value" })).toBe(true);
    expect(st().brokenWires).toEqual({});

    // Version 2 is saved (in another tab, say): the placed node stays on version 1 until updated.
    st().learnLibraryEntry(entry(2, V2));
    expect(st().brokenWires).toEqual({});
    st().repinNode(id, 2);
    expect(st().nodes.find((n) => n.id === id)?.data.params.version).toBe(2);
    expect(st().edges).toHaveLength(4);
    const broken = Object.values(st().brokenWires).join("\n");
    expect(Object.keys(st().brokenWires)).toHaveLength(2);
    expect(broken).toMatch(/version 2 of “clamp” has no input “hi”/);
    expect(broken).toMatch(/version 2 of “clamp” has no input “exec”/);

    st().undo();
    expect(st().nodes.find((n) => n.id === id)?.data.params.version).toBe(1);
    expect(st().brokenWires).toEqual({});
  });

  it("breaks nothing while a pinned version is unread, then checks the wires when it arrives", () => {
    st().setLibrary([entry(2, V2)]);
    st().load({
      nodes: [
        { id: "n", type: "arithmetic", position: { x: 0, y: 0 }, data: { params: {} } },
        { id: "c", type: "lib:3", position: { x: 300, y: 0 }, data: { params: { version: 1 } } },
      ],
      edges: [{ id: "e1", source: "n", sourceHandle: "result", target: "c", targetHandle: "in:hi" }],
    });
    expect(st().brokenWires).toEqual({});
    st().learnLibraryVersion({ id: 3, name: "clamp", version: 1, node: V1 });
    expect(st().brokenWires).toEqual({});
    st().repinNode("c", 2);
    expect(Object.keys(st().brokenWires)).toEqual(["e1"]);
  });
});
