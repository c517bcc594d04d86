// The console: output lines of the current run and its status. Lines live in one mutable array
// (appending 100,000 lines must not copy it each time); `seq` tells React that it changed.

import { useStore } from "zustand";
import { createStore } from "zustand/vanilla";

type Stream = "stdout" | "stderr" | "stdin" | "info";

interface ConsoleLine {
  stream: Stream;
  text: string;
  /** Text the user typed in answer to the prompt at the end of this line. */
  input?: string;
}

type RunPhase = "idle" | "sending" | "queued" | "running" | "finished" | "lost" | "refused";

export interface ExitInfo {
  exit_code: number | null;
  reason: string;
  duration_ms: number;
  node_id: string | null;
  message: string;
}

export const MAX_LINES = 200_000;

export interface ConsoleState {
  lines: ConsoleLine[];
  /** Whether the last line is still open (its text did not end with a newline). */
  openLine: boolean;
  dropped: number;
  seq: number;
  phase: RunPhase;
  runId: string | null;
  ref: string | null;
  position: number | null;
  startedAt: number | null;
  exit: ExitInfo | null;
  errorMessage: string | null;
  connection: "connecting" | "open" | "reconnecting" | "closed";
  connectionNote: string | null;
}

interface ConsoleActions {
  append(stream: Stream, text: string): void;
  info(text: string): void;
  echoInput(text: string): void;
  clear(): void;
  patch(p: Partial<ConsoleState>): void;
}

export type ConsoleStore = ConsoleState & ConsoleActions;

export function createConsoleStore() {
  return createStore<ConsoleStore>()((set, get) => ({
    lines: [],
    openLine: false,
    dropped: 0,
    seq: 0,
    phase: "idle",
    runId: null,
    ref: null,
    position: null,
    startedAt: null,
    exit: null,
    errorMessage: null,
    connection: "connecting",
    connectionNote: null,

    append(stream, text) {
      if (!text) return;
      const s = get();
      const lines = s.lines;
      let openLine = s.openLine;
      const pieces = text.split("\n");
      pieces.forEach((piece, i) => {
        const last = lines[lines.length - 1];
        const isLastPiece = i === pieces.length - 1;
        if (isLastPiece && piece === "") {
          openLine = false;
          return;
        }
        if (i === 0 && openLine && last && last.stream === stream) {
          last.text += piece;
        } else {
          lines.push({ stream, text: piece });
        }
        openLine = isLastPiece;
      });
      let dropped = s.dropped;
      if (lines.length > MAX_LINES) {
        const excess = lines.length - MAX_LINES;
        lines.splice(0, excess);
        dropped += excess;
      }
      set({ openLine, dropped, seq: s.seq + 1 });
    },

    info(text) {
      const s = get();
      s.lines.push({ stream: "info", text });
      set({ openLine: false, seq: s.seq + 1 });
    },

    echoInput(text) {
      const s = get();
      const last = s.lines[s.lines.length - 1];
      // Typed text is shown after the prompt it answers, like a terminal does.
      if (s.openLine && last && last.input === undefined) last.input = text;
      else s.lines.push({ stream: "stdin", text });
      set({ openLine: false, seq: s.seq + 1 });
    },

    clear() {
      set((s) => ({ lines: [], openLine: false, dropped: 0, seq: s.seq + 1 }));
    },

    patch(p) {
      set(p);
    },
  }));
}

export const consoleStore = createConsoleStore();

export function useConsole<T>(selector: (s: ConsoleStore) => T): T {
  return useStore(consoleStore, selector);
}

/** The text printed without a newline at the end of the output, e.g. an input() prompt. */
export function pendingPrompt(s: ConsoleState): string {
  if (!s.openLine) return "";
  const last = s.lines[s.lines.length - 1];
  return last && last.stream === "stdout" ? last.text : "";
}
