import { beforeEach, describe, expect, it, vi } from "vitest";

import { catalogueResponse } from "../test/fixtures";

const api = vi.fn();
vi.mock("@/lib/api", async (original) => ({
  ...(await original<typeof import("@/lib/api")>()),
  api: (...args: unknown[]) => api(...args),
  apiAs: async (schema: { parse(v: unknown): unknown }, ...args: unknown[]) => schema.parse(await api(...args)),
}));

const { prefetchEditorData, takeEditorData } = await import("./prefetch");

const record = (id: number) => ({ id, name: `g${id}`, nodes: [], edges: [], version: 1 });

describe("editor data prefetch", () => {
  beforeEach(() => {
    api.mockReset();
    api.mockImplementation(async (path: string) => {
      if (path === "nodes/") return catalogueResponse;
      const id = Number(/graphs\/(\d+)\//.exec(path)?.[1]);
      return record(id);
    });
  });

  it("hands the prefetched graph to the editor once, then fetches afresh", async () => {
    prefetchEditorData(7);
    prefetchEditorData(7); // a second call does not start a second request
    const graphCalls = () => api.mock.calls.filter(([path]) => path === "graphs/7/").length;
    expect(graphCalls()).toBe(1);
    const [catalogue, graph] = await takeEditorData(7);
    expect(catalogue.nodes.length).toBeGreaterThan(0);
    expect(graph.id).toBe(7);
    expect(graphCalls()).toBe(1);
    await takeEditorData(7); // e.g. opening the graph again later: fresh data
    expect(graphCalls()).toBe(2);
  });

  it("prefetches quietly and retries loudly when the prefetch failed", async () => {
    let failed = false;
    api.mockImplementation(async (path: string) => {
      if (path === "nodes/") return catalogueResponse;
      if (!failed) {
        failed = true;
        throw new Error("401 before the session was known");
      }
      return record(9);
    });
    prefetchEditorData(9);
    expect(api.mock.calls.find(([path]) => path === "graphs/9/")?.[1]).toEqual({ quiet401: true });
    const [, graph] = await takeEditorData(9);
    expect(graph.id).toBe(9);
    const calls = api.mock.calls.filter(([path]) => path === "graphs/9/");
    expect(calls.map(([, options]) => options)).toEqual([{ quiet401: true }, { quiet401: false }]);
  });

  it("reports a graph that cannot be had", async () => {
    api.mockImplementation(async (path: string) => {
      if (path === "nodes/") return catalogueResponse;
      throw new Error("not found");
    });
    await expect(takeEditorData(11)).rejects.toThrow("not found");
  });
});
