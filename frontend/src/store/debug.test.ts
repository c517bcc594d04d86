// The editor store's side of debug runs (docs/debugging.md): breakpoints, trace deltas, pauses,
// and the dimming of statement nodes a finished run never reached.

import { beforeEach, describe, expect, it } from "vitest";

import { catalogueResponse } from "../test/fixtures";
import { createEditorStore, unreachedNodes } from "./editor";

let store: ReturnType<typeof createEditorStore>;
const st = () => store.getState();

beforeEach(() => {
  store = createEditorStore();
  st().setCatalogue(catalogueResponse.nodes, catalogueResponse.categories, catalogueResponse.type_compatibility);
  st().load({
    nodes: [
      { id: "start", type: "on_start", position: { x: 0, y: 0 }, data: { params: {} } },
      { id: "ten", type: "literal", position: { x: 0, y: 200 }, data: { params: { kind: "number", value: "10" } } },
      { id: "loop", type: "for_range", position: { x: 300, y: 0 }, data: { params: {} } },
      { id: "print", type: "print", position: { x: 600, y: 0 }, data: { params: {} } },
      { id: "after", type: "print", position: { x: 600, y: 200 }, data: { params: {} } },
    ],
    edges: [
      { id: "e1", source: "start", sourceHandle: "next", target: "loop", targetHandle: "exec" },
      { id: "e2", source: "ten", sourceHandle: "value", target: "loop", targetHandle: "stop" },
      { id: "e3", source: "loop", sourceHandle: "body", target: "print", targetHandle: "exec" },
      { id: "e4", source: "loop", sourceHandle: "index", target: "print", targetHandle: "value" },
    ],
  });
});

describe("breakpoints", () => {
  it("toggle on statement nodes only", () => {
    expect(st().toggleBreakpoint("print")).toBe(true);
    expect(st().breakpoints).toEqual({ print: true });
    // No execution input: an event, a value node.
    expect(st().toggleBreakpoint("start")).toBe(false);
    expect(st().toggleBreakpoint("ten")).toBe(false);
    expect(st().toggleBreakpoint("missing")).toBe(false);
    expect(st().breakpoints).toEqual({ print: true });
    expect(st().toggleBreakpoint("print")).toBe(true);
    expect(st().breakpoints).toEqual({});
  });

  it("are not part of the document and not an edit", () => {
    const seq = st().contentSeq;
    st().toggleBreakpoint("loop");
    expect(st().contentSeq).toBe(seq);
    expect(st().past).toHaveLength(0);
    expect(JSON.stringify(st().document())).not.toContain("breakpoint");
  });

  it("survive runs; the ones sent are those on nodes still in the graph", () => {
    st().toggleBreakpoint("loop");
    st().toggleBreakpoint("print");
    st().startRun(true);
    st().endRun(true);
    st().startRun(false);
    expect(st().activeBreakpoints().sort()).toEqual(["loop", "print"]);
    st().selectOnly(["print"]);
    st().deleteSelected();
    expect(st().activeBreakpoints()).toEqual(["loop"]);
    st().undo();
    expect(st().activeBreakpoints().sort()).toEqual(["loop", "print"]);
  });

  it("are kept per graph", () => {
    const storage = new Map<string, string>();
    const fake = {
      getItem: (k: string) => storage.get(k) ?? null,
      setItem: (k: string, v: string) => void storage.set(k, v),
      removeItem: (k: string) => void storage.delete(k),
    };
    (globalThis as { localStorage?: unknown }).localStorage = fake;
    try {
      st().setGraphKey("1");
      st().toggleBreakpoint("print");
      st().setGraphKey("2");
      expect(st().breakpoints).toEqual({});
      st().setGraphKey("1");
      expect(st().breakpoints).toEqual({ print: true });
    } finally {
      delete (globalThis as { localStorage?: unknown }).localStorage;
    }
  });
});

describe("trace events", () => {
  it("apply deltas: absolute counts, last values, the current node", () => {
    st().startRun(true);
    st().applyTrace({ counts: { loop: 1, print: 3 }, values: { e4: "2" }, current: "print" });
    st().applyTrace({ counts: { print: 7 }, values: { e4: "6", e2: "10" } });
    expect(st().runCounts).toEqual({ loop: 1, print: 7 });
    expect(st().wireValues).toEqual({ e4: "6", e2: "10" });
    expect(st().currentNodeId).toBe("print");
    st().applyTrace({ current: null });
    expect(st().currentNodeId).toBeNull();
  });

  it("cost one store update each, none for an empty one, and leave nodes and edges alone", () => {
    st().startRun(true);
    const { nodes, edges } = st();
    let updates = 0;
    const unsubscribe = store.subscribe(() => updates++);
    st().applyTrace({ counts: { loop: 1, print: 1 }, values: { e4: "0" }, current: "print" });
    st().applyTrace({ counts: {}, values: {} });
    st().applyTrace({ current: "print" });
    unsubscribe();
    expect(updates).toBe(1);
    expect(st().nodes).toBe(nodes);
    expect(st().edges).toBe(edges);
  });

  it("are ignored outside a debug run", () => {
    st().startRun(false);
    st().applyTrace({ counts: { print: 1 } });
    expect(st().runCounts).toEqual({});
  });

  it("stay after the run until the next run or an edit (not a move)", () => {
    st().startRun(true);
    st().applyTrace({ counts: { print: 2 }, values: { e4: "1" } });
    st().endRun(true);
    expect(st().runCounts).toEqual({ print: 2 });
    st().checkpoint();
    st().commitMove();
    expect(st().wireValues).toEqual({ e4: "1" });
    st().setParam("ten", "value", "3");
    expect(st().runCounts).toEqual({});
    expect(st().wireValues).toEqual({});

    st().startRun(true);
    st().applyTrace({ counts: { print: 2 } });
    st().endRun(true);
    st().startRun(false);
    expect(st().runCounts).toEqual({});
    expect(st().dimmed).toEqual({});
  });
});

describe("pause and resume", () => {
  const variables = [
    { name: "total", type: "int", repr: "3", scope: "global" as const },
    { name: "x", type: "str", repr: "'a'", scope: "local" as const },
  ];

  it("a pause records the node, reason and variables; resume keeps the variables", () => {
    st().startRun(true);
    st().setPaused({ nodeId: "print", reason: "breakpoint" }, variables);
    expect(st().paused).toEqual({ nodeId: "print", reason: "breakpoint" });
    expect(st().variables).toEqual(variables);
    st().resumed();
    expect(st().paused).toBeNull();
    expect(st().variables).toEqual(variables);
    expect(st().debugging).toBe(true);
  });

  it("the end of the run ends the pause; the next run forgets the variables", () => {
    st().startRun(true);
    st().setPaused({ nodeId: "print", reason: "exception" }, variables);
    st().endRun(true);
    expect(st().paused).toBeNull();
    expect(st().debugging).toBe(false);
    st().startRun(true);
    expect(st().variables).toEqual([]);
  });

  it("a pause outside a debug run is ignored", () => {
    st().setPaused({ nodeId: "print", reason: "step" }, variables);
    expect(st().paused).toBeNull();
  });
});

describe("dimming", () => {
  it("dims the statement nodes a finished run never reached", () => {
    st().startRun(true);
    st().applyTrace({ counts: { loop: 1, print: 10 }, current: "print" });
    st().endRun(true);
    // `after` never ran; `start` (an event) and `ten` (a value) cannot count, so never dim.
    expect(st().dimmed).toEqual({ after: true });
    expect(st().currentNodeId).toBeNull();
  });

  it("dims nothing for a refused or lost run", () => {
    st().startRun(true);
    st().endRun(false);
    expect(st().dimmed).toEqual({});
    expect(st().debugging).toBe(false);
  });

  it("the rule alone", () => {
    expect(Object.keys(unreachedNodes(st().nodes, st().catalogue, { loop: 2 })).sort()).toEqual(["after", "print"]);
    expect(unreachedNodes(st().nodes, st().catalogue, { loop: 1, print: 1, after: 1 })).toEqual({});
  });
});
