// The editor route's chunk, loaded on demand. `preloadEditor()` starts the download early (the
// graph list calls it once drawn) so that opening a graph from the list does not wait for it.

import { lazy } from "react";

const load = () => import("./EditorPage");

let started: ReturnType<typeof load> | null = null;

export function preloadEditor(): void {
  started ??= load();
}

export const LazyEditorPage = lazy(async () => {
  started ??= load();
  return { default: (await started).EditorPage };
});
