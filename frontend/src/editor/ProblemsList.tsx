import { AlertTriangle, Info, XCircle } from "lucide-react";

import type { Diagnostic } from "@/lib/types";
import { useEditor } from "@/store/editor";

const NONE: Diagnostic[] = [];

export function ProblemsList({ onFocusNode }: { onFocusNode: (id: string) => void }) {
  const diagnostics = useEditor((s) => s.compile?.diagnostics ?? NONE);
  const catalogue = useEditor((s) => s.catalogue);
  const nodes = useEditor((s) => s.nodes);
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  return (
    <div className="flex h-40 shrink-0 flex-col border-t border-slate-800" data-testid="problems">
      <div className="flex h-8 shrink-0 items-center gap-2 px-2 text-xs text-slate-400">
        <span className="font-medium text-slate-300">Problems</span>
        <span className={errors ? "text-red-400" : "text-slate-500"}>{errors} error{errors === 1 ? "" : "s"}</span>
        <span className="text-slate-500">{diagnostics.length - errors} other</span>
      </div>
      <ul className="flex-1 overflow-y-auto text-xs">
        {diagnostics.length === 0 && <li className="px-3 py-1 text-slate-500">No problems.</li>}
        {diagnostics.map((d, i) => {
          const node = d.node_id ? nodes.find((n) => n.id === d.node_id) : undefined;
          const title = node?.type ? (catalogue[node.type]?.title ?? node.type) : null;
          return (
            <li key={i}>
              <button
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
