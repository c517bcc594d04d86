// The quick-add search that opens on a canvas double-click or when a wire is dropped on empty canvas.

import { useEffect, useMemo, useRef, useState } from "react";
import { categoryColor } from "@/lib/colors";
import { portsOf, typesCompatible } from "@/lib/graph";
import type { NodeTypeDef } from "@/lib/types";
import { editorStore, type PendingWire, useEditor } from "@/store/editor";
import { searchNodeTypes } from "./search";

export interface QuickAddRequest {
  screen: { x: number; y: number };
  flow: { x: number; y: number };
  wire: PendingWire | null;
}

/** Whether a node type has a port the pending wire could join. */
function fitsWire(def: NodeTypeDef, wire: PendingWire | null): boolean {
  if (!wire) return true;
  const s = editorStore.getState();
  const node = s.nodes.find((n) => n.id === wire.nodeId);
  const fromDef = node?.type ? s.catalogue[node.type] : undefined;
  const from = node && portsOf(fromDef, node.data.params).find((p) => p.id === wire.handleId);
  if (!from) return true;
  const want = from.direction === "output" ? "input" : "output";
  return portsOf(def, {}).some(
    (p) =>
      p.direction === want &&
      p.kind === from.kind &&
      (p.kind === "exec" ||
        (want === "input" ? typesCompatible(from.type, p.type, s.typeCompatibility) : typesCompatible(p.type, from.type, s.typeCompatibility))),
  );
}

export function QuickAdd({ request, onPick, onClose }: { request: QuickAddRequest; onPick: (type: string) => void; onClose: () => void }) {
  const catalogue = useEditor((s) => s.catalogue);
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const matches = useMemo(
    () =>
      searchNodeTypes(Object.values(catalogue), query)
        .filter((d) => fitsWire(d, request.wire))
        .slice(0, 12),
    [catalogue, query, request.wire],
  );
  useEffect(() => input.current?.focus(), []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new query moves the highlight back to the first match.
  useEffect(() => setActive(0), [query]);

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a click outside the popup closes it (Escape in its input does too).
    <div className="fixed inset-0 z-40" onMouseDown={onClose}>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: keeps a click inside the popup from reaching the backdrop. */}
      <div
        className="absolute w-64 overflow-hidden rounded-lg border border-slate-700 bg-slate-900 shadow-2xl"
        style={{ left: Math.min(request.screen.x, window.innerWidth - 270), top: Math.min(request.screen.y, window.innerHeight - 360) }}
        onMouseDown={(e) => e.stopPropagation()}
        data-testid="quick-add"
      >
        <input
          ref={input}
          className="w-full border-b border-slate-700 bg-slate-950 px-3 py-2 text-sm text-slate-100 outline-none"
          placeholder={request.wire ? "Add a node joined to the wire…" : "Add a node…"}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Escape") onClose();
            else if (e.key === "ArrowDown") setActive((a) => Math.min(a + 1, matches.length - 1));
            else if (e.key === "ArrowUp") setActive((a) => Math.max(a - 1, 0));
            else if (e.key === "Enter" && matches[active]) onPick(matches[active].type);
          }}
        />
        <ul className="max-h-72 overflow-y-auto py-1">
          {matches.length === 0 && <li className="px-3 py-2 text-xs text-slate-500">No matching node.</li>}
          {matches.map((d, i) => (
            <li key={d.type}>
              <button
                type="button"
                className={`flex w-full items-center gap-2 px-3 py-1.5 text-left text-xs ${i === active ? "bg-sky-900/60 text-white" : "text-slate-200 hover:bg-slate-800"}`}
                onMouseEnter={() => setActive(i)}
                onClick={() => onPick(d.type)}
              >
                <span className="h-2.5 w-2.5 rounded-sm" style={{ background: categoryColor(d.category) }} />
                <span className="flex-1 truncate">{d.title}</span>
                <span className="text-xs text-slate-500">{d.category}</span>
              </button>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
