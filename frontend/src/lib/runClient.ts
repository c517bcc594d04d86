// The /ws/run/ client (docs/interfaces.md): one socket per tab, reconnected after a drop with
// backoff. Events update the console store; a run cut off by a drop is marked lost, never left
// "running".

import { consoleStore, type ExitInfo } from "../store/console";
import { editorStore } from "../store/editor";
import type { Diagnostic, GraphDocument } from "./types";

type ServerEvent =
  | { type: "queued"; run_id: string; ref?: string; position: number }
  | { type: "started"; run_id: string }
  | { type: "stdout" | "stderr"; run_id: string; data: string }
  | ({ type: "exit"; run_id: string } & ExitInfo)
  | { type: "error"; run_id?: string; ref?: string; code: string; message: string; diagnostics?: Diagnostic[] };

const REASONS: Record<string, string> = {
  ok: "finished",
  error: "failed with an exception",
  timeout: "stopped: time limit reached",
  cpu_limit: "stopped: CPU time limit reached",
  killed: "killed",
  memory: "stopped: memory limit reached",
  output_limit: "stopped: output limit reached",
  worker_lost: "lost: the worker running it went away",
};

export function describeReason(reason: string): string {
  return REASONS[reason] ?? reason;
}

class RunClient {
  private socket: WebSocket | null = null;
  private outbox: string[] = [];
  private attempts = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private wanted = false;
  private everOpened = false;

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
      try {
        this.handle(JSON.parse(String(event.data)) as ServerEvent);
      } catch {
        // A frame we cannot read is ignored rather than breaking the console.
      }
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      const c = consoleStore.getState();
      if (c.phase === "queued" || c.phase === "running" || c.phase === "sending") {
        c.info("Connection lost: this run's outcome is unknown (the server stops runs whose socket closes).");
        c.patch({ phase: "lost", startedAt: null });
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

  private send(message: Record<string, unknown>): void {
    const text = JSON.stringify(message);
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(text);
    else {
      this.outbox.push(text);
      this.start();
    }
  }

  run(payload: { graph: GraphDocument } | { code: string }): void {
    const c = consoleStore.getState();
    if (c.phase === "running" || c.phase === "queued") this.kill();
    const ref = `r${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    editorStore.getState().setRaisedNode(null);
    if (c.lines.length) c.info("");
    c.info("code" in payload ? "▶ Running the edited code…" : "▶ Running the graph…");
    c.patch({ phase: "sending", ref, runId: null, position: null, exit: null, errorMessage: null, startedAt: null });
    this.send({ type: "run", ref, ...payload });
  }

  kill(): void {
    const { runId } = consoleStore.getState();
    if (runId) this.send({ type: "kill", run_id: runId });
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
        if (!this.isMine(event.run_id, event.ref)) return;
        c.patch({ runId: event.run_id, phase: c.phase === "running" ? "running" : "queued", position: event.position });
        return;
      case "started":
        if (!this.isMine(event.run_id, undefined)) return;
        c.patch({ phase: "running", position: null, startedAt: Date.now() });
        return;
      case "stdout":
      case "stderr":
        if (!this.isMine(event.run_id, undefined)) return;
        bufferOutput(event.type, event.data);
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
        if (event.node_id) editorStore.getState().setRaisedNode(event.node_id);
        return;
      }
      case "error": {
        if (event.run_id || event.ref ? !this.isMine(event.run_id, event.ref) : c.phase !== "sending") return;
        flushOutput();
        const details = (event.diagnostics ?? [])
          .filter((d) => d.severity === "error")
          .map((d) => `  • ${d.message}`)
          .join("\n");
        c.info(`✖ ${event.message}${details ? `\n${details}` : ""}`);
        c.patch({ phase: "refused", errorMessage: event.message, startedAt: null, position: null });
        return;
      }
    }
  }
}

// Output arrives in many small frames; apply them once per animation frame so that a chatty
// script costs one render per frame, not one per frame received.
let pending: Array<["stdout" | "stderr", string]> = [];
let scheduled = false;

function flushOutput(): void {
  scheduled = false;
  const batch = pending;
  pending = [];
  const c = consoleStore.getState();
  for (const [stream, data] of batch) c.append(stream, data);
}

function bufferOutput(stream: "stdout" | "stderr", data: string): void {
  pending.push([stream, data]);
  if (!scheduled) {
    scheduled = true;
    requestAnimationFrame(flushOutput);
  }
}

export const runClient = new RunClient();
