import { AlertTriangle, Info, XCircle } from "lucide-react";
import { useShallow } from "zustand/react/shallow";

import type { Diagnostic } from "@/lib/types";
import { useEditor } from "@/store/editor";

const NONE: Diagnostic[] = [];
const NO_BROKEN: string[] = [];

/** The broken wires (store/editor/functions.ts) as [message, node id of the graph node, ...], flat so a shallow compare holds. */
function useBrokenWires(): string[] {
  return useEditor(
    useShallow((s) => {
      const ids = Object.keys(s.brokenWires);
      if (ids.length === 0) return NO_BROKEN;
      // One entry per message and node: wires fanning out of one lost output say the same.
      const seen = new Set<string>();
      return s.edges.flatMap((e) => {
        const message = s.brokenWires[e.id];
        if (!message) return [];
        const onGraph = s.nodes.find((n) => n.id === e.target && n.type === "graph") ? e.target : e.source;
        if (seen.has(`${onGraph}:${message}`)) return [];
        seen.add(`${onGraph}:${message}`);
        return [message, onGraph];
      });
    }),
  );
}
const NO_TITLES: (string | null)[] = [];

export function ProblemsList({ onFocusNode }: { onFocusNode: (id: string) => void }) {
  const diagnostics = useEditor((s) => s.compile?.diagnostics ?? NONE);
  // The exception of the last run, above the compiler's diagnostics, with a link to its node.
  const raisedId = useEditor((s) => s.raisedNodeId);
  const runtimeError = useEditor((s) => s.runtimeError);
  const raisedTitle = useEditor((s) => {
    const type = s.nodes.find((n) => n.id === raisedId)?.type;
    return type ? (s.catalogue[type]?.title ?? type) : null;
  });
  // The title of each diagnostic's node, not the nodes themselves: dragging a node changes the
  // node list on every frame and must not re-render this list.
  const titles = useEditor(
    useShallow((s) => {
      if (diagnostics.length === 0) return NO_TITLES;
      const typeOf = new Map(s.nodes.map((n) => [n.id, n.type]));
      return diagnostics.map((d) => {
        const type = d.node_id ? typeOf.get(d.node_id) : undefined;
        return type ? (s.catalogue[type]?.title ?? type) : null;
      });
    }),
  );
  const broken = useBrokenWires();
  const errors = diagnostics.filter((d) => d.severity === "error").length + (raisedId ? 1 : 0) + broken.length / 2;
  return (
    <div className="flex h-40 shrink-0 flex-col border-t border-slate-800" data-testid="problems">
      <div className="flex h-8 shrink-0 items-center gap-2 px-2 text-xs text-slate-400">
        <span className="font-medium text-slate-300">Problems</span>
        <span className={errors ? "text-red-400" : "text-slate-500"}>
          {errors} error{errors === 1 ? "" : "s"}
        </span>
        <span className="text-slate-500">{diagnostics.length + (raisedId ? 1 : 0) + broken.length / 2 - errors} other</span>
      </div>
      <ul className="flex-1 overflow-y-auto text-xs">
        {raisedId && (
          <li data-testid="runtime-problem">
            <button type="button" className="flex w-full items-start gap-2 px-3 py-1 text-left hover:bg-slate-800" onClick={() => onFocusNode(raisedId)}>
              <XCircle className="mt-0.5 h-3.5 w-3.5 shrink-0 text-red-400" />
              <span className="text-slate-200">
                <span className="mr-1 text-red-300">Run failed{raisedTitle ? ` in ${raisedTitle}` : ""}:</span>
                {runtimeError ?? "the script raised an exception"}
                <span className="ml-1 text-sky-400 underline">show node</span>
              </span>
            </button>
          </li>
        )}
        {broken.map((message, i) =>
          i % 2 === 0 ? (
            <li key={`${broken[i + 1]}:${message}`} data-testid="broken-wire-problem">
              <button
                type="button"
                className="flex w-full items-start gap-2 px-3 py-1 text-left hover:bg-slate-800"
                onClick={() => onFocusNode(broken[i + 1] ?? "")}
              >
                <XCircle className="mt-0.5 h-3.5 w-3.5 shrink-0 text-red-400" />
                <span className="text-slate-200">{message}</span>
              </button>
            </li>
          ) : null,
        )}
        {diagnostics.length === 0 && !raisedId && broken.length === 0 && <li className="px-3 py-1 text-slate-500">No problems.</li>}
        {diagnostics.map((d, i) => {
          const title = titles[i];
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: diagnostics have no id; the list is replaced as a whole on each compile.
            <li key={i}>
              <button
                type="button"
                className="flex w-full items-start gap-2 px-3 py-1 text-left hover:bg-slate-800 disabled:cursor-default"
                disabled={!d.node_id}
                onClick={() => d.node_id && onFocusNode(d.node_id)}
              >
                {d.severity === "error" ? (
                  <XCircle className="mt-0.5 h-3.5 w-3.5 shrink-0 text-red-400" />
                ) : d.severity === "warning" ? (
                  <AlertTriangle className="mt-0.5 h-3.5 w-3.5 shrink-0 text-amber-400" />
                ) : (
                  <Info className="mt-0.5 h-3.5 w-3.5 shrink-0 text-sky-400" />
                )}
                <span className="text-slate-200">
                  {title && <span className="mr-1 text-slate-400">{title}:</span>}
                  {d.message}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
