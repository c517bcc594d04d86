// The console: output lines of the current run and its status. Lines live in one mutable array
// (appending 100,000 lines must not copy it each time); `seq` tells React that it changed.
// Output is kept as a terminal would (lib/terminal.ts): ANSI colours as styled spans, `\r`
// overwriting the current line. A picture or a table the script showed is an entry of its own,
// in order with the text, a few lines tall.

import { useStore } from "zustand";
import { createStore } from "zustand/vanilla";

import type { DisplayData, ExitInfo } from "../lib/schemas";
import { AnsiStream, eraseLine, type Span, writeAt } from "../lib/terminal";

type Stream = "stdout" | "stderr" | "stdin" | "info" | "display";

/** A picture or a table shown by the script, and the height it takes in console lines. */
export type ConsoleDisplay = DisplayData & { node_id: string | null; rows: number; caption?: string };

export interface ConsoleLine {
  stream: Stream;
  /** The line's text without its escape sequences. */
  text: string;
  /** The text in styled runs, when any of it has a colour or a decoration. */
  spans?: Span[];
  /** Text the user typed in answer to the prompt at the end of this line. */
  input?: string;
  display?: ConsoleDisplay;
}

type RunPhase = "idle" | "sending" | "queued" | "running" | "finished" | "lost" | "refused";

export const MAX_LINES = 200_000;
/** Pictures and tables kept (a picture is up to 2 MiB): older ones become a one-line note. */
export const MAX_DISPLAYS = 100;
/** Heights of a display entry, in console lines: a caption line, then the picture or the table. */
export const IMAGE_ROWS = 14;
export const TABLE_BODY_ROWS = 10;

export function displayRows(display: DisplayData): number {
  if (display.mime === "image/png") return IMAGE_ROWS;
  // The caption, the header row, up to TABLE_BODY_ROWS rows (scrolling beyond), a gap.
  return 3 + Math.min(TABLE_BODY_ROWS, Math.max(1, display.data.rows.length));
}

export interface ConsoleState {
  lines: ConsoleLine[];
  /** Whether the last line is still open (its text did not end with a newline). */
  openLine: boolean;
  /** Where the next text goes in the open line (a `\r` takes it back to 0). */
  cursor: number;
  /** The indexes in `lines` of the display entries, in order. */
  displayAt: number[];
  /** The lines the display entries take beyond one each: the console is lines.length + extraRows tall. */
  extraRows: number;
  dropped: number;
  seq: number;
  phase: RunPhase;
  runId: string | null;
  ref: string | null;
  position: number | null;
  startedAt: number | null;
  exit: ExitInfo | null;
  errorMessage: string | null;
  /** The sentences of the last run refused for its inputs (socket `error` code `bad_inputs`, `errors.inputs`). */
  badInputs: string[] | null;
  connection: "connecting" | "open" | "reconnecting" | "closed";
  connectionNote: string | null;
}

interface ConsoleActions {
  append(stream: "stdout" | "stderr", text: string): void;
  /** Adds a picture or a table; `caption` replaces the default one ("Table · 2 columns, ..."). */
  display(display: DisplayData, nodeId: string | null, caption?: string): void;
  info(text: string): void;
  echoInput(text: string): void;
  clear(): void;
  patch(p: Partial<ConsoleState>): void;
}

export type ConsoleStore = ConsoleState & ConsoleActions;

const DROPPED_DISPLAY = "(an older picture or table was removed from the console to save memory)";

export function createConsoleStore() {
  // Each stream's terminal state (its style and an escape sequence cut at a chunk's end).
  let terms = { stdout: new AnsiStream(), stderr: new AnsiStream() };

  return createStore<ConsoleStore>()((set, get) => {
    /** Drops the oldest lines past MAX_LINES (and the display entries among them). */
    function trim(s: ConsoleState): Partial<ConsoleState> {
      const { lines } = s;
      let { dropped, displayAt, extraRows } = s;
      if (displayAt.length > MAX_DISPLAYS) {
        for (const index of displayAt.slice(0, displayAt.length - MAX_DISPLAYS)) {
          const line = lines[index];
          if (!line?.display) continue;
          extraRows -= line.display.rows - 1;
          lines[index] = { stream: "info", text: DROPPED_DISPLAY };
        }
        displayAt = displayAt.slice(displayAt.length - MAX_DISPLAYS);
      }
      if (lines.length > MAX_LINES) {
        const excess = lines.length - MAX_LINES;
        lines.splice(0, excess);
        dropped += excess;
        if (displayAt.length && displayAt[0]! < excess) {
          displayAt = displayAt.map((i) => i - excess).filter((i) => i >= 0);
          extraRows = displayAt.reduce((sum, i) => sum + (lines[i]?.display?.rows ?? 1) - 1, 0);
        } else if (displayAt.length) displayAt = displayAt.map((i) => i - excess);
      }
      return { dropped, displayAt, extraRows };
    }

    return {
      lines: [],
      openLine: false,
      cursor: 0,
      displayAt: [],
      extraRows: 0,
      dropped: 0,
      seq: 0,
      phase: "idle",
      runId: null,
      ref: null,
      position: null,
      startedAt: null,
      exit: null,
      errorMessage: null,
      badInputs: null,
      connection: "connecting",
      connectionNote: null,

      append(stream, text) {
        if (!text) return;
        const s = get();
        const lines = s.lines;
        let openLine = s.openLine;
        let cursor = s.cursor;
        const term = terms[stream];
        /** The open line of this stream, started if there is none. */
        const current = (): ConsoleLine => {
          const last = lines[lines.length - 1];
          if (openLine && last && last.stream === stream) return last;
          const line: ConsoleLine = { stream, text: "" };
          lines.push(line);
          openLine = true;
          cursor = 0;
          return line;
        };
        const ownOpen = () => openLine && lines[lines.length - 1]?.stream === stream;

        if (term.isPlain(text) && (!ownOpen() || cursor === lines[lines.length - 1]!.text.length)) {
          // The common case, kept cheap for floods of plain lines: split on newlines.
          const pieces = text.split("\n");
          pieces.forEach((piece, i) => {
            const isLastPiece = i === pieces.length - 1;
            if (isLastPiece && piece === "") {
              openLine = false;
              return;
            }
            const last = lines[lines.length - 1];
            if (i === 0 && ownOpen() && last) last.text += piece;
            else lines.push({ stream, text: piece });
            openLine = isLastPiece;
          });
          cursor = openLine ? lines[lines.length - 1]!.text.length : 0;
        } else {
          for (const op of term.feed(text)) {
            if (op.op === "text") {
              const line = current();
              writeAt(line, cursor, op.text, op.cls);
              cursor += op.text.length;
            } else if (op.op === "nl") {
              if (!ownOpen()) lines.push({ stream, text: "" });
              openLine = false;
              cursor = 0;
            } else if (op.op === "cr") {
              if (ownOpen()) cursor = 0;
            } else if (op.op === "bs") {
              if (ownOpen()) cursor = Math.max(0, cursor - 1);
            } else if (ownOpen()) eraseLine(lines[lines.length - 1]!, cursor, op.mode);
          }
        }
        set({ openLine, cursor, ...trim(s), seq: s.seq + 1 });
      },

      display(display, nodeId, caption) {
        const s = get();
        const entry: ConsoleDisplay = { ...display, node_id: nodeId, rows: displayRows(display), ...(caption ? { caption } : {}) };
        s.lines.push({ stream: "display", text: "", display: entry });
        const displayAt = [...s.displayAt, s.lines.length - 1];
        const extraRows = s.extraRows + displayRows(display) - 1;
        set({ openLine: false, cursor: 0, ...trim({ ...s, displayAt, extraRows }), seq: s.seq + 1 });
      },

      info(text) {
        const s = get();
        s.lines.push({ stream: "info", text });
        set({ openLine: false, cursor: 0, ...trim(s), seq: s.seq + 1 });
      },

      echoInput(text) {
        const s = get();
        const last = s.lines[s.lines.length - 1];
        // Typed text is shown after the prompt it answers, like a terminal does.
        if (s.openLine && last && last.input === undefined) last.input = text;
        else s.lines.push({ stream: "stdin", text });
        set({ openLine: false, cursor: 0, ...trim(s), seq: s.seq + 1 });
      },

      clear() {
        terms = { stdout: new AnsiStream(), stderr: new AnsiStream() };
        set((s) => ({ lines: [], openLine: false, cursor: 0, displayAt: [], extraRows: 0, dropped: 0, seq: s.seq + 1 }));
      },

      patch(p) {
        set(p);
      },
    };
  });
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

/** The first console row (line-height unit) of line `index`: display entries are several rows tall. */
export function rowOfLine(s: Pick<ConsoleState, "lines" | "displayAt">, index: number): number {
  let row = index;
  for (const at of s.displayAt) {
    if (at >= index) break;
    row += (s.lines[at]?.display?.rows ?? 1) - 1;
  }
  return row;
}

/** The index of the line at console row `row` (clamped to the lines there are). */
export function lineAtRow(s: Pick<ConsoleState, "lines" | "displayAt">, row: number): number {
  let offset = 0;
  for (const at of s.displayAt) {
    const start = at + offset;
    if (row < start) break;
    const rows = s.lines[at]?.display?.rows ?? 1;
    if (row < start + rows) return at;
    offset += rows - 1;
  }
  return Math.max(0, Math.min(s.lines.length, row - offset));
}
