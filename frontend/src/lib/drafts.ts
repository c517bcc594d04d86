// Drafts: the unsaved graph kept in this browser (localStorage) while it is edited, so that a
// crash, a closed tab or a lost connection does not lose it. One draft per user and graph; the
// editor offers it back when the graph is opened again (editor/useGraphDocument.ts).

import { z } from "zod";

import { graphDocumentSchema } from "./schemas";
import type { GraphDocument } from "./types";

export interface Draft {
  graphId: number;
  /** The graph as it was on screen. */
  doc: GraphDocument;
  /** When the draft was written (ms since the epoch). */
  savedAt: number;
  /** The saved version the edits started from. */
  baseVersion: number;
}

const draftSchema = z.object({
  graphId: z.number(),
  doc: graphDocumentSchema,
  savedAt: z.number(),
  baseVersion: z.number(),
});

type KeyValueStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

export interface DraftStore {
  get(graphId: number): Draft | null;
  /** False when the browser refused to keep it (storage full or disabled). */
  put(draft: Draft): boolean;
  remove(graphId: number): void;
}

const PREFIX = "nodeengine.draft.";

/** The drafts of one user (`user`: their id) in a storage; `null` storage keeps nothing. */
export function createDraftStore(storage: KeyValueStorage | null, user: string | number): DraftStore {
  const key = (graphId: number) => `${PREFIX}${user}.${graphId}`;
  return {
    get(graphId) {
      if (!storage) return null;
      try {
        const text = storage.getItem(key(graphId));
        if (!text) return null;
        const parsed = draftSchema.safeParse(JSON.parse(text));
        // A draft of another graph under this key, or of an older shape, is no draft.
        return parsed.success && parsed.data.graphId === graphId ? parsed.data : null;
      } catch {
        return null;
      }
    },
    put(draft) {
      if (!storage) return false;
      try {
        storage.setItem(key(draft.graphId), JSON.stringify(draft));
        return true;
      } catch {
        return false;
      }
    },
    remove(graphId) {
      try {
        storage?.removeItem(key(graphId));
      } catch {
        // Nothing to do: a storage that cannot remove did not keep it either.
      }
    },
  };
}

/** The browser's localStorage, or null where it is unavailable (private modes, tests). */
export function browserStorage(): KeyValueStorage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null;
  }
}
