// "New node from Python" loaded when first opened: its CodeMirror editor is a third of the
// editor's code, and the canvas should not wait for it (as the code panel, editor/Workspace.tsx).

import { lazyModule } from "@/lib/lazyModule";
import { useEditor } from "@/store/editor";

const dialog = lazyModule(() => import("./LibraryNodeDialog"));

function Loaded() {
  const { module, error } = dialog.useModule();
  if (module) return <module.LibraryNodeDialog />;
  if (error)
    return (
      <p className="fixed bottom-4 left-1/2 z-50 -translate-x-1/2 rounded bg-red-950 px-3 py-2 text-xs text-red-300" role="alert">
        {error}
      </p>
    );
  return null;
}

export function LazyLibraryNodeDialog() {
  const wanted = useEditor((st) => st.libraryDialog !== null);
  return wanted ? <Loaded /> : null;
}
