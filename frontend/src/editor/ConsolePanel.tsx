// The run console: a virtualized list of output lines (only the visible ones are in the DOM, so
// 100,000 lines stay smooth), the run status, Kill and Clear, and the input line for input().
// Lines carry ANSI colours as styled spans; pictures and tables the script showed sit between
// them, a fixed number of lines tall each (ConsoleDisplay.tsx).

import { ChevronDown, ChevronUp, Eraser, Loader2, Pause, Square, Terminal, Wifi, WifiOff } from "lucide-react";
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";

import { Button } from "@/components/ui/button";
import { describeReason, runClient } from "@/lib/runClient";
import { cn } from "@/lib/utils";
import { type ConsoleDisplay, type ConsoleLine, consoleStore, IMAGE_ROWS, lineAtRow, pendingPrompt, rowOfLine, useConsole } from "@/store/console";
import { editorStore, useEditor } from "@/store/editor";
import { layoutStore } from "@/store/layout";

import { DisplayDialog, DisplayEntry } from "./ConsoleDisplay";
import { VariablesPanel } from "./VariablesPanel";

const PAUSE_REASONS: Record<string, string> = { breakpoint: "at a breakpoint", step: "after a step", exception: "on an exception" };

/** The title of a node as the canvas shows it. */
function nodeTitle(id: string): string {
  const { nodes, catalogue } = editorStore.getState();
  const node = nodes.find((n) => n.id === id);
  return node?.data.label || (node?.type ? catalogue[node.type]?.title : undefined) || id;
}

const LINE_HEIGHT = 18;
/** The console's height once a run shows a picture: its header, the input line and a picture of IMAGE_ROWS lines. */
const DISPLAY_CONSOLE_HEIGHT = 36 + 32 + (IMAGE_ROWS + 2) * LINE_HEIGHT;

function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(timer);
  }, []);
  return <span>{((now - since) / 1000).toFixed(1)} s</span>;
}

function StatusLine() {
  const phase = useConsole((s) => s.phase);
  const position = useConsole((s) => s.position);
  const startedAt = useConsole((s) => s.startedAt);
  const exit = useConsole((s) => s.exit);
  const errorMessage = useConsole((s) => s.errorMessage);
  const paused = useEditor((s) => s.paused);
  const debugging = useEditor((s) => s.debugging);
  let content: React.ReactNode = <span className="text-slate-500">Ready. Ctrl+Enter runs the graph.</span>;
  if (phase === "sending")
    content = (
      <span className="flex items-center gap-1">
        <Loader2 className="h-3 w-3 animate-spin" /> Sending…
      </span>
    );
  else if (phase === "queued") content = <span className="text-amber-300">Queued{position !== null ? ` (position ${position})` : ""}…</span>;
  else if (phase === "running" && paused)
    content = (
      <span className={cn("flex items-center gap-1", paused.reason === "exception" ? "text-red-300" : "text-amber-300")} data-testid="paused-status">
        <Pause className="h-3 w-3 shrink-0" /> Paused {PAUSE_REASONS[paused.reason] ?? `(${paused.reason})`}, {paused.reason === "exception" ? "in" : "before"}{" "}
        “{nodeTitle(paused.nodeId)}” · F5 continue · F10 step
      </span>
    );
  else if (phase === "running")
    content = (
      <span className="flex items-center gap-1 text-sky-300">
        <Loader2 className="h-3 w-3 animate-spin" /> {debugging ? "Debugging" : "Running"} {startedAt && <Elapsed since={startedAt} />}
      </span>
    );
  else if (phase === "finished" && exit)
    content = (
      <span className={exit.reason === "ok" && exit.exit_code === 0 ? "text-emerald-300" : "text-red-300"}>
        {exit.reason === "ok" ? "✔" : "✖"} {describeReason(exit.reason)} · exit code {exit.exit_code ?? "none"} · {(exit.duration_ms / 1000).toFixed(2)} s
        {exit.message ? ` · ${exit.message}` : ""}
      </span>
    );
  else if (phase === "lost") content = <span className="text-amber-300">Connection lost during the run; its outcome is unknown.</span>;
  else if (phase === "refused") content = <span className="text-red-300">Not run: {errorMessage}</span>;
  return (
    <div className="truncate text-xs" data-testid="run-status" data-phase={phase}>
      {content}
    </div>
  );
}

/** A line of output: its styled runs (ANSI colours) as spans, never markup. */
function TextLine({ line }: { line: ConsoleLine }) {
  return (
    <div className={cn("ne-line", `ne-${line.stream}`)} data-stream={line.stream}>
      {line.spans
        ? line.spans.map((span, j) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the runs of one line, in order.
            <span key={j} className={span.cls || undefined}>
              {span.text}
            </span>
          ))
        : line.text || "\u200b"}
      {line.input !== undefined && <span className="ne-typed">{line.input}</span>}
    </div>
  );
}

function Lines({ onFocusNode }: { onFocusNode?: (id: string) => void }) {
  const seq = useConsole((s) => s.seq);
  const dropped = useConsole((s) => s.dropped);
  const box = useRef<HTMLDivElement>(null);
  const [scroll, setScroll] = useState({ top: 0, height: 200 });
  const [opened, setOpened] = useState<ConsoleDisplay | null>(null);
  const stick = useRef(true);
  const state = consoleStore.getState();
  const lines = state.lines;
  const total = lines.length;
  const rows = total + state.extraRows;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `seq` changes when lines arrive: keep the newest in view.
  useLayoutEffect(() => {
    const el = box.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [seq]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setScroll({ top: el.scrollTop, height: el.clientHeight }));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // Rows are LINE_HEIGHT tall; a picture or a table takes several.
  const first = lineAtRow(state, Math.max(0, Math.floor(scroll.top / LINE_HEIGHT) - 20));
  const last = Math.min(total, lineAtRow(state, Math.ceil((scroll.top + scroll.height) / LINE_HEIGHT) + 20) + 1);
  const visible = lines.slice(first, last);
  const open = useCallback((display: ConsoleDisplay) => setOpened(display), []);

  return (
    <div
      ref={box}
      className="ne-console relative min-h-0 flex-1 overflow-auto bg-slate-950"
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < LINE_HEIGHT * 2;
        setScroll({ top: el.scrollTop, height: el.clientHeight });
      }}
      data-testid="console-output"
      data-lines={total}
    >
      {dropped > 0 && (
        <div className="sticky top-0 z-10 bg-amber-950/90 px-2 text-xs text-amber-300">
          {dropped.toLocaleString()} older lines were dropped to keep the console fast.
        </div>
      )}
      <div style={{ height: rows * LINE_HEIGHT, position: "relative" }}>
        <div style={{ position: "absolute", top: rowOfLine(state, first) * LINE_HEIGHT, left: 0, right: 0 }}>
          {visible.map((line, i) =>
            line.display ? (
              // biome-ignore lint/suspicious/noArrayIndexKey: the line's number in the run's output, which never changes.
              <DisplayEntry key={first + i} display={line.display} onOpen={open} onFocusNode={onFocusNode} />
            ) : (
              // biome-ignore lint/suspicious/noArrayIndexKey: as above.
              <TextLine key={first + i} line={line} />
            ),
          )}
        </div>
      </div>
      <DisplayDialog display={opened} onClose={() => setOpened(null)} onFocusNode={onFocusNode} />
    </div>
  );
}

function InputLine() {
  const phase = useConsole((s) => s.phase);
  const prompt = useConsole(pendingPrompt);
  const [text, setText] = useState("");
  const input = useRef<HTMLInputElement>(null);
  const running = phase === "running";
  useEffect(() => {
    if (running && prompt) input.current?.focus();
  }, [running, prompt]);
  return (
    <form
      className="flex h-8 shrink-0 items-center gap-2 border-t border-slate-800 bg-slate-950 px-2 ne-console"
      onSubmit={(e) => {
        e.preventDefault();
        runClient.sendInput(text);
        setText("");
      }}
    >
      <span className="max-w-[40%] truncate text-sky-300" title={prompt}>
        {prompt || "›"}
      </span>
      <input
        ref={input}
        className="min-w-0 flex-1 bg-transparent text-slate-100 outline-none placeholder:text-slate-600"
        placeholder={running ? "Type input for the script and press Enter (Ctrl+D: end of input)" : "Input is enabled while a script runs"}
        disabled={!running}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "d" && e.ctrlKey) {
            e.preventDefault();
            runClient.sendEof();
          }
        }}
        aria-label="Script input"
        data-testid="console-input"
      />
    </form>
  );
}

/** The console; collapsed, only its header (the run's status) shows. */
export function ConsolePanel({
  height,
  open,
  onToggle,
  onFocusNode,
}: {
  height: number;
  open: boolean;
  onToggle: () => void;
  /** Selects and centres a node (a picture's or a table's "from" link). */
  onFocusNode?: (id: string) => void;
}) {
  const phase = useConsole((s) => s.phase);
  const connection = useConsole((s) => s.connection);
  const note = useConsole((s) => s.connectionNote);
  const active = phase === "running" || phase === "queued" || phase === "sending";
  // The first picture or table of a run makes a short console tall enough to show it (once a run:
  // shrunk again, it stays so).
  const displays = useConsole((s) => s.displayAt.length);
  const runId = useConsole((s) => s.runId);
  const grownFor = useRef<string | null>(null);
  useEffect(() => {
    if (displays === 0 || !open || grownFor.current === runId) return;
    grownFor.current = runId;
    if (height < DISPLAY_CONSOLE_HEIGHT) layoutStore.getState().resize("consoleHeight", Math.min(DISPLAY_CONSOLE_HEIGHT, Math.round(window.innerHeight * 0.5)));
  }, [displays, open, runId, height]);
  return (
    <section
      className="flex shrink-0 flex-col border-t border-slate-800 bg-slate-950"
      style={{ height: open ? height : undefined }}
      data-testid="console"
      data-open={open ? "true" : "false"}
    >
      <div className="flex h-9 shrink-0 items-center gap-2 border-b border-slate-800 px-2">
        <Terminal className="h-4 w-4 text-slate-400" />
        <span className="text-xs font-medium text-slate-300">Console</span>
        <div className="min-w-0 flex-1">
          <StatusLine />
        </div>
        <span
          className={cn("flex items-center gap-1 text-xs", connection === "open" ? "text-slate-500" : "text-amber-300")}
          title={note ?? undefined}
          data-testid="connection-state"
          data-state={connection}
        >
          {connection === "open" ? <Wifi className="h-3 w-3" /> : <WifiOff className="h-3 w-3" />}
          {connection === "open" ? (note ?? "connected") : connection === "reconnecting" ? (note ?? "reconnecting…") : connection}
        </span>
        <Button size="xs" variant="destructive" disabled={!active} onClick={() => runClient.kill()} title="Stop the running script">
          <Square /> Kill
        </Button>
        <Button size="xs" variant="ghost" onClick={() => consoleStore.getState().clear()} title="Clear the console">
          <Eraser /> Clear
        </Button>
        <Button
          size="icon"
          variant="ghost"
          className="h-7 w-7"
          onClick={onToggle}
          title={open ? "Hide the console (Ctrl+`)" : "Show the console (Ctrl+`)"}
          aria-label={open ? "Hide the console" : "Show the console"}
          data-testid="console-toggle"
        >
          {open ? <ChevronDown /> : <ChevronUp />}
        </Button>
      </div>
      {open && (
        <div className="flex min-h-0 flex-1">
          <div className="flex min-w-0 flex-1 flex-col">
            <Lines onFocusNode={onFocusNode} />
            <InputLine />
          </div>
          <VariablesPanel />
        </div>
      )}
    </section>
  );
}
