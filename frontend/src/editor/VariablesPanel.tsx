// The variables of a paused debug run, beside the console: the script's globals and, inside a
// function, its locals (name, type, short repr; the whole repr on hover). Shown while a debug run
// is in flight or has shown variables; greyed while the run goes on after a pause.

import { Braces } from "lucide-react";

import { cn } from "@/lib/utils";
import { type DebugVariable, useEditor } from "@/store/editor";

const REPR_CHARS = 80;

function VariableRows({ title, rows }: { title: string; rows: DebugVariable[] }) {
  if (rows.length === 0) return null;
  return (
    <div data-testid={`variables-${title.toLowerCase()}`}>
      <div className="sticky top-0 bg-slate-900 px-2 py-0.5 text-xs font-semibold uppercase tracking-wide text-slate-400">{title}</div>
      <table className="w-full table-fixed">
        <tbody>
          {rows.map((v) => (
            <tr key={`${v.scope}:${v.name}`} className="border-b border-slate-900 align-top" data-testid="variable" data-name={v.name} data-scope={v.scope}>
              <td className="w-[32%] truncate px-2 text-sky-300" title={v.name}>
                {v.name}
              </td>
              <td className="w-[18%] truncate pr-2 text-slate-500" title={v.type}>
                {v.type}
              </td>
              <td className="truncate pr-2 text-slate-100" title={v.repr} data-testid="variable-repr">
                {v.repr.length > REPR_CHARS ? `${v.repr.slice(0, REPR_CHARS - 1)}…` : v.repr}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function VariablesPanel() {
  const debugging = useEditor((s) => s.debugging);
  const variables = useEditor((s) => s.variables);
  const paused = useEditor((s) => s.paused !== null);
  const exception = useEditor((s) => s.paused?.reason === "exception");
  if (!debugging && variables.length === 0) return null;
  const locals = variables.filter((v) => v.scope === "local");
  const globals = variables.filter((v) => v.scope !== "local");
  return (
    <div
      className={cn("flex w-[380px] shrink-0 flex-col border-l border-slate-800 bg-slate-950", exception && "border-l-red-700")}
      data-testid="variables-panel"
      data-paused={paused ? "true" : "false"}
    >
      <div className={cn("flex h-7 shrink-0 items-center gap-1.5 border-b border-slate-800 px-2 text-xs", exception ? "text-red-300" : "text-slate-300")}>
        <Braces className="h-3.5 w-3.5" />
        <span className="font-medium">Variables</span>
        <span className="ml-auto text-xs text-slate-500">
          {paused ? (exception ? "at the exception" : "paused") : debugging ? "running…" : "at the last pause"}
        </span>
      </div>
      <div className={cn("ne-console min-h-0 flex-1 overflow-auto text-[12px]", !paused && "opacity-50")}>
        {variables.length === 0 ? (
          <p className="px-2 py-1 text-slate-500">{paused ? "No variables yet." : "They show when the run pauses: a breakpoint (F9) or a step."}</p>
        ) : (
          <>
            <VariableRows title="Locals" rows={locals} />
            <VariableRows title="Globals" rows={globals} />
          </>
        )}
      </div>
    </div>
  );
}
