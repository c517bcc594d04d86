// The editor route's code, loaded on demand. `preloadEditor()` starts the download early (the
// graph list calls it once drawn, App.tsx when a graph's address is opened directly). The
// shared-graph viewer (the same canvas, code and console, read-only) is loaded the same way.

import { lazyModule } from "@/lib/lazyModule";

const editor = lazyModule(() => import("./EditorPage"));
const sharedGraph = lazyModule(() => import("./SharedGraphPage"));

export function preloadEditor(): void {
  void editor.preload().catch(() => undefined); // reported by LazyEditorPage if it matters
}

export function preloadSharedGraph(): void {
  void sharedGraph.preload().catch(() => undefined); // reported by LazySharedGraphPage if it matters
}

function Loading({ error, what }: { error: string | null; what: string }) {
  return (
    <div className={`p-8 ${error ? "text-red-300" : "text-slate-400"}`} role={error ? "alert" : undefined} data-testid="editor-loading">
      {error ?? `Loading ${what}…`}
    </div>
  );
}

export function LazyEditorPage() {
  const { module, error } = editor.useModule();
  return module ? <module.EditorPage /> : <Loading error={error} what="the editor" />;
}

export function LazySharedGraphPage() {
  const { module, error } = sharedGraph.useModule();
  return module ? <module.SharedGraphPage /> : <Loading error={error} what="the graph" />;
}
