// The node palette: categories from the catalogue, a search box, drag a node onto the canvas
// (or click it to add it at the center of the view).

import { PanelLeftClose, Search } from "lucide-react";
import { memo, useMemo, useState } from "react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { categoryColor } from "@/lib/colors";
import { libraryOf } from "@/lib/library";
import type { NodeTypeDef } from "@/lib/types";
import { useEditor } from "@/store/editor";
import { DRAG_MIME, type GraphDrag } from "./graphDrag";
import { PaletteGraphs } from "./PaletteGraphs";
import { PaletteLibrary } from "./PaletteLibrary";
import { searchNodeTypes } from "./search";

export { DRAG_MIME } from "./graphDrag";

interface PaletteProps {
  onAdd: (type: string) => void;
  /** Adds a graph as a `graph` node (the "My graphs" and "Gallery graphs" sections). */
  onAddGraph: (drag: GraphDrag) => void;
  /** The graph being edited: it is not offered as a node of itself. */
  graphId?: number;
  width: number;
  onCollapse: () => void;
}

function PaletteImpl({ onAdd, onAddGraph, graphId, width, onCollapse }: PaletteProps) {
  const catalogue = useEditor((s) => s.catalogue);
  const categories = useEditor((s) => s.categories);
  const [query, setQuery] = useState("");
  const defs = useMemo(() => Object.values(catalogue), [catalogue]);
  const matches = useMemo(() => searchNodeTypes(defs, query), [defs, query]);

  const groups = useMemo(() => {
    const byCategory = new Map<string, NodeTypeDef[]>();
    for (const d of matches) {
      if (libraryOf(d)) continue; // the user's own nodes are listed under "My nodes"
      if (!byCategory.has(d.category)) byCategory.set(d.category, []);
      byCategory.get(d.category)!.push(d);
    }
    const ordered = categories.filter((c) => byCategory.has(c.id)).map((c) => ({ ...c, defs: byCategory.get(c.id)! }));
    for (const [id, list] of byCategory) if (!categories.some((c) => c.id === id)) ordered.push({ id, title: id, defs: list });
    return ordered;
  }, [matches, categories]);

  return (
    <aside className="flex shrink-0 flex-col border-r border-slate-800 bg-slate-950" style={{ width }} data-testid="palette">
      <div className="relative flex items-center gap-1 p-2">
        <Search className="pointer-events-none absolute left-4 top-4.5 h-4 w-4 text-slate-500" />
        <Input className="h-8 pl-8 text-xs" placeholder="Search nodes" value={query} onChange={(e) => setQuery(e.target.value)} aria-label="Search nodes" />
        <Button
          size="icon"
          variant="ghost"
          className="h-8 w-8 shrink-0"
          onClick={onCollapse}
          title="Hide the palette (Ctrl+B)"
          aria-label="Hide the palette"
          data-testid="palette-collapse"
        >
          <PanelLeftClose />
        </Button>
      </div>
      <div className="flex-1 overflow-y-auto px-2 pb-4">
        {defs.length === 0 && <p className="p-2 text-xs text-slate-500">Loading nodes…</p>}
        {groups.map((group) => (
          <section key={group.id} className="mb-3">
            <h3 className="px-1 pb-1 text-xs font-semibold uppercase tracking-wider text-slate-500">{group.title}</h3>
            {group.defs.map((d) => (
              // biome-ignore lint/a11y/noStaticElementInteractions: a drag source for the canvas; double-click is a shortcut for the drop.
              <div
                key={d.type}
                draggable
                onDragStart={(e) => {
                  e.dataTransfer.setData(DRAG_MIME, d.type);
                  e.dataTransfer.effectAllowed = "move";
                }}
                onDoubleClick={() => onAdd(d.type)}
                className="mb-1 flex cursor-grab items-center gap-2 rounded-md border border-slate-800 bg-slate-900 px-2 py-1.5 text-xs text-slate-200 hover:border-sky-600 active:cursor-grabbing"
                title={`${d.description}\n(drag onto the canvas, or double-click to add)`}
                data-testid={`palette-${d.type}`}
              >
                <span className="h-2.5 w-2.5 shrink-0 rounded-sm" style={{ background: categoryColor(d.category) }} />
                <span className="truncate">{d.title}</span>
              </div>
            ))}
          </section>
        ))}
        {defs.length > 0 && <PaletteLibrary query={query} onAdd={onAdd} />}
        {defs.length > 0 && <PaletteGraphs currentGraphId={graphId} query={query} onAdd={onAddGraph} />}
      </div>
    </aside>
  );
}

export const Palette = memo(PaletteImpl);
