// The palette's "My graphs" and "Gallery graphs" sections: graphs that can be used as a `graph`
// node. Each list is read when its section is first opened (one request: the server filters
// the user's graphs by signature, GET /api/graphs/?has_signature=true), never per graph.

import { Workflow } from "lucide-react";
import { useState } from "react";

import { errorText } from "@/lib/api";
import { listFunctionGraphs, listGalleryGraphs } from "@/lib/graphFunctions";
import { useSession } from "@/store/session";

import { GRAPH_DRAG_MIME, type GraphDrag, writeGraphDrag } from "./graphDrag";

interface Row {
  id: number;
  name: string;
  hint: string;
  gallery: boolean;
}

type Listing = { state: "idle" } | { state: "loading" } | { state: "error"; message: string } | { state: "ready"; rows: Row[] };

/** A list read once, the first time it is wanted. */
function useLazyList(load: () => Promise<Row[]>): [Listing, () => void] {
  const [listing, setListing] = useState<Listing>({ state: "idle" });
  const want = () => {
    if (listing.state === "loading" || listing.state === "ready") return;
    setListing({ state: "loading" });
    load().then(
      (rows) => setListing({ state: "ready", rows }),
      (err: unknown) => setListing({ state: "error", message: errorText(err) }),
    );
  };
  return [listing, want];
}

function GraphItem({ row, onAdd }: { row: Row; onAdd: (drag: GraphDrag) => void }) {
  const drag: GraphDrag = { graphId: row.id, gallery: row.gallery };
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a drag source for the canvas; double-click is a shortcut for the drop.
    <div
      draggable
      onDragStart={(e) => {
        e.dataTransfer.setData(GRAPH_DRAG_MIME, writeGraphDrag(drag));
        e.dataTransfer.effectAllowed = "move";
      }}
      onDoubleClick={() => onAdd(drag)}
      className="mb-1 flex cursor-grab items-center gap-2 rounded-md border border-slate-800 bg-slate-900 px-2 py-1.5 text-xs text-slate-200 hover:border-sky-600 active:cursor-grabbing"
      title={`${row.hint}\n(drag onto the canvas, or double-click to add: a Graph node pinned to its latest version)`}
      data-testid={`palette-graph-${row.id}`}
    >
      <Workflow className="h-3 w-3 shrink-0 text-violet-300" />
      <span className="truncate">{row.name}</span>
    </div>
  );
}

function Section({
  title,
  testId,
  listing,
  onOpen,
  onAdd,
  query,
  empty,
}: {
  title: string;
  testId: string;
  listing: Listing;
  onOpen: () => void;
  onAdd: (drag: GraphDrag) => void;
  query: string;
  empty: string;
}) {
  const q = query.trim().toLowerCase();
  const rows = listing.state === "ready" ? listing.rows.filter((r) => !q || r.name.toLowerCase().includes(q)) : [];
  return (
    <details
      className="mb-3"
      data-testid={testId}
      onToggle={(e) => {
        if (e.currentTarget.open) onOpen();
      }}
    >
      <summary className="cursor-pointer px-1 pb-1 text-xs font-semibold uppercase tracking-wider text-slate-400 hover:text-slate-200">{title}</summary>
      {listing.state === "loading" && <p className="p-1 text-xs text-slate-500">Loading…</p>}
      {listing.state === "error" && (
        <p className="p-1 text-xs text-red-300" role="alert">
          {listing.message}
        </p>
      )}
      {listing.state === "ready" && rows.length === 0 && <p className="p-1 text-xs text-slate-500">{empty}</p>}
      {rows.map((row) => (
        <GraphItem key={`${row.gallery}:${row.id}`} row={row} onAdd={onAdd} />
      ))}
    </details>
  );
}

export function PaletteGraphs({ currentGraphId, query, onAdd }: { currentGraphId?: number; query: string; onAdd: (drag: GraphDrag) => void }) {
  const username = useSession((st) => st.me?.username ?? null);
  const [mine, wantMine] = useLazyList(async () =>
    (await listFunctionGraphs())
      .filter((g) => g.id !== currentGraphId) // a graph used inside itself is an error
      .map((g) => ({ id: g.id, name: g.name, hint: g.description || `${g.name}, version ${g.version}`, gallery: false })),
  );
  const [gallery, wantGallery] = useLazyList(async () =>
    (await listGalleryGraphs())
      // One's own published graphs are in "My graphs".
      .filter((g) => g.owner !== username && g.id !== currentGraphId)
      .map((g) => ({ id: g.id, name: g.title, hint: `${g.title} by ${g.owner}${g.description ? `\n${g.description}` : ""}`, gallery: true })),
  );
  return (
    <>
      <Section
        title="My graphs"
        testId="palette-my-graphs"
        listing={mine}
        onOpen={wantMine}
        onAdd={onAdd}
        query={query}
        empty="None of your graphs has a Graph input or output yet."
      />
      <Section
        title="Gallery graphs"
        testId="palette-gallery-graphs"
        listing={gallery}
        onOpen={wantGallery}
        onAdd={onAdd}
        query={query}
        empty="No graphs in the gallery."
      />
    </>
  );
}
