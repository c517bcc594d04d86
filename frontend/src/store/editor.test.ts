import { beforeEach, describe, expect, it } from "vitest";

import { catalogueResponse } from "../test/fixtures";
import { createEditorStore, wiredInputsOf } from "./editor";

let store: ReturnType<typeof createEditorStore>;
const st = () => store.getState();

beforeEach(() => {
  store = createEditorStore();
  st().setCatalogue(catalogueResponse.nodes, catalogueResponse.categories, catalogueResponse.type_compatibility);
  st().load({
    nodes: [
      { id: "start", type: "on_start", position: { x: 0, y: 0 }, data: { params: {} } },
      { id: "print", type: "print", position: { x: 300, y: 0 }, data: { params: {} } },
    ],
    edges: [],
  });
});

describe("editor store", () => {
  it("loads a document clean and becomes dirty on an edit", () => {
    expect(st().dirty).toBe(false);
    expect(st().connect({ source: "start", sourceHandle: "next", target: "print", targetHandle: "exec" })).toBe(true);
    expect(st().dirty).toBe(true);
    st().markSaved();
    expect(st().dirty).toBe(false);
  });

  it("refuses an invalid wire with a reason and leaves the graph alone", () => {
    const seq = st().contentSeq;
    expect(st().connect({ source: "start", sourceHandle: "next", target: "print", targetHandle: "value" })).toBe(false);
    expect(st().notice).toMatch(/execution/);
    expect(st().edges).toHaveLength(0);
    expect(st().contentSeq).toBe(seq);
    expect(st().past).toHaveLength(0);
  });

  it("styles wires by kind and keeps the contract shape on export", () => {
    st().connect({ source: "start", sourceHandle: "next", target: "print", targetHandle: "exec" });
    expect(st().edges[0]!.className).toBe("edge-exec");
    const doc = st().document();
    expect(Object.keys(doc.edges[0]!).sort()).toEqual(["id", "source", "sourceHandle", "target", "targetHandle"]);
    expect(Object.keys(doc.nodes[0]!).sort()).toEqual(["data", "id", "position", "type"]);
  });

  it("undoes and redoes adds, wires, deletes and param edits", () => {
    const id = st().addNode("literal", { x: 0, y: 200 })!;
    expect(st().nodes.find((n) => n.id === id)!.data.params).toEqual({ kind: "number", value: "0" });
    st().connect({ source: id, sourceHandle: "value", target: "print", targetHandle: "value" });
    st().setParam(id, "value", "4");
    st().setParam(id, "value", "42"); // coalesced with the previous keystroke
    expect(st().edges).toHaveLength(1);

    st().undo(); // the param edit (both keystrokes)
    expect(st().nodes.find((n) => n.id === id)!.data.params.value).toBe("0");
    st().undo(); // the wire
    expect(st().edges).toHaveLength(0);
    st().undo(); // the node
    expect(st().nodes).toHaveLength(2);
    st().undo(); // nothing left
    expect(st().nodes).toHaveLength(2);

    st().redo();
    st().redo();
    st().redo();
    expect(st().nodes).toHaveLength(3);
    expect(st().edges).toHaveLength(1);
    expect(st().nodes.find((n) => n.id === id)!.data.params.value).toBe("42");

    st().selectOnly([id]);
    st().deleteSelected();
    expect(st().nodes).toHaveLength(2);
    expect(st().edges).toHaveLength(0); // its wires went with it
    st().undo();
    expect(st().nodes).toHaveLength(3);
    expect(st().edges).toHaveLength(1);
  });

  it("a new edit clears the redo stack", () => {
    st().addNode("literal", { x: 0, y: 0 });
    st().undo();
    expect(st().future).toHaveLength(1);
    st().addNode("print", { x: 0, y: 0 });
    expect(st().future).toHaveLength(0);
  });

  it("drops wires of dynamic ports that a param change removed", () => {
    const list = st().addNode("make_list", { x: 0, y: 0 })!;
    const lit = st().addNode("literal", { x: 0, y: 100 })!;
    st().setParam(list, "count", 3);
    expect(st().connect({ source: lit, sourceHandle: "value", target: list, targetHandle: "item2" })).toBe(true);
    st().setParam(list, "count", 2);
    expect(st().edges).toHaveLength(0);
    st().undo();
    expect(st().edges).toHaveLength(1);
  });

  it("joins a dropped wire to the first compatible port of the quick-added node", () => {
    const id = st().addNode("print", { x: 500, y: 0 }, { nodeId: "print", handleId: "next", handleType: "source" })!;
    expect(st().edges).toHaveLength(1);
    expect(st().edges[0]).toMatchObject({ source: "print", sourceHandle: "next", target: id, targetHandle: "exec" });
    const lit = st().addNode("literal", { x: 0, y: 300 }, { nodeId: id, handleId: "value", handleType: "target" })!;
    expect(st().edges[1]).toMatchObject({ source: lit, sourceHandle: "value", target: id, targetHandle: "value" });
  });

  it("copies and pastes the selection, repeatedly offset, as one undo step each", () => {
    st().connect({ source: "start", sourceHandle: "next", target: "print", targetHandle: "exec" });
    st().selectAll();
    const payload = st().copy();
    expect(payload?.nodes).toHaveLength(2);
    st().paste(payload);
    st().paste(payload);
    expect(st().nodes).toHaveLength(6);
    expect(st().edges).toHaveLength(3);
    const pasted = st().nodes.filter((n) => n.selected);
    expect(pasted).toHaveLength(2); // the last paste is selected
    expect(pasted[0]!.position).toEqual({ x: 80, y: 80 });
    st().undo();
    expect(st().nodes).toHaveLength(4);
  });

  it("pastes into another graph (a fresh store) from the serialized clipboard", () => {
    st().selectAll();
    const payload = st().copy()!;
    const other = createEditorStore();
    other.getState().setCatalogue(catalogueResponse.nodes);
    other.getState().load({ nodes: [], edges: [] });
    other.getState().paste(JSON.parse(JSON.stringify(payload)));
    expect(
      other
        .getState()
        .nodes.map((n) => n.type)
        .sort(),
    ).toEqual(["on_start", "print"]);
  });

  it("auto-arranges in one undoable step", () => {
    st().connect({ source: "start", sourceHandle: "next", target: "print", targetHandle: "exec" });
    st().arrange();
    const x = (id: string) => st().nodes.find((n) => n.id === id)!.position.x;
    expect(x("start")).toBeLessThan(x("print"));
    st().undo();
    expect(x("print")).toBe(300);
  });

  it("types a value on a pin, coalesces keystrokes, undoes and clears it", () => {
    const loop = st().addNode("for_range", { x: 0, y: 200 })!;
    const data = () => st().nodes.find((n) => n.id === loop)!.data;
    const seq = st().contentSeq;
    st().setInputValue(loop, "stop", 1);
    st().setInputValue(loop, "stop", 12); // the next keystroke: one undo step with the first
    expect(data().inputs).toEqual({ stop: 12 });
    expect(data().params).toEqual({}); // beside params, not in them
    expect(st().contentSeq).toBeGreaterThan(seq); // drives compile and the dirty flag
    expect(
      st()
        .document()
        .nodes.find((n) => n.id === loop)!.data.inputs,
    ).toEqual({ stop: 12 });

    st().undo();
    expect(data().inputs).toBeUndefined();
    st().redo();
    expect(data().inputs).toEqual({ stop: 12 });

    st().setInputValue(loop, "start", 2);
    st().setInputValue(loop, "stop", undefined);
    expect(data().inputs).toEqual({ start: 2 });
    st().setInputValue(loop, "start", undefined);
    expect("inputs" in data()).toBe(false); // no empty record left behind
  });

  it("keeps a typed value while its port is wired, so it is back when the wire goes", () => {
    st().setInputValue("print", "value", "hello");
    expect(wiredInputsOf(st().edges, "print")).toBe("");
    const lit = st().addNode("literal", { x: 0, y: 200 })!;
    st().connect({ source: lit, sourceHandle: "value", target: "print", targetHandle: "value" });
    expect(wiredInputsOf(st().edges, "print")).toBe("value");
    expect(st().nodes.find((n) => n.id === "print")!.data.inputs).toEqual({ value: "hello" });

    st().deleteEdge(st().edges[0]!.id);
    expect(wiredInputsOf(st().edges, "print")).toBe("");
    expect(st().nodes.find((n) => n.id === "print")!.data.inputs).toEqual({ value: "hello" });
  });

  it("loads, copies and pastes typed values", () => {
    st().load({
      nodes: [{ id: "loop", type: "for_range", position: { x: 0, y: 0 }, data: { params: {}, inputs: { stop: 3 } } }],
      edges: [],
    });
    expect(st().document().nodes[0]!.data.inputs).toEqual({ stop: 3 });
    st().selectAll();
    st().paste(st().copy());
    const copy = st().nodes.find((n) => n.id !== "loop")!;
    expect(copy.data.inputs).toEqual({ stop: 3 });
    st().setInputValue(copy.id, "stop", 5);
    expect(st().nodes.find((n) => n.id === "loop")!.data.inputs).toEqual({ stop: 3 });
  });

  it("indexes diagnostics and source lines by node", () => {
    st().setCompile({
      code: "print('')\n",
      diagnostics: [{ severity: "warning", code: "w", message: "careful", node_id: "print", port: null, line: null, col: null }],
      source_map: { "1": "print" },
      signature: { inputs: [], outputs: [] },
    });
    expect(st().diagnosticsByNode.print).toHaveLength(1);
    expect(st().linesByNode.print).toEqual([1]);
  });
});

describe("a read-only graph (someone's shared graph)", () => {
  it("loads and selects but refuses every edit", () => {
    st().setReadOnly(true);
    st().load({
      nodes: [
        { id: "start", type: "on_start", position: { x: 0, y: 0 }, data: { params: {} } },
        { id: "print", type: "print", position: { x: 300, y: 0 }, data: { params: { text: "hi" } } },
      ],
      edges: [{ id: "e1", source: "start", sourceHandle: "next", target: "print", targetHandle: "exec" }],
    });
    const before = st().document();
    const seq = st().contentSeq;
    expect(st().connect({ source: "start", sourceHandle: "next", target: "print", targetHandle: "exec" })).toBe(false);
    expect(st().addNode("print", { x: 0, y: 0 })).toBeNull();
    st().setParam("print", "text", "changed");
    st().setInputValue("print", "value", 3);
    st().setLabel("print", "renamed");
    st().removeElements(["print"], ["e1"]);
    st().deleteEdge("e1");
    st().selectAll();
    st().deleteSelected();
    st().arrange();
    st().paste({ kind: "nodeengine/clipboard", version: 1, nodes: before.nodes, edges: [] });
    st().undo();
    st().commitMove();
    expect(st().toggleBreakpoint("print")).toBe(false);
    expect(st().document()).toEqual(before);
    expect(st().contentSeq).toBe(seq);
    expect(st().dirty).toBe(false);
    expect(st().past).toHaveLength(0);
    expect(st().nodes.every((n) => n.selected)).toBe(true);
  });

  it("edits again once it is no longer read-only", () => {
    st().setReadOnly(true);
    st().setReadOnly(false);
    expect(st().connect({ source: "start", sourceHandle: "next", target: "print", targetHandle: "exec" })).toBe(true);
    expect(st().dirty).toBe(true);
  });
});
