// The `display` event's schema: a PNG as base64, a table of scalars; anything else is dropped.

import { describe, expect, it } from "vitest";

import { parseServerEvent } from "./schemas";

// A 1×1 PNG.
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

const event = (extra: Record<string, unknown>) => JSON.stringify({ type: "display", run_id: "r1", node_id: "plot", ...extra });

describe("display events", () => {
  it("reads a PNG", () => {
    const parsed = parseServerEvent(event({ mime: "image/png", data: PNG }));
    expect(parsed).toEqual({ type: "display", run_id: "r1", node_id: "plot", mime: "image/png", data: PNG });
  });

  it("reads a table, with its total never under the rows it holds", () => {
    const data = { columns: ["name", "n", "ok", "x"], rows: [["a", 1, true, null]], total: 0 };
    const parsed = parseServerEvent(event({ mime: "table", data, node_id: null }));
    expect(parsed).toMatchObject({ type: "display", node_id: null, mime: "table", data: { ...data, total: 1 } });
  });

  it("takes a missing node_id as none", () => {
    const parsed = parseServerEvent(JSON.stringify({ type: "display", run_id: "r1", mime: "image/png", data: PNG }));
    expect(parsed).toMatchObject({ node_id: null });
  });

  it.each([
    ["an unknown mime", { mime: "text/html", data: "<b>hi</b>" }],
    ["HTML as an image", { mime: "image/png", data: "<img src=x onerror=alert(1)>" }],
    ["base64 that is not a PNG", { mime: "image/png", data: "R0lGODlhAQABAAAAACw=" }],
    ["a PNG over 2 MiB", { mime: "image/png", data: `iVBORw0KGgo${"A".repeat(2_800_001)}` }],
    ["a table without rows", { mime: "table", data: { columns: ["a"], total: 1 } }],
    ["a table cell that is an object", { mime: "table", data: { columns: ["a"], rows: [[{ html: "<b>" }]], total: 1 } }],
    ["a column name that is not text", { mime: "table", data: { columns: [1], rows: [], total: 0 } }],
    ["a table of 1,001 rows", { mime: "table", data: { columns: ["a"], rows: Array.from({ length: 1001 }, () => [1]), total: 1001 } }],
    ["a negative total", { mime: "table", data: { columns: ["a"], rows: [], total: -1 } }],
    ["a table as an image", { mime: "image/png", data: { columns: [], rows: [], total: 0 } }],
  ])("drops %s", (_name, extra) => {
    expect(parseServerEvent(event(extra))).toBeNull();
  });
});

describe("result events", () => {
  it("keeps a graph's outputs as data, with their warnings", () => {
    const outputs = { sum: 3.5, big: "18446744073709551617", items: [1, { a: null }], markup: "<b>x</b>" };
    const parsed = parseServerEvent(JSON.stringify({ type: "result", run_id: "r1", outputs, output_warnings: ["Output 'x' is not JSON"] }));
    expect(parsed).toEqual({ type: "result", run_id: "r1", outputs, output_warnings: ["Output 'x' is not JSON"] });
  });

  it("drops a result whose outputs are not an object", () => {
    expect(parseServerEvent(JSON.stringify({ type: "result", run_id: "r1", outputs: [1] }))).toBeNull();
  });

  it("reads a bad_inputs error with the sentence naming each input", () => {
    const errors = { inputs: ["Input 'a' must be a number (number), got text."] };
    const parsed = parseServerEvent(JSON.stringify({ type: "error", ref: "x", code: "bad_inputs", message: "m", errors }));
    expect(parsed).toMatchObject({ type: "error", code: "bad_inputs", errors });
  });
});
