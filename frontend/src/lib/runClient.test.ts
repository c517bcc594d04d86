// The run client's debug messages (docs/debugging.md, section 4), against a fake socket.

import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { consoleStore } from "../store/console";
import { editorStore } from "../store/editor";
import { catalogueResponse } from "../test/fixtures";
import { describeReason, readTrace, readVariables, runClient } from "./runClient";

class FakeSocket {
  static OPEN = 1;
  static last: FakeSocket | null = null;
  readyState = 0;
  sent: Array<Record<string, unknown>> = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.last = this;
  }
  send(text: string) {
    this.sent.push(JSON.parse(text) as Record<string, unknown>);
  }
  close() {
    this.readyState = 3;
  }
}

let frames: Array<() => void> = [];
const socket = () => FakeSocket.last!;
const receive = (event: Record<string, unknown>) => socket().onmessage!({ data: JSON.stringify(event) });
const sentOf = (type: string) => socket().sent.filter((m) => m.type === type);
const ed = () => editorStore.getState();

beforeAll(() => {
  vi.stubGlobal("WebSocket", FakeSocket);
  vi.stubGlobal("location", { protocol: "http:", host: "example.test" });
  vi.stubGlobal("requestAnimationFrame", (cb: () => void) => frames.push(cb));
  runClient.start();
  socket().readyState = FakeSocket.OPEN;
  socket().onopen!();
});

afterAll(() => {
  runClient.stop();
  vi.unstubAllGlobals();
});

beforeEach(() => {
  frames = [];
  socket().sent = [];
  consoleStore.getState().clear();
  consoleStore.getState().patch({ phase: "idle", runId: null, ref: null, exit: null });
  ed().setCatalogue(catalogueResponse.nodes, catalogueResponse.categories, catalogueResponse.type_compatibility);
  ed().load({
    nodes: [
      { id: "start", type: "on_start", position: { x: 0, y: 0 }, data: { params: {} } },
      { id: "print", type: "print", position: { x: 300, y: 0 }, data: { params: {} } },
      { id: "after", type: "print", position: { x: 600, y: 0 }, data: { params: {} } },
    ],
    edges: [{ id: "e1", source: "start", sourceHandle: "next", target: "print", targetHandle: "exec" }],
  });
  ed().startRun(false);
  for (const id of Object.keys(ed().breakpoints)) ed().toggleBreakpoint(id);
});

/** Starts a debug run and lets the server name it. */
function startDebug(runId = "run-1", breakpoints: string[] = []): void {
  runClient.run({ graph: ed().document() }, { breakpoints });
  const [run] = sentOf("run");
  receive({ type: "queued", run_id: runId, ref: run!.ref, position: 0 });
  receive({ type: "started", run_id: runId });
}

describe("run client: debug runs", () => {
  it("a debug run sends the graph and its breakpoints; a plain run sends no debug key", () => {
    runClient.run({ graph: ed().document() }, { breakpoints: ["print"] });
    const [debugRun] = sentOf("run");
    expect(debugRun!.debug).toEqual({ breakpoints: ["print"] });
    expect((debugRun!.graph as { nodes: unknown[] }).nodes).toHaveLength(3);
    expect(ed().debugging).toBe(true);

    socket().sent = [];
    consoleStore.getState().patch({ phase: "finished" });
    runClient.run({ graph: ed().document() });
    const [plain] = sentOf("run");
    expect(plain).not.toHaveProperty("debug");
    expect(ed().debugging).toBe(false);
  });

  it("applies this run's trace events, ignores other runs' and malformed fields", () => {
    startDebug();
    receive({ type: "trace", run_id: "run-1", counts: { print: 2, start: 1 }, values: { e1: "'<b>hi</b>'" }, current: "print" });
    receive({ type: "trace", run_id: "other", counts: { after: 9 }, values: {}, current: "after" });
    receive({ type: "trace", run_id: "run-1", counts: { print: "lots", after: 1 }, values: { e1: 5 }, current: 7 });
    expect(ed().runCounts).toEqual({ print: 2, start: 1, after: 1 });
    expect(ed().wireValues).toEqual({ e1: "'<b>hi</b>'" });
    expect(ed().currentNodeId).toBe("print");
  });

  it("a pause shows the output before it, and resume sends the mode and clears the pause", () => {
    startDebug();
    receive({ type: "stdout", run_id: "run-1", data: "before the pause\n" });
    receive({
      type: "paused",
      run_id: "run-1",
      node_id: "print",
      reason: "breakpoint",
      variables: [{ name: "total", type: "int", repr: "3", scope: "global" }, { name: 5 }, { name: "x", type: "str", repr: "'a'", scope: "local" }],
    });
    expect(consoleStore.getState().lines.map((l) => l.text)).toContain("before the pause");
    expect(ed().paused).toEqual({ nodeId: "print", reason: "breakpoint" });
    expect(ed().variables.map((v) => `${v.scope}:${v.name}`)).toEqual(["global:total", "local:x"]);

    runClient.resume("step");
    expect(sentOf("resume")).toEqual([{ type: "resume", run_id: "run-1", mode: "step" }]);
    expect(ed().paused).toBeNull();
    // Not paused: nothing to resume.
    runClient.resume("continue");
    expect(sentOf("resume")).toHaveLength(1);

    receive({ type: "paused", run_id: "run-1", node_id: "after", reason: "step", variables: [] });
    runClient.resume("continue");
    expect(sentOf("resume")[1]).toEqual({ type: "resume", run_id: "run-1", mode: "continue" });
  });

  it("sends breakpoints changed during the debug run, once the run has an id", () => {
    runClient.run({ graph: ed().document() }, { breakpoints: [] });
    ed().toggleBreakpoint("print"); // before the server named the run
    expect(sentOf("breakpoints")).toEqual([]);
    const [run] = sentOf("run");
    receive({ type: "queued", run_id: "run-2", ref: run!.ref, position: 1 });
    expect(sentOf("breakpoints")).toEqual([{ type: "breakpoints", run_id: "run-2", nodes: ["print"] }]);
    receive({ type: "started", run_id: "run-2" });
    ed().toggleBreakpoint("after");
    ed().toggleBreakpoint("print");
    expect(sentOf("breakpoints").slice(1)).toEqual([
      { type: "breakpoints", run_id: "run-2", nodes: ["print", "after"] },
      { type: "breakpoints", run_id: "run-2", nodes: ["after"] },
    ]);
    receive({ type: "exit", run_id: "run-2", exit_code: 0, reason: "ok", duration_ms: 5, node_id: null, message: "" });
    ed().toggleBreakpoint("after");
    expect(sentOf("breakpoints")).toHaveLength(3);
  });

  it("does not send breakpoints during a plain run", () => {
    runClient.run({ graph: ed().document() });
    const [run] = sentOf("run");
    receive({ type: "queued", run_id: "run-3", ref: run!.ref, position: 0 });
    ed().toggleBreakpoint("print");
    expect(sentOf("breakpoints")).toEqual([]);
  });

  it("the exit ends the pause and dims the statement nodes never reached", () => {
    startDebug("run-4", ["after"]);
    receive({ type: "trace", run_id: "run-4", counts: { print: 1 }, values: {}, current: "print" });
    receive({ type: "paused", run_id: "run-4", node_id: "print", reason: "exception", variables: [] });
    receive({ type: "exit", run_id: "run-4", exit_code: null, reason: "pause_limit", duration_ms: 5, node_id: null, message: "" });
    expect(ed().paused).toBeNull();
    expect(ed().debugging).toBe(false);
    expect(ed().dimmed).toEqual({ after: true });
    expect(ed().runCounts).toEqual({ print: 1 });
    expect(describeReason("pause_limit")).toMatch(/paused/);
    expect(describeReason("side_channel")).toMatch(/side channel/);
  });

  it("a refused debug run dims nothing", () => {
    runClient.run({ graph: ed().document() }, { breakpoints: [] });
    const [run] = sentOf("run");
    receive({ type: "error", ref: run!.ref, code: "invalid", message: "no" });
    expect(ed().debugging).toBe(false);
    expect(ed().dimmed).toEqual({});
  });
});

describe("reading server events", () => {
  it("keeps only well-formed trace fields", () => {
    expect(readTrace({ counts: [1], values: null, current: undefined })).toEqual({});
    expect(readTrace({ counts: { a: 1, b: Number.NaN }, values: { e: "1", f: {} }, current: null })).toEqual({
      counts: { a: 1 },
      values: { e: "1" },
      current: null,
    });
  });

  it("reads variables defensively", () => {
    expect(readVariables("nope")).toEqual([]);
    expect(readVariables([{ name: "a", type: 1, repr: "<script>", scope: "weird" }])).toEqual([{ name: "a", type: "", repr: "<script>", scope: "global" }]);
  });
});

describe("run client: pictures and tables", () => {
  const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

  it("puts a display between the lines it came between; drops a bad one and another run's", () => {
    consoleStore.getState().patch({ phase: "finished" });
    runClient.run({ graph: ed().document() });
    const [run] = sentOf("run");
    receive({ type: "queued", run_id: "run-2", ref: run!.ref, position: 0 });
    receive({ type: "started", run_id: "run-2" });
    receive({ type: "stdout", run_id: "run-2", data: "\x1b[31mred\x1b[0m\n" });
    receive({ type: "display", run_id: "run-2", mime: "image/png", data: PNG, node_id: "print" });
    receive({ type: "display", run_id: "run-2", mime: "text/html", data: "<script>alert(1)</script>", node_id: null });
    receive({ type: "display", run_id: "other", mime: "image/png", data: PNG, node_id: null });
    receive({ type: "stdout", run_id: "run-2", data: "after\n" });
    receive({ type: "display", run_id: "run-2", mime: "table", data: { columns: ["a"], rows: [[1]], total: 5000 }, node_id: null });
    for (const frame of frames.splice(0)) frame();
    const lines = consoleStore.getState().lines.filter((l) => l.stream !== "info");
    expect(lines.map((l) => l.display?.mime ?? l.text)).toEqual(["red", "image/png", "after", "table"]);
    expect(lines[0]!.spans).toEqual([{ text: "red", cls: "ne-fg-red" }]);
    expect(lines[1]!.display?.node_id).toBe("print");
  });
});

describe("run client: a shared graph's run", () => {
  it("sends the stored graph's id and the link's token, no document and no debug key", () => {
    consoleStore.getState().patch({ phase: "finished" });
    runClient.run({ graph_id: 7, share_token: "tok" });
    const [run] = sentOf("run");
    expect(run).toMatchObject({ type: "run", graph_id: 7, share_token: "tok" });
    expect(run).not.toHaveProperty("graph");
    expect(run).not.toHaveProperty("debug");
    expect(ed().debugging).toBe(false);
    expect(consoleStore.getState().phase).toBe("sending");

    receive({ type: "queued", run_id: "shared-1", ref: run!.ref, position: 0 });
    receive({ type: "started", run_id: "shared-1" });
    receive({ type: "stdout", run_id: "shared-1", data: "hello\n" });
    for (const frame of frames.splice(0)) frame();
    receive({ type: "exit", run_id: "shared-1", exit_code: 0, reason: "ok", duration_ms: 5, node_id: null, message: "" });
    expect(consoleStore.getState().phase).toBe("finished");
    expect(consoleStore.getState().lines.map((l) => l.text)).toContain("hello");
  });

  it("a gallery graph's run sends no token", () => {
    consoleStore.getState().patch({ phase: "finished" });
    runClient.run({ graph_id: 42 });
    const [run] = sentOf("run");
    expect(run).toMatchObject({ graph_id: 42 });
    expect(run).not.toHaveProperty("share_token");
  });
});
