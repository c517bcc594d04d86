// Debounced live compile: every content change schedules one POST /api/compile/; a newer change
// aborts the older request, so typing in a param never waits on the server.

import { useEffect } from "react";

import { api, errorText } from "@/lib/api";
import type { CompileResult } from "@/lib/types";
import { editorStore, useEditor } from "@/store/editor";

const COMPILE_DEBOUNCE_MS = 300;

export function useLiveCompile(enabled: boolean): void {
  const seq = useEditor((s) => s.contentSeq);
  const ready = useEditor((s) => Object.keys(s.catalogue).length > 0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `seq` counts edits of the graph: each one compiles it again.
  useEffect(() => {
    if (!enabled || !ready) return;
    const controller = new AbortController();
    // The first compile of an opened graph is not waiting for more typing: send it at once.
    const delay = editorStore.getState().compile === null ? 0 : COMPILE_DEBOUNCE_MS;
    const timer = setTimeout(async () => {
      try {
        const result = await api<CompileResult>("compile/", { method: "POST", body: editorStore.getState().document(), signal: controller.signal });
        if (!controller.signal.aborted) editorStore.getState().setCompile(result);
      } catch (err) {
        if ((err as Error).name === "AbortError") return;
        editorStore.getState().setCompile(editorStore.getState().compile, `Live code is out of date: ${errorText(err)}`);
      }
    }, delay);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [seq, enabled, ready]);
}
