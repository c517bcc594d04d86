// The palette's "My nodes" section: the user's own nodes (the node library, store/editor/library.ts),
// each dragged onto the canvas like a built-in node (its type, `lib:<id>`, is in the catalogue),
// with "New node from Python" and, per node, "Edit" (a save is a new version).

import { Pencil, Plus, SquareFunction } from "lucide-react";

import { Button } from "@/components/ui/button";
import { libraryType } from "@/lib/library";
import type { LibraryEntry } from "@/lib/libraryApi";
import { editorStore, useEditor } from "@/store/editor";
import { DRAG_MIME } from "./graphDrag";

const s = () => editorStore.getState();

/** What "New node from Python" starts with. */
export const NEW_NODE_CODE = `def moving_average(values: list[float], window: int = 3) -> list[float]:
    """The mean of each run of \`window\` values."""
    return [sum(values[i - window + 1 : i + 1]) / window for i in range(window - 1, len(values))]
`;

function LibraryItem({ entry, onAdd, readOnly }: { entry: LibraryEntry; onAdd: (type: string) => void; readOnly: boolean }) {
  const type = libraryType(entry.id);
  const summary = (entry.node.description || entry.description).split("\n")[0] ?? "";
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a drag source for the canvas; double-click is a shortcut for the drop.
    <div
      draggable
      onDragStart={(e) => {
        e.dataTransfer.setData(DRAG_MIME, type);
        e.dataTransfer.effectAllowed = "move";
      }}
      onDoubleClick={() => onAdd(type)}
      className="group mb-1 flex cursor-grab items-center gap-2 rounded-md border border-slate-800 bg-slate-900 px-2 py-1.5 text-xs text-slate-200 hover:border-sky-600 active:cursor-grabbing"
      title={`${summary ? `${summary}\n` : ""}${entry.name}, version ${entry.version}\n(drag onto the canvas, or double-click to add)`}
      data-testid={`palette-lib-${entry.id}`}
    >
      <SquareFunction className="h-3 w-3 shrink-0 text-emerald-300" />
      <span className="truncate">{entry.node.title || entry.name}</span>
      <span className="ml-auto shrink-0 text-slate-500">v{entry.version}</span>
      {!readOnly && (
        <button
          type="button"
          className="hidden shrink-0 rounded p-0.5 text-slate-400 hover:text-sky-300 group-hover:block"
          title="Edit its code (saves a new version)"
          aria-label={`Edit ${entry.name}`}
          data-testid={`palette-lib-edit-${entry.id}`}
          onClick={() => s().openLibraryDialog({ code: entry.code, description: entry.description, entryId: entry.id })}
        >
          <Pencil className="h-3 w-3" />
        </button>
      )}
    </div>
  );
}

export function PaletteLibrary({ query, onAdd }: { query: string; onAdd: (type: string) => void }) {
  const entries = useEditor((st) => st.libraryEntries);
  const listing = useEditor((st) => st.libraryListing);
  const readOnly = useEditor((st) => st.readOnly);
  const q = query.trim().toLowerCase();
  const rows = q ? entries.filter((e) => e.name.toLowerCase().includes(q) || e.node.title.toLowerCase().includes(q)) : entries;
  return (
    <section className="mb-3" data-testid="palette-my-nodes">
      <div className="flex items-center px-1 pb-1">
        <h3 className="text-xs font-semibold uppercase tracking-wider text-slate-400">My nodes</h3>
        {!readOnly && (
          <Button
            size="xs"
            variant="ghost"
            className="ml-auto"
            title="New node from Python: a function becomes a node"
            data-testid="new-lib-node"
            onClick={() => s().openLibraryDialog({ code: NEW_NODE_CODE, description: "", entryId: null })}
          >
            <Plus /> New node from Python
          </Button>
        )}
      </div>
      {listing.state === "loading" && <p className="p-1 text-xs text-slate-500">Loading…</p>}
      {listing.state === "error" && (
        <p className="p-1 text-xs text-red-300" role="alert">
          {listing.message}
        </p>
      )}
      {listing.state === "ready" && rows.length === 0 && (
        <p className="p-1 text-xs text-slate-500">{q ? "None matches." : "None yet: write a Python function and it becomes a node."}</p>
      )}
      {rows.map((entry) => (
        <LibraryItem key={entry.id} entry={entry} onAdd={onAdd} readOnly={readOnly} />
      ))}
    </section>
  );
}
