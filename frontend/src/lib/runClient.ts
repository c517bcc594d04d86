// The /ws/run/ client (docs/interfaces.md): one socket per tab, reconnected after a drop with
// backoff. Events update the console store; a run cut off by a drop is marked lost, never left
// "running".

import { consoleStore } from "../store/console";
import { type DebugVariable, editorStore, type TraceDelta } from "../store/editor";
import { outputsTable } from "./runInputs";
import { type ClientMessage, type DisplayData, type ExitInfo, parseServerEvent, type ResumeMode, type RunPayload, type ServerEvent } from "./schemas";
import type { ApiSchemas } from "./types";

/** Why a run ended: the server's enum (ReasonEnum in its OpenAPI schema, the `reason` of an `exit` event). */
export type ExitReason = ApiSchemas["ReasonEnum"];

/** One wording per reason: tsc fails when the server adds or drops one. */
const REASONS: Record<ExitReason, string> = {
  ok: "finished",
  error: "failed with an exception",
  timeout: "stopped: time limit reached",
  cpu_limit: "stopped: CPU time limit reached",
  killed: "killed",
  memory: "stopped: memory limit reached",
  output_limit: "stopped: output limit reached",
  worker_lost: "lost: the worker running it went away",
  pause_limit: "stopped: paused for too long",
  side_channel: "stopped: the sandbox sent a bad frame on its side channel",
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A `trace` event as the store takes it; anything of the wrong shape is left out. */
export function readTrace(event: { counts?: unknown; values?: unknown; current?: unknown }): TraceDelta {
  const delta: TraceDelta = {};
  if (isRecord(event.counts)) {
    const counts: Record<string, number> = {};
    for (const [id, n] of Object.entries(event.counts)) if (typeof n === "number" && Number.isFinite(n)) counts[id] = n;
    delta.counts = counts;
  }
  if (isRecord(event.values)) {
    const values: Record<string, string> = {};
    for (const [id, v] of Object.entries(event.values)) if (typeof v === "string") values[id] = v;
    delta.values = values;
  }
  if (event.current === null || typeof event.current === "string") delta.current = event.current;
  return delta;
}

/** The variables of a `paused` event; entries of the wrong shape are left out. */
export function readVariables(raw: unknown): DebugVariable[] {
  if (!Array.isArray(raw)) return [];
  const out: DebugVariable[] = [];
  for (const v of raw) {
    if (!isRecord(v) || typeof v.name !== "string") continue;
    out.push({
      name: v.name,
      type: typeof v.type === "string" ? v.type : "",
      repr: typeof v.repr === "string" ? v.repr : "",
      scope: v.scope === "local" ? "local" : "global",
    });
  }
  return out;
}

/** The last line the run wrote to stderr (a traceback ends with the exception), if any. */
function lastErrorLine(): string | null {
  const lines = consoleStore.getState().lines;
  for (let i = lines.length - 1; i >= 0 && i >= lines.length - 500; i--) {
    const line = lines[i];
    if (!line || line.stream === "info") break; // the run's first line: nothing before it is this run's
    if (line.stream === "stderr" && line.text.trim()) return line.text.trim();
  }
  return null;
}

/** A run is on its way or going (the Run button turns into Stop). */
export const isActive = (phase: string): boolean => phase === "running" || phase === "queued" || phase === "sending";

// Read by any string: an event may name a reason this build does not know yet (shown as it is).
const REASON_TEXT: Readonly<Record<string, string>> = REASONS;

export function describeReason(reason: string): string {
  return REASON_TEXT[reason] ?? reason;
}

class RunClient {
  private socket: WebSocket | null = null;
  private outbox: string[] = [];
  private attempts = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private wanted = false;
  private everOpened = false;
  /** The nodes of the debug run in flight: breakpoints are sent for these only. */
  private runNodes: Set<string> | null = null;
  /** Breakpoints changed before the server named the run: sent once it does. */
  private breakpointsPending = false;
  /** Refs of runs replaced by a new one before the server named them: killed once it does. */
  private abandoned = new Set<string>();

  start(): void {
    this.wanted = true;
    if (!this.socket) this.open();
  }

  stop(): void {
    this.wanted = false;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.socket?.close();
    this.socket = null;
  }

  private open(): void {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/run/`);
    this.socket = socket;
    consoleStore.getState().patch({ connection: this.everOpened ? "reconnecting" : "connecting" });
    socket.onopen = () => {
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.attempts = 0;
      consoleStore.getState().patch({ connection: "open", connectionNote: reconnected ? "Reconnected to the run server." : null });
      for (const message of this.outbox.splice(0)) socket.send(message);
    };
    socket.onmessage = (event) => {
      // A frame that is not a known event (schemas.ts) is ignored rather than breaking the console.
      const parsed = parseServerEvent(String(event.data));
      if (parsed) this.handle(parsed);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      const c = consoleStore.getState();
      if (c.phase === "queued" || c.phase === "running" || c.phase === "sending") {
        c.info("Connection lost: this run's outcome is unknown (the server stops runs whose socket closes).");
        c.patch({ phase: "lost", startedAt: null });
        editorStore.getState().endRun(false);
      }
      if (!this.wanted) {
        c.patch({ connection: "closed" });
        return;
      }
      const delay = Math.min(5000, 300 * 2 ** this.attempts);
      this.attempts += 1;
      c.patch({ connection: "reconnecting", connectionNote: `Connection lost, reconnecting in ${Math.round(delay / 100) / 10} s…` });
      this.reconnectTimer = setTimeout(() => this.open(), delay);
    };
  }

  private send(message: ClientMessage): void {
    const text = JSON.stringify(message);
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(text);
    else {
      this.outbox.push(text);
      this.start();
    }
  }

  /**
   * Runs a graph, edited code, or a stored graph by id (someone's shared graph: a link's
   * `share_token` proves access); `debug` (a graph document only) makes it an instrumented debug run.
   */
  run(payload: RunPayload, debug?: { breakpoints: string[] }, inputs?: Record<string, unknown>): void {
    const c = consoleStore.getState();
    // The run in flight is replaced, quietly: its end (a kill) is not this run's to report.
    if (c.phase === "running" || c.phase === "queued") this.kill();
    else if (c.phase === "sending" && c.ref) this.abandoned.add(c.ref);
    const ref = `r${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const traced = Boolean(debug) && "graph" in payload;
    editorStore.getState().setRaisedNode(null);
    editorStore.getState().startRun(traced);
    this.runNodes = traced && "graph" in payload ? new Set(payload.graph.nodes.map((n) => n.id)) : null;
    this.breakpointsPending = false;
    if (c.lines.length) c.info("");
    c.info("code" in payload ? "▶ Running the edited code…" : traced ? "▶ Debugging the graph…" : "▶ Running the graph…");
    c.patch({ phase: "sending", ref, runId: null, position: null, exit: null, errorMessage: null, badInputs: null, startedAt: null });
    this.send({ type: "run", ref, ...payload, ...(traced && debug ? { debug: { breakpoints: debug.breakpoints } } : {}), ...(inputs ? { inputs } : {}) });
  }

  kill(): void {
    const { runId } = consoleStore.getState();
    if (runId) this.send({ type: "kill", run_id: runId });
  }

  /** Continues a paused debug run, to the next breakpoint or (step) to the next node. */
  resume(mode: ResumeMode): void {
    const { runId } = consoleStore.getState();
    const e = editorStore.getState();
    if (!runId || !e.paused) return;
    this.send({ type: "resume", run_id: runId, mode });
    e.resumed();
  }

  /** Tells the debug run in flight the breakpoints now set (they may change while it runs). */
  syncBreakpoints(): void {
    const e = editorStore.getState();
    if (!e.debugging || !this.runNodes) return;
    const { runId } = consoleStore.getState();
    if (!runId) {
      this.breakpointsPending = true;
      return;
    }
    this.breakpointsPending = false;
    const nodes = this.runNodes;
    this.send({ type: "breakpoints", run_id: runId, nodes: e.activeBreakpoints().filter((id) => nodes.has(id)) });
  }

  sendInput(text: string): void {
    const { runId, phase } = consoleStore.getState();
    if (!runId || phase !== "running") return;
    this.send({ type: "stdin", run_id: runId, data: `${text}\n` });
    consoleStore.getState().echoInput(text);
  }

  sendEof(): void {
    const { runId } = consoleStore.getState();
    if (runId) this.send({ type: "stdin_eof", run_id: runId });
  }

  private isMine(runId: string | undefined, ref: string | undefined): boolean {
    const c = consoleStore.getState();
    if (ref && ref === c.ref) return true;
    return Boolean(runId && runId === c.runId);
  }

  private handle(event: ServerEvent): void {
    const c = consoleStore.getState();
    switch (event.type) {
      case "queued":
        if (event.ref && this.abandoned.delete(event.ref)) {
          this.send({ type: "kill", run_id: event.run_id });
          return;
        }
        if (!this.isMine(event.run_id, event.ref ?? undefined)) return;
        c.patch({ runId: event.run_id, phase: c.phase === "running" ? "running" : "queued", position: event.position });
        if (this.breakpointsPending) this.syncBreakpoints();
        return;
      case "started":
        if (!this.isMine(event.run_id, undefined)) return;
        c.patch({ phase: "running", position: null, startedAt: Date.now() });
        return;
      case "stdout":
      case "stderr":
        if (!this.isMine(event.run_id, undefined)) return;
        bufferOutput([event.type, event.data]);
        return;
      case "display":
        if (!this.isMine(event.run_id, undefined)) return;
        // In the same queue as the text: a picture lands between the lines it came between.
        bufferOutput(["display", event.mime === "table" ? { mime: "table", data: event.data } : { mime: "image/png", data: event.data }, event.node_id]);
        return;
      case "exit": {
        if (!this.isMine(event.run_id, undefined)) return;
        flushOutput();
        const exit: ExitInfo = {
          exit_code: event.exit_code,
          reason: event.reason,
          duration_ms: event.duration_ms,
          node_id: event.node_id,
          message: event.message,
        };
        c.patch({ phase: "finished", exit, startedAt: null, position: null });
        this.runNodes = null;
        editorStore.getState().endRun(true);
        if (event.node_id) editorStore.getState().setRaisedNode(event.node_id, lastErrorLine() ?? (event.message || describeReason(event.reason)));
        return;
      }
      case "result":
        if (!this.isMine(event.run_id, undefined)) return;
        // After all output and before `exit`: the table lands after what the run printed.
        flushOutput();
        if (Object.keys(event.outputs).length) c.display({ mime: "table", data: outputsTable(event.outputs) }, null, "Outputs");
        for (const warning of event.output_warnings) c.info(`⚠ ${warning}`);
        return;
      case "trace":
        if (!this.isMine(event.run_id, undefined)) return;
        editorStore.getState().applyTrace(readTrace(event));
        return;
      case "paused": {
        if (!this.isMine(event.run_id, undefined) || typeof event.node_id !== "string") return;
        // What the script printed before it stopped shows before the pause does.
        flushOutput();
        const reason = typeof event.reason === "string" ? event.reason : "breakpoint";
        editorStore.getState().setPaused({ nodeId: event.node_id, reason }, readVariables(event.variables));
        return;
      }
      case "error": {
        if (event.run_id || event.ref ? !this.isMine(event.run_id ?? undefined, event.ref ?? undefined) : c.phase !== "sending") return;
        flushOutput();
        // The message often quotes the first diagnostic: each sentence is printed once.
        const details = (event.diagnostics ?? [])
          .filter((d) => d.severity === "error" && !event.message.includes(d.message))
          .map((d) => `  • ${d.message}`)
          .join("\n");
        c.info(`✖ ${event.message}${details ? `\n${details}` : ""}`);
        c.patch({
          phase: "refused",
          errorMessage: event.message,
          badInputs: event.code === "bad_inputs" ? (event.errors?.inputs ?? [event.message]) : null,
          startedAt: null,
          position: null,
        });
        this.runNodes = null;
        editorStore.getState().endRun(false);
        return;
      }
    }
  }
}

// Output arrives in many small frames; apply them once per animation frame so that a chatty
// script costs one render per frame, not one per frame received.
type Pending = ["stdout" | "stderr", string] | ["display", DisplayData, string | null, string?];
let pending: Pending[] = [];
let scheduled = false;

function flushOutput(): void {
  scheduled = false;
  const batch = pending;
  pending = [];
  const c = consoleStore.getState();
  for (const item of batch) {
    if (item[0] === "display") c.display(item[1], item[2], item[3]);
    else c.append(item[0], item[1]);
  }
}

function bufferOutput(item: Pending): void {
  pending.push(item);
  if (!scheduled) {
    scheduled = true;
    requestAnimationFrame(flushOutput);
  }
}

export const runClient = new RunClient();

// Breakpoints toggled during a debug run reach it at once.
editorStore.subscribe((state, previous) => {
  if (state.breakpoints !== previous.breakpoints) runClient.syncBreakpoints();
});
