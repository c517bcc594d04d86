// The editor route's code, loaded on demand. `preloadEditor()` starts the download early (the
// graph list calls it once drawn, App.tsx when a graph's address is opened directly).

import { lazyModule } from "@/lib/lazyModule";

const editor = lazyModule(() => import("./EditorPage"));

export function preloadEditor(): void {
  void editor.preload().catch(() => undefined); // reported by LazyEditorPage if it matters
}

export function LazyEditorPage() {
  const { module, error } = editor.useModule();
  if (module) return <module.EditorPage />;
  return (
    <div className={`p-8 ${error ? "text-red-300" : "text-slate-400"}`} role={error ? "alert" : undefined} data-testid="editor-loading">
      {error ?? "Loading the editor…"}
    </div>
  );
}
