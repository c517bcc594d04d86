// The graph being edited as a document: loading it, saving it (with the 409 conflict choice),
// the draft kept in this browser while it has unsaved changes (offered back when the graph is
// opened again), and the guard that asks before leaving it unsaved (in-app navigation and
// closing the tab). The editor page (pages/EditorPage.tsx) only draws what this hook says.

import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useBlocker, useNavigate } from "react-router-dom";

import { ApiError, api, apiAs, download, errorText } from "@/lib/api";
import { documentKey } from "@/lib/document";
import { browserStorage, createDraftStore, type Draft } from "@/lib/drafts";
import { createdSchema, graphRecordSchema } from "@/lib/schemas";
import type { GraphRecord, GraphSharing } from "@/lib/types";
import type { Viewport } from "@/lib/viewport";
import { editorStore } from "@/store/editor";
import { useSession } from "@/store/session";

import { takeEditorData } from "./prefetch";
import { clearWorkspace } from "./useGraphView";

const s = () => editorStore.getState();

/** How long edits settle before the draft is written. */
const DRAFT_DELAY_MS = 400;

export interface Conflict {
  currentVersion: number;
}

export interface DraftOffer {
  draft: Draft;
  /** The saved version's number and time, shown beside the draft's. */
  savedVersion: number;
  savedAt: string | null;
}

interface View {
  /** Shows a freshly loaded record (its viewport, or fitted). */
  show(record: GraphRecord): void;
  getViewport(): Viewport;
}

export function useGraphDocument(graphId: number, view: View) {
  const navigate = useNavigate();
  const userId = useSession((st) => st.me?.id ?? null);
  const drafts = useMemo(() => createDraftStore(browserStorage(), userId ?? "anonymous"), [userId]);
  const [graph, setGraph] = useState<GraphRecord | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [draftOffer, setDraftOffer] = useState<DraftOffer | null>(null);
  const graphRef = useRef<GraphRecord | null>(null);
  graphRef.current = graph;
  const viewRef = useRef(view);
  viewRef.current = view;
  const draftsRef = useRef(drafts);
  draftsRef.current = drafts;
  /** Drafts are written once the graph is loaded and any offered draft was answered. */
  const draftsLive = useRef(false);
  /** The user discarded the unsaved changes on the way out: no draft of them. */
  const discarded = useRef(false);

  const applyRecord = useCallback((record: GraphRecord) => {
    setGraph(record);
    viewRef.current.show(record);
    s().load({ nodes: record.nodes, edges: record.edges });
  }, []);

  // ---- loading, and the draft offer
  useEffect(() => {
    let cancelled = false;
    draftsLive.current = false;
    discarded.current = false;
    clearWorkspace(String(graphId), false);
    (async () => {
      try {
        const [catalogue, record] = await takeEditorData(graphId);
        if (cancelled) return;
        s().setCatalogue(catalogue.nodes, catalogue.categories, catalogue.type_compatibility);
        applyRecord(record);
        const draft = draftsRef.current.get(graphId);
        if (draft && documentKey(draft.doc) !== documentKey(record)) {
          setDraftOffer({ draft, savedVersion: record.version, savedAt: record.updated_at ?? null });
        } else {
          if (draft) draftsRef.current.remove(graphId);
          draftsLive.current = true;
        }
      } catch (err) {
        if (cancelled) return;
        if (err instanceof ApiError && err.status === 401) return; // the session watcher signs in again
        setLoadError(err instanceof ApiError && err.status === 404 ? "This graph does not exist or is not yours." : errorText(err));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [graphId, applyRecord]);

  // ---- the draft, written as edits settle
  const writeDraft = useCallback(() => {
    if (!draftsLive.current || discarded.current) return;
    const st = s();
    if (st.dirty) draftsRef.current.put({ graphId, doc: st.document(), savedAt: Date.now(), baseVersion: graphRef.current?.version ?? 0 });
    else draftsRef.current.remove(graphId);
  }, [graphId]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const unsubscribe = editorStore.subscribe((state, previous) => {
      if (state.contentSeq === previous.contentSeq && state.dirty === previous.dirty) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(writeDraft, DRAFT_DELAY_MS);
    });
    // Closing the tab or a crash of the page's process: what is pending is written now.
    const flush = () => writeDraft();
    window.addEventListener("pagehide", flush);
    return () => {
      unsubscribe();
      window.removeEventListener("pagehide", flush);
      if (timer) clearTimeout(timer);
      writeDraft();
    };
  }, [writeDraft]);

  const restoreDraft = useCallback(() => {
    if (!draftOffer) return;
    s().load(draftOffer.draft.doc, s().document());
    setDraftOffer(null);
    draftsLive.current = true;
    s().setNotice(`Restored your unsaved changes from ${new Date(draftOffer.draft.savedAt).toLocaleString()}. Save to keep them.`);
  }, [draftOffer]);

  const discardDraft = useCallback(() => {
    drafts.remove(graphId);
    setDraftOffer(null);
    draftsLive.current = true;
  }, [drafts, graphId]);

  // ---- saving
  const save = useCallback(
    async (opts: { baseVersion?: number } = {}): Promise<boolean> => {
      const current = graphRef.current;
      if (!current) return false;
      setSaving(true);
      setSaveError(null);
      const doc = s().document();
      try {
        const saved = await apiAs(graphRecordSchema, `graphs/${current.id}/`, {
          method: "PUT",
          body: {
            name: current.name,
            description: current.description,
            ...doc,
            viewport: viewRef.current.getViewport(),
            version: opts.baseVersion ?? current.version,
          },
        });
        const next = { ...current, version: saved.version, name: saved.name, updated_at: saved.updated_at };
        graphRef.current = next;
        setGraph(next);
        // What was sent is saved; edits made while the request was in flight stay unsaved.
        s().markSaved(doc);
        writeDraft();
        s().setNotice(`Saved (version ${saved.version}).`);
        return true;
      } catch (err) {
        if (err instanceof ApiError && err.status === 409) setConflict({ currentVersion: Number(err.body?.current_version ?? 0) });
        else setSaveError(errorText(err));
        return false;
      } finally {
        setSaving(false);
      }
    },
    [writeDraft],
  );

  const resolveConflict = useCallback(
    async (choice: "theirs" | "mine") => {
      const current = graphRef.current;
      if (!current) return;
      setConflict(null);
      try {
        const latest = await apiAs(graphRecordSchema, `graphs/${current.id}/`);
        if (choice === "theirs") {
          applyRecord(latest);
          s().setNotice("Loaded the newer saved version; your unsaved changes were discarded.");
        } else {
          // Keep mine: save my graph on top of the current version.
          graphRef.current = { ...current, version: latest.version };
          setGraph(graphRef.current);
          await save({ baseVersion: latest.version });
        }
      } catch (err) {
        setSaveError(errorText(err));
      }
    },
    [applyRecord, save],
  );

  // ---- leaving: in-app navigation asks (save / discard / stay), closing the tab too
  const blocker = useBlocker(({ currentLocation, nextLocation }) => s().dirty && currentLocation.pathname !== nextLocation.pathname);

  useEffect(() => {
    const handler = (e: BeforeUnloadEvent) => {
      if (!s().dirty) return;
      writeDraft();
      e.preventDefault();
    };
    window.addEventListener("beforeunload", handler);
    return () => window.removeEventListener("beforeunload", handler);
  }, [writeDraft]);

  const leave = {
    asking: blocker.state === "blocked",
    async save() {
      if (await save()) blocker.proceed?.();
      else blocker.reset?.();
    },
    discard() {
      discarded.current = true;
      drafts.remove(graphId);
      blocker.proceed?.();
    },
    stay() {
      blocker.reset?.();
    },
  };

  // ---- the graph menu
  /** A copy of the graph: with unsaved changes, of what is on screen (the saved one is left as it is). */
  const duplicate = useCallback(async () => {
    const current = graphRef.current;
    if (!current) return;
    try {
      const copy = s().dirty
        ? await apiAs(createdSchema, "graphs/", {
            method: "POST",
            body: {
              name: `Copy of ${current.name}`.slice(0, 200),
              description: current.description,
              ...s().document(),
              viewport: viewRef.current.getViewport(),
            },
          })
        : await apiAs(createdSchema, `graphs/${current.id}/duplicate/`, { method: "POST", body: {} });
      if (s().dirty) s().setNotice("Duplicated what is on screen, unsaved changes included.");
      navigate(`/graphs/${copy.id}`);
    } catch (err) {
      setSaveError(errorText(err));
    }
  }, [navigate]);

  const exportJson = useCallback(async () => {
    const current = graphRef.current;
    if (!current) return;
    try {
      const doc = await api<unknown>(`graphs/${current.id}/export/`);
      download(`${current.name.replace(/[^\w.-]+/g, "_") || "graph"}.json`, JSON.stringify(doc, null, 2));
    } catch (err) {
      setSaveError(errorText(err));
    }
  }, []);

  const remove = useCallback(async () => {
    const current = graphRef.current;
    if (!current || !window.confirm(`Delete "${current.name}"? This cannot be undone.`)) return;
    try {
      await api(`graphs/${current.id}/`, { method: "DELETE" });
      discarded.current = true;
      drafts.remove(current.id);
      s().markSaved();
      navigate("/");
    } catch (err) {
      setSaveError(errorText(err));
    }
  }, [drafts, navigate]);

  const renamed = useCallback((record: { name: string; version: number }) => {
    setGraph((g) => (g ? { ...g, name: record.name, version: record.version } : g));
  }, []);

  /** The share link or the gallery listing changed (editor/ShareDialog.tsx); the document is untouched. */
  const sharingChanged = useCallback((patch: Partial<GraphSharing>) => {
    setGraph((g) => (g ? { ...g, ...patch } : g));
  }, []);

  return {
    graph,
    loadError,
    saving,
    saveError,
    conflict,
    draftOffer,
    leave,
    save,
    resolveConflict,
    dismissConflict: () => setConflict(null),
    restoreDraft,
    discardDraft,
    duplicate,
    exportJson,
    remove,
    renamed,
    sharingChanged,
    /** A record from elsewhere (a restored revision) becomes the saved document on screen. */
    applyRecord,
  };
}
