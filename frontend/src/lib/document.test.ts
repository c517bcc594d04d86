import { beforeEach, describe, expect, it } from "vitest";

import { createEditorStore } from "../store/editor";
import { catalogueResponse } from "../test/fixtures";
import { documentKey, isDirty } from "./document";

const saved = {
  nodes: [
    { id: "start", type: "on_start", position: { x: 0, y: 0 }, data: { params: {} } },
    { id: "print", type: "print", position: { x: 300, y: 0 }, data: { params: {}, inputs: { value: "hi" } } },
  ],
  edges: [{ id: "e1", source: "start", sourceHandle: "next", target: "print", targetHandle: "exec" }],
};

describe("documentKey", () => {
  it("ignores key order, list order, runtime fields and sub-pixel moves", () => {
    const shuffled = {
      nodes: [
        { data: { inputs: { value: "hi" }, params: {} }, position: { y: 0.2, x: 299.8 }, type: "print", id: "print", selected: true, measured: { width: 1 } },
        { id: "start", type: "on_start", position: { x: 0, y: 0 }, data: { params: {} } },
      ],
      edges: [{ target: "print", targetHandle: "exec", id: "e1", source: "start", sourceHandle: "next", selected: false }],
    };
    expect(documentKey(shuffled)).toBe(documentKey(saved));
    expect(isDirty(shuffled, saved)).toBe(false);
  });

  it("sees a changed value, a moved node, a new wire", () => {
    const edited = structuredClone(saved);
    edited.nodes[1]!.data.inputs = { value: "ho" };
    expect(isDirty(edited, saved)).toBe(true);
    const moved = structuredClone(saved);
    moved.nodes[0]!.position.x = 40;
    expect(isDirty(moved, documentKey(saved))).toBe(true);
    expect(isDirty({ ...saved, edges: [] }, saved)).toBe(true);
  });
});

describe("the store's dirty state compares with the saved document", () => {
  let store: ReturnType<typeof createEditorStore>;
  const st = () => store.getState();
  beforeEach(() => {
    store = createEditorStore();
    st().setCatalogue(catalogueResponse.nodes, catalogueResponse.categories, catalogueResponse.type_compatibility);
    st().load(saved);
  });

  it("undo back to the saved state is clean again, redo dirty again", () => {
    expect(st().dirty).toBe(false);
    st().setInputValue("print", "value", "changed");
    st().addNode("literal", { x: 0, y: 200 });
    expect(st().dirty).toBe(true);
    st().undo();
    expect(st().dirty).toBe(true);
    st().undo();
    expect(st().dirty).toBe(false);
    st().redo();
    expect(st().dirty).toBe(true);
  });

  it("an edit made back by hand is clean too", () => {
    st().setInputValue("print", "value", "x");
    expect(st().dirty).toBe(true);
    st().setInputValue("print", "value", "hi");
    expect(st().dirty).toBe(false);
  });

  it("a restored draft stays dirty against the saved document until saved", () => {
    const draft = structuredClone(saved);
    draft.nodes[1]!.data.inputs = { value: "draft" };
    st().load(draft, saved);
    expect(st().dirty).toBe(true);
    st().markSaved(st().document());
    expect(st().dirty).toBe(false);
  });

  it("an edit during a save stays unsaved", () => {
    const sent = st().document();
    st().setInputValue("print", "value", "typed while saving");
    st().markSaved(sent);
    expect(st().dirty).toBe(true);
  });

  it("selecting and measuring nodes is not an edit", () => {
    st().selectOnly(["print"]);
    st().onNodesChange([{ id: "start", type: "dimensions", dimensions: { width: 200, height: 80 } }]);
    expect(st().dirty).toBe(false);
  });
});
