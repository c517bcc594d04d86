import { beforeEach, describe, expect, it } from "vitest";

import { createDraftStore, type Draft } from "./drafts";

class MemoryStorage {
  items = new Map<string, string>();
  full = false;
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    if (this.full) throw new DOMException("quota", "QuotaExceededError");
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

const doc = {
  nodes: [{ id: "a", type: "print", position: { x: 1, y: 2 }, data: { params: {}, inputs: { value: "hi" } } }],
  edges: [],
};
const draft = (graphId: number, savedAt = 1000): Draft => ({ graphId, doc, savedAt, baseVersion: 3 });

let storage: MemoryStorage;
beforeEach(() => {
  storage = new MemoryStorage();
});

describe("draft store", () => {
  it("keeps a draft per graph and gives it back as written", () => {
    const drafts = createDraftStore(storage, 7);
    expect(drafts.get(1)).toBeNull();
    expect(drafts.put(draft(1))).toBe(true);
    expect(drafts.put(draft(2, 2000))).toBe(true);
    expect(drafts.get(1)).toEqual(draft(1));
    expect(drafts.get(2)?.savedAt).toBe(2000);
    drafts.remove(1);
    expect(drafts.get(1)).toBeNull();
    expect(drafts.get(2)).not.toBeNull();
  });

  it("keeps the drafts of each user apart", () => {
    createDraftStore(storage, 7).put(draft(1));
    expect(createDraftStore(storage, 8).get(1)).toBeNull();
    expect(createDraftStore(storage, 7).get(1)).not.toBeNull();
  });

  it("ignores what is not a draft of this graph", () => {
    const drafts = createDraftStore(storage, 7);
    storage.setItem("nodeengine.draft.7.1", "{not json");
    expect(drafts.get(1)).toBeNull();
    storage.setItem("nodeengine.draft.7.1", JSON.stringify({ graphId: 1, doc: { nodes: "x" }, savedAt: 1, baseVersion: 1 }));
    expect(drafts.get(1)).toBeNull();
    storage.setItem("nodeengine.draft.7.1", JSON.stringify(draft(2)));
    expect(drafts.get(1)).toBeNull();
  });

  it("says so when the browser refuses to keep a draft, and works without storage", () => {
    storage.full = true;
    expect(createDraftStore(storage, 7).put(draft(1))).toBe(false);
    const none = createDraftStore(null, 7);
    expect(none.put(draft(1))).toBe(false);
    expect(none.get(1)).toBeNull();
    none.remove(1);
  });
});
