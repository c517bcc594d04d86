// What a terminal does with a script's output, as data: ANSI colours (SGR) become a class per
// span, `\r` moves back to the start of the line so the next text overwrites it (progress bars),
// `\r\n` and `\n` end the line, `\b` steps back, `ESC[K` erases. The SGR state machine is
// anser's (a kept library, used for data only: never its HTML); this file only cuts the stream
// into text, control characters and escape sequences, keeping a sequence split across chunks
// for the next one.

import Anser from "anser";

/** A run of text in one style: `cls` is the CSS classes for it ("" for the default style). */
export interface Span {
  text: string;
  cls: string;
}

export type TermOp =
  | { op: "text"; text: string; cls: string }
  | { op: "cr" }
  | { op: "nl" }
  | { op: "bs" }
  /** Erase in line: 0 from the cursor to the end, 1 from the start to the cursor, 2 the whole line. */
  | { op: "erase"; mode: 0 | 1 | 2 };

const COLORS = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"];
/** anser's class name of each of the 16 colours → ours. Anything else (256 colours, true colour) keeps the default. */
const COLOR_CLASS = new Map<string, string>(COLORS.flatMap((c) => [[`ansi-${c}`, c] as const, [`ansi-bright-${c}`, `bright-${c}`] as const]));
const DECORATIONS = new Set(["bold", "dim", "italic", "underline", "strikethrough", "hidden"]);

/** Escape sequences and the control characters that matter; everything between is text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal control characters is the point.
const TOKEN = /\x1b\[([0-?]*)([ -/]*)([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[ -/]*[0-~]|\r\n|[\r\n\b]|[\x00-\x07\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]/g;
/** An escape sequence cut off at the end of a chunk: kept for the next one. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above.
const PARTIAL = /\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*|[ -/]*)$/;
/** A "partial" sequence this long is not one: it is shown as text rather than held forever. */
const MAX_PARTIAL = 256;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above.
const PLAIN = /[\x00-\x08\x0b-\x1f\x7f]/;

/** One output stream's terminal state: the current style and a sequence cut at a chunk's end. */
export class AnsiStream {
  private anser = new Anser();
  private carry = "";
  /** The classes of the current style ("" when it is the default). */
  cls = "";

  /** Whether `text` is plain (no control character, nothing held, default style): the fast path. */
  isPlain(text: string): boolean {
    return this.carry === "" && this.cls === "" && !PLAIN.test(text);
  }

  /** The chunk as operations on the line model, in order. */
  feed(chunk: string): TermOp[] {
    let text = this.carry + chunk;
    this.carry = "";
    const partial = PARTIAL.exec(text);
    if (partial && text.length - partial.index <= MAX_PARTIAL) {
      this.carry = text.slice(partial.index);
      text = text.slice(0, partial.index);
    }
    const ops: TermOp[] = [];
    let at = 0;
    TOKEN.lastIndex = 0;
    for (let m = TOKEN.exec(text); m !== null; m = TOKEN.exec(text)) {
      if (m.index > at) ops.push({ op: "text", text: text.slice(at, m.index), cls: this.cls });
      at = m.index + m[0].length;
      const token = m[0];
      if (token === "\n" || token === "\r\n") ops.push({ op: "nl" });
      else if (token === "\r") ops.push({ op: "cr" });
      else if (token === "\b") ops.push({ op: "bs" });
      else if (m[3] === "m" && m[2] === "" && !/^[<=>?]/.test(m[1] ?? "")) this.sgr(token);
      else if (m[3] === "K" && m[2] === "") {
        const n = m[1] === "" ? 0 : Number(m[1]);
        if (n === 0 || n === 1 || n === 2) ops.push({ op: "erase", mode: n });
      }
      // Any other sequence (cursor movement, titles...) or control character is dropped.
    }
    if (at < text.length) ops.push({ op: "text", text: text.slice(at), cls: this.cls });
    return ops;
  }

  /** Applies one SGR sequence (`ESC[...m`) to the current style, through anser. */
  private sgr(sequence: string): void {
    if (sequence === "\x1b[0m" || sequence === "\x1b[m") {
      // The most common sequence: a fresh state is the same as anser's reset, and cheaper.
      this.anser = new Anser();
      this.cls = "";
      return;
    }
    const entries = this.anser.ansiToJson(sequence, { use_classes: true });
    const entry = entries[entries.length - 1];
    if (!entry) return;
    const classes: string[] = [];
    const fg = entry.fg ? COLOR_CLASS.get(entry.fg) : undefined;
    const bg = entry.bg ? COLOR_CLASS.get(entry.bg) : undefined;
    if (fg) classes.push(`ne-fg-${fg}`);
    if (bg) classes.push(`ne-bg-${bg}`, fg ? "" : "ne-on-bg");
    for (const d of new Set(entry.decorations)) if (DECORATIONS.has(d)) classes.push(`ne-${d}`);
    this.cls = classes.filter(Boolean).join(" ");
  }
}

/** The part of a line's spans between two columns. */
export function sliceSpans(spans: Span[], from: number, to: number): Span[] {
  const out: Span[] = [];
  let pos = 0;
  for (const span of spans) {
    const end = pos + span.text.length;
    if (end > from && pos < to) out.push({ text: span.text.slice(Math.max(0, from - pos), Math.min(span.text.length, to - pos)), cls: span.cls });
    pos = end;
    if (pos >= to) break;
  }
  return out;
}

function pushSpan(spans: Span[], span: Span): void {
  if (!span.text) return;
  const last = spans[spans.length - 1];
  if (last && last.cls === span.cls) last.text += span.text;
  else spans.push({ text: span.text, cls: span.cls });
}

/** A line of text as a terminal keeps it: plain text, and spans when any of it is styled. */
export interface TermLine {
  text: string;
  spans?: Span[];
}

/** Writes `text` at column `col` of the line, over what is there (spaces fill a gap). */
export function writeAt(line: TermLine, col: number, text: string, cls: string): void {
  const length = line.text.length;
  if (col > length) {
    writeAt(line, length, " ".repeat(col - length), "");
  }
  if (!line.spans && cls === "") {
    line.text = col === line.text.length ? line.text + text : line.text.slice(0, col) + text + line.text.slice(col + text.length);
    return;
  }
  const spans = line.spans ?? (line.text ? [{ text: line.text, cls: "" }] : []);
  if (col === line.text.length) {
    pushSpan(spans, { text, cls });
    line.spans = spans;
    line.text += text;
    return;
  }
  const next: Span[] = [];
  for (const s of sliceSpans(spans, 0, col)) pushSpan(next, s);
  pushSpan(next, { text, cls });
  for (const s of sliceSpans(spans, col + text.length, Number.POSITIVE_INFINITY)) pushSpan(next, s);
  setSpans(line, next);
}

/** Erases part of the line (ESC[K): from the cursor to the end, from the start to the cursor, or all. */
export function eraseLine(line: TermLine, col: number, mode: 0 | 1 | 2): void {
  if (mode === 2) {
    line.text = "";
    delete line.spans;
  } else if (mode === 0) {
    if (line.spans) setSpans(line, sliceSpans(line.spans, 0, col));
    else line.text = line.text.slice(0, col);
  } else {
    const blank = " ".repeat(Math.min(col + 1, line.text.length));
    if (line.spans) {
      const next: Span[] = [];
      pushSpan(next, { text: blank, cls: "" });
      for (const s of sliceSpans(line.spans, blank.length, Number.POSITIVE_INFINITY)) pushSpan(next, s);
      setSpans(line, next);
    } else line.text = blank + line.text.slice(blank.length);
  }
}

function setSpans(line: TermLine, spans: Span[]): void {
  line.text = spans.map((s) => s.text).join("");
  if (spans.every((s) => s.cls === "")) delete line.spans;
  else line.spans = spans;
}
