// Someone's shared graph, opened read-only: loaded (with the catalogue) into the editor's store,
// which then refuses edits; nothing is saved and no draft is kept. A 404 is its own state: the
// link was revoked or the graph left the gallery.

import { useEffect, useRef, useState } from "react";

import { ApiError, errorText } from "@/lib/api";
import { loadCatalogue } from "@/lib/catalogue";
import type { SharedGraph } from "@/lib/schemas";
import { loadSharedGraph, notFoundText, type ShareSource } from "@/lib/sharing";
import { editorStore } from "@/store/editor";

import { clearWorkspace } from "./useGraphView";

export interface SharedGraphState {
  graph: SharedGraph | null;
  /** Why it cannot be shown; `notFound` for a 404 (revoked, unlisted, never existed). */
  error: { text: string; notFound: boolean } | null;
}

export function useSharedGraph(source: ShareSource, show: (graph: SharedGraph) => void): SharedGraphState {
  const [state, setState] = useState<SharedGraphState>({ graph: null, error: null });
  const showRef = useRef(show);
  showRef.current = show;

  useEffect(() => {
    let cancelled = false;
    setState({ graph: null, error: null });
    clearWorkspace(null, true);
    (async () => {
      try {
        const [catalogue, graph] = await Promise.all([loadCatalogue(), loadSharedGraph(source)]);
        if (cancelled) return;
        const editor = editorStore.getState();
        editor.setCatalogue(catalogue.nodes, catalogue.categories, catalogue.type_compatibility);
        showRef.current(graph);
        editor.load({ nodes: graph.nodes, edges: graph.edges });
        setState({ graph, error: null });
      } catch (err) {
        if (cancelled || (err instanceof ApiError && err.status === 401)) return; // the session watcher signs in again
        const notFound = err instanceof ApiError && err.status === 404;
        setState({ graph: null, error: { notFound, text: notFound ? notFoundText(source) : errorText(err) } });
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [source]);

  return state;
}
