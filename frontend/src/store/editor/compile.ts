// The compile slice: the latest compile result, indexed by node for the canvas, and the
// exception of the last run: together, what the Problems list shows.

import type { CompileResult, Diagnostic } from "../../lib/types";
import type { EditorSlice } from "./types";

export interface CompileState {
  compile: CompileResult | null;
  compileError: string | null;
  diagnosticsByNode: Record<string, Diagnostic[]>;
  linesByNode: Record<string, number[]>;
  /** The node whose Python raised in the last run (exit.node_id). */
  raisedNodeId: string | null;
  /** The exception of the last run, as the Problems list shows it (with a link to the node). */
  runtimeError: string | null;
}

export interface CompileActions {
  setCompile(result: CompileResult | null, error?: string | null): void;
  setRaisedNode(id: string | null, message?: string | null): void;
}

function indexDiagnostics(result: CompileResult | null): Pick<CompileState, "diagnosticsByNode" | "linesByNode"> {
  const diagnosticsByNode: Record<string, Diagnostic[]> = {};
  const linesByNode: Record<string, number[]> = {};
  if (result) {
    // biome-ignore lint/suspicious/noAssignInExpressions: `(map[key] ??= []).push(value)` groups by key.
    for (const d of result.diagnostics) if (d.node_id) (diagnosticsByNode[d.node_id] ??= []).push(d);
    // biome-ignore lint/suspicious/noAssignInExpressions: as above.
    for (const [line, nodeId] of Object.entries(result.source_map)) (linesByNode[nodeId] ??= []).push(Number(line));
  }
  return { diagnosticsByNode, linesByNode };
}

export const createCompileSlice: EditorSlice<CompileState & CompileActions> = (set) => ({
  compile: null,
  compileError: null,
  diagnosticsByNode: {},
  linesByNode: {},
  raisedNodeId: null,
  runtimeError: null,

  setCompile(result, error = null) {
    set({ compile: result, compileError: error, ...indexDiagnostics(result) });
  },

  setRaisedNode(id, message = null) {
    set({ raisedNodeId: id, runtimeError: id ? message : null });
  },
});
