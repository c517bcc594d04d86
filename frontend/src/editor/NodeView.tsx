// One node on the canvas. Memoized and subscribed only to its own slice of the store, so a
// change to one node (or a drag) re-renders that node alone, not all 500.

import { Handle, type NodeProps, Position, useStore as useFlowStore, useUpdateNodeInternals } from "@xyflow/react";
import { AlertTriangle, XCircle } from "lucide-react";
import { memo, type ReactNode, useEffect, useMemo, useRef, useState } from "react";
import { useNavigate } from "react-router-dom";

import { categoryColor, typeColor } from "@/lib/colors";
import { catalogueType } from "@/lib/flowTypes";
import { portsOf } from "@/lib/graph";
import { libraryIdOf, libraryOf, pinnedDefOf, pinnedVersionOf, VERSION_PARAM } from "@/lib/library";
import { GRAPH_NODE_TYPE, graphRefOf, missingPorts, signatureKey } from "@/lib/signature";
import type { Diagnostic, ParamDef, PortDef } from "@/lib/types";
import { cn } from "@/lib/utils";
import { editorStore, type FlowNode, usedGraphName, useEditor, wiredInputsOf, wiredOutputsOf } from "@/store/editor";

import { GraphNodeSource, graphAddress } from "./GraphNodeSource";
import { LibraryNodeSource } from "./LibraryNodeSource";
import { hasPinField, PinField } from "./PinField";

/** The diagnostics that name one port or param: the worst severity, and the messages as a tooltip. */
interface Problem {
  severity: "error" | "warning";
  text: string;
}

function problemsByPort(diagnostics: readonly Diagnostic[] | undefined): Map<string, Problem> {
  const out = new Map<string, Problem>();
  for (const d of diagnostics ?? []) {
    // An info names a port to explain it, not to flag it (the node's badge still counts it).
    if (!d.port || d.severity === "info") continue;
    const line = `${d.severity}: ${d.message}`;
    const seen = out.get(d.port);
    const severity = d.severity === "error" || seen?.severity === "error" ? "error" : "warning";
    out.set(d.port, { severity, text: seen ? `${seen.text}\n${line}` : line });
  }
  return out;
}

const problemText = (p: Problem | undefined) => (p?.severity === "error" ? "text-red-400" : p ? "text-amber-300" : undefined);

function PortRow({ port, compact, field, problem }: { port: PortDef; compact: boolean; field?: ReactNode; problem?: Problem }) {
  const isInput = port.direction === "input";
  const exec = port.kind === "exec";
  const color = exec ? undefined : typeColor(port.type);
  return (
    <div
      className={cn("relative flex h-7 items-center px-3", isInput ? "justify-start" : "justify-end")}
      data-port-row={port.id}
      data-problem={problem?.severity}
      title={problem?.text}
    >
      <Handle
        id={port.id}
        type={isInput ? "target" : "source"}
        position={isInput ? Position.Left : Position.Right}
        className={cn("ne-handle", exec ? "ne-handle-exec" : "ne-handle-data")}
        style={exec ? undefined : { background: color }}
        title={exec ? "execution" : `${port.label || port.id}: ${port.type ?? "any"}`}
        data-port={port.id}
        data-kind={port.kind}
      />
      {!compact && (
        <span className={cn("min-w-0 truncate text-xs text-slate-300", problemText(problem))}>
          {port.label}
          {!exec && <span className="ml-1 text-xs text-slate-400">{port.type}</span>}
        </span>
      )}
      {!compact && field}
    </div>
  );
}

function ParamField({ nodeId, param, value }: { nodeId: string; param: ParamDef; value: unknown }) {
  const set = (v: unknown) => editorStore.getState().setParam(nodeId, param.id, v);
  const common =
    "nodrag w-full min-w-0 rounded border border-slate-700 bg-slate-950 px-1.5 py-0.5 text-xs text-slate-100 focus:border-sky-500 focus:outline-none";
  // Numbers are edited as text locally so that "-" or "1." can be typed; valid values are stored.
  const [draft, setDraft] = useState(value === undefined || value === null ? "" : String(value));
  useEffect(() => setDraft(value === undefined || value === null ? "" : String(value)), [value]);

  switch (param.kind) {
    case "bool":
      return (
        <input
          type="checkbox"
          className="nodrag h-3.5 w-3.5 accent-sky-500"
          checked={Boolean(value)}
          onChange={(e) => set(e.target.checked)}
          aria-label={param.label}
        />
      );
    case "select":
      return (
        <select className={common} value={String(value ?? "")} onChange={(e) => set(e.target.value)} aria-label={param.label}>
          {(param.choices ?? []).map((c) => (
            <option key={c.value} value={c.value}>
              {c.label ?? c.value}
            </option>
          ))}
        </select>
      );
    case "int":
    case "number":
      return (
        <input
          className={common}
          inputMode="decimal"
          size={8}
          value={draft}
          aria-label={param.label}
          onChange={(e) => {
            setDraft(e.target.value);
            const n = Number(e.target.value);
            if (e.target.value.trim() !== "" && Number.isFinite(n) && (param.kind !== "int" || Number.isInteger(n))) set(n);
          }}
        />
      );
    case "code":
    case "multiline":
      return (
        <textarea
          className={cn(common, "nowheel min-h-[44px] resize-y", param.kind === "code" && "font-mono")}
          rows={param.kind === "code" ? 4 : 2}
          spellCheck={false}
          value={String(value ?? "")}
          aria-label={param.label}
          onChange={(e) => set(e.target.value)}
        />
      );
    default:
      return (
        <input
          className={common}
          // Sized to its text (the node grows to show a prompt whole, not to a browser default).
          size={Math.min(36, Math.max(8, String(value ?? "").length + 2))}
          value={String(value ?? "")}
          aria-label={param.label}
          onChange={(e) => set(e.target.value)}
        />
      );
  }
}

/** The breakpoint toggle in a statement node's header: a red dot when set, a faint ring on hover. */
function BreakpointDot({ id, on }: { id: string; on: boolean }) {
  return (
    <button
      type="button"
      className={cn("ne-bp nodrag -ml-1 h-3 w-3 shrink-0 rounded-full border", on ? "ne-bp-on border-red-300 bg-red-500" : "border-white/40 bg-transparent")}
      title={on ? "Remove the breakpoint (F9)" : "Add a breakpoint: a debug run stops before this node (F9)"}
      aria-label={on ? "Remove breakpoint" : "Add breakpoint"}
      aria-pressed={on}
      data-testid="breakpoint"
      data-on={on ? "true" : "false"}
      onClick={(e) => {
        e.stopPropagation();
        editorStore.getState().toggleBreakpoint(id);
      }}
    />
  );
}

function NodeViewImpl({ id, type: drawnAs, data, selected }: NodeProps<FlowNode>) {
  const type = catalogueType(drawnAs);
  const def = useEditor((s) => s.catalogue[type]);
  const diagnostics = useEditor((s) => s.diagnosticsByNode[id]);
  const raised = useEditor((s) => s.raisedNodeId === id);
  // The debug run, one primitive per selector: a trace event re-renders only the nodes it changed.
  const breakpoint = useEditor((s) => s.breakpoints[id] === true);
  const runCount = useEditor((s) => s.runCounts[id] ?? 0);
  const running = useEditor((s) => s.currentNodeId === id && s.paused === null);
  const pausedReason = useEditor((s) => (s.paused?.nodeId === id ? s.paused.reason : null));
  const dimmed = useEditor((s) => s.dimmed[id] === true);
  // Someone's shared graph: its fields and breakpoint dot show their values but take no input.
  const readOnly = useEditor((s) => s.readOnly);
  // A string, so that this node re-renders when its own wiring changes, not on every edge edit.
  const wired = useEditor((s) => wiredInputsOf(s.edges, id));
  // Zoomed far out, param forms and port labels are unreadable: skip them (a big graph opens,
  // fitted on screen, with far fewer elements to lay out). The rows keep their height.
  const zoomedOut = useFlowStore((s) => s.transform[2] < 0.45);
  const updateInternals = useUpdateNodeInternals();
  // A graph used as a node: its ports come from the pinned revision's signature, once read.
  const isGraph = type === GRAPH_NODE_TYPE;
  const graphRef = isGraph ? graphRefOf(data.params) : null;
  const signature = useEditor((s) => (graphRef ? s.signatures[signatureKey(graphRef)] : undefined));
  const graphName = useEditor((s) => (graphRef ? usedGraphName(s, graphRef.graphId) : null));
  const gallery = useEditor((s) => (graphRef ? (s.usedGraphs[String(graphRef.graphId)]?.gallery ?? false) : false));
  // One of the user's own nodes: its ports and params come from the version it pins (lib/library.ts).
  const isLibrary = libraryIdOf(type) !== null;
  const library = libraryOf(def);
  const libraryVersion = isLibrary ? pinnedVersionOf(data.params) : null;
  const pinnedDef = library && def ? pinnedDefOf(def, data.params) : undefined;
  const wiredOut = useEditor((s) => (isGraph || isLibrary ? wiredOutputsOf(s.edges, id) : ""));
  const navigate = useNavigate();
  const ports = useMemo(() => {
    const known = portsOf(def, data.params, graphRef && signature ? { [signatureKey(graphRef)]: signature } : undefined);
    // A wired port the pinned version lacks stays drawn (its wire is broken, or the version is loading).
    if (isGraph) return [...known, ...missingPorts(known, wired.split("\n"), wiredOut.split("\n"))];
    if (isLibrary) return [...known, ...missingPorts(known, wired.split("\n"), wiredOut.split("\n"), () => true)];
    return known;
  }, [def, data.params, graphRef, signature, isGraph, isLibrary, wired, wiredOut]);
  const portKey = ports.map((p) => p.id).join("|");
  // Dynamic ports appear and vanish with params: React Flow must re-measure the handles. Not on
  // mount (React Flow measures new nodes itself; 500 extra updates would stall a big graph).
  const mountedKey = useRef(portKey);
  useEffect(() => {
    if (mountedKey.current === portKey) return;
    mountedKey.current = portKey;
    updateInternals(id);
  }, [id, portKey, updateInternals]);

  if (!def && isLibrary) {
    return (
      <div className="ne-node rounded-md border border-slate-700 bg-slate-900 px-3 py-2 text-xs text-slate-300" data-testid="node-lib-loading">
        Reading node <code>{type}</code>…
      </div>
    );
  }
  if (!def) {
    return (
      <div className="ne-node rounded-md border border-red-700 bg-slate-900 px-3 py-2 text-red-300">
        Unknown node type <code>{type}</code>
      </div>
    );
  }
  const inputs = ports.filter((p) => p.direction === "input");
  const statement = inputs.some((p) => p.kind === "exec");
  const outputs = ports.filter((p) => p.direction === "output");
  const errors = diagnostics?.filter((d) => d.severity === "error") ?? [];
  const warnings = diagnostics?.filter((d) => d.severity !== "error") ?? [];
  const rows = Math.max(inputs.length, outputs.length);
  const wiredPorts = new Set(wired.split("\n"));
  const problems = problemsByPort(diagnostics);
  if (isGraph && graphRef && signature) {
    const known = new Set(portsOf(def, data.params, { [signatureKey(graphRef)]: signature }).map((p) => p.id));
    for (const p of ports)
      if (!known.has(p.id))
        problems.set(p.id, { severity: "error", text: `error: version ${graphRef.version} of “${graphName}” has no port “${p.label}”: its wire is broken.` });
  }
  if (library && pinnedDef && libraryVersion !== null) {
    const known = new Set(pinnedDef.ports.map((p) => p.id));
    for (const p of ports)
      if (!known.has(p.id))
        problems.set(p.id, { severity: "error", text: `error: version ${libraryVersion} of “${library.name}” has no port “${p.label}”: its wire is broken.` });
  }
  // A library node's params are its pinned version's `arg:` choices (its version is shown below them).
  const params = isGraph ? [] : library ? (pinnedDef?.params ?? []).filter((p) => p.id !== VERSION_PARAM) : def.params;
  const openSource = (e: React.MouseEvent) => {
    if (!graphRef || (e.target as HTMLElement).closest("input, textarea, select, button")) return;
    e.stopPropagation();
    navigate(graphAddress(graphRef.graphId, gallery));
  };
  const pinField = (p: PortDef) =>
    hasPinField(p) && !wiredPorts.has(p.id) ? <PinField nodeId={id} port={p} value={data.inputs?.[p.id]} problem={problems.get(p.id)?.severity} /> : undefined;

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: double-clicking a graph node opens the graph it uses, a pointer shortcut (its name is also shown on it).
    <div
      onDoubleClick={isGraph ? openSource : undefined}
      className={cn(
        "ne-node min-w-[220px] max-w-[360px] rounded-lg border border-slate-700 bg-slate-900/95 shadow-lg",
        errors.length > 0 && "ne-has-error",
        errors.length === 0 && warnings.length > 0 && "ne-has-warning",
        raised && "ne-raised",
        running && "ne-running",
        pausedReason && (pausedReason === "exception" ? "ne-paused ne-paused-exception" : "ne-paused"),
        dimmed && "ne-dimmed",
      )}
      data-testid={`node-${type}`}
      data-node-id={id}
      data-selected={selected ? "true" : "false"}
      data-running={running ? "true" : undefined}
      data-paused={pausedReason ?? undefined}
      data-dimmed={dimmed ? "true" : undefined}
    >
      {/* A disabled fieldset disables every field and button inside it (a shared graph is read-only). */}
      <fieldset disabled={readOnly} className="contents" data-testid="node-fields">
        <div
          className="flex items-center gap-2 rounded-t-lg px-3 py-1.5 text-[12px] font-semibold text-white"
          style={{ background: categoryColor(def.category) }}
          title={(pinnedDef ?? def).description}
        >
          {statement && <BreakpointDot id={id} on={breakpoint} />}
          <span className="truncate">{data.label || (isGraph && graphName ? graphName : (pinnedDef ?? def).title)}</span>
          {runCount > 0 && (
            <span
              className="ne-run-count ml-auto rounded bg-black/60 px-1 font-mono text-xs font-normal"
              title={`Ran ${runCount} times`}
              data-testid="run-count"
            >
              ×{runCount}
            </span>
          )}
          {raised && (
            <span className="ml-auto rounded bg-red-700 px-1 text-xs" data-testid="node-raised">
              raised
            </span>
          )}
          {(errors.length > 0 || warnings.length > 0) && (
            <span
              className={cn("ml-auto flex items-center gap-0.5 rounded px-1 text-xs", errors.length ? "bg-red-700" : "bg-amber-500 text-[#020617]")}
              title={(diagnostics ?? []).map((d) => `${d.severity}: ${d.message}`).join("\n")}
              data-testid="node-diagnostic"
            >
              {errors.length ? <XCircle className="h-3 w-3" /> : <AlertTriangle className="h-3 w-3" />}
              {errors.length + warnings.length}
            </span>
          )}
        </div>
        {/* Outputs take the width their labels need and inputs, with their fields, the rest: equal
          columns would double the widest input row and push the node to its maximum width. */}
        {rows > 0 && (
          <div className="grid grid-cols-[minmax(0,1fr)_auto] gap-x-2 py-1">
            <div>
              {inputs.map((p) => (
                <PortRow key={p.id} port={p} compact={zoomedOut} field={pinField(p)} problem={problems.get(p.id)} />
              ))}
            </div>
            <div>
              {outputs.map((p) => (
                <PortRow key={p.id} port={p} compact={zoomedOut} problem={problems.get(p.id)} />
              ))}
            </div>
          </div>
        )}
        {params.length > 0 && zoomedOut && <div className="h-3 border-t border-slate-800" />}
        {params.length > 0 && !zoomedOut && (
          <div className="space-y-1 border-t border-slate-800 px-3 py-2">
            {params.map((param) => (
              <label
                key={param.id}
                className={cn("flex gap-2 text-xs text-slate-400", param.kind === "code" || param.kind === "multiline" ? "flex-col" : "items-center")}
                title={problems.get(param.id)?.text}
              >
                <span className={cn("shrink-0", problemText(problems.get(param.id)))}>{param.label}</span>
                <ParamField nodeId={id} param={param} value={data.params[param.id]} />
              </label>
            ))}
          </div>
        )}
        {isGraph && !zoomedOut && <GraphNodeSource nodeId={id} graphRef={graphRef} readOnly={readOnly} />}
        {library && !zoomedOut && <LibraryNodeSource nodeId={id} library={library} version={libraryVersion} readOnly={readOnly} />}
      </fieldset>
    </div>
  );
}

export const NodeView = memo(NodeViewImpl);
