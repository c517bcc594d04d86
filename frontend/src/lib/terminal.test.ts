// The terminal line model: ANSI colours as spans, `\r` overwriting, escape sequences split across chunks.

import { describe, expect, it } from "vitest";

import { createConsoleStore } from "../store/console";

const ESC = "\x1b";

function run(...chunks: Array<[string, "stdout" | "stderr"] | string>) {
  const c = createConsoleStore();
  for (const chunk of chunks) {
    if (typeof chunk === "string") c.getState().append("stdout", chunk);
    else c.getState().append(chunk[1], chunk[0]);
  }
  return c.getState();
}
const texts = (s: ReturnType<typeof run>) => s.lines.map((l) => l.text);
const spans = (s: ReturnType<typeof run>, i = 0) => s.lines[i]?.spans?.map((x) => [x.text, x.cls]);

describe("ANSI colours", () => {
  it("colours a span and resets after it", () => {
    const s = run(`${ESC}[31mred${ESC}[0m plain\n`);
    expect(texts(s)).toEqual(["red plain"]);
    expect(spans(s)).toEqual([
      ["red", "ne-fg-red"],
      [" plain", ""],
    ]);
  });

  it("knows the 16 colours, backgrounds, bold, dim and underline", () => {
    const s = run(`${ESC}[1;92mok${ESC}[22m ${ESC}[2mdim${ESC}[0m ${ESC}[4;44mu${ESC}[24;49m x${ESC}[0m\n`);
    expect(spans(s)).toEqual([
      ["ok", "ne-fg-bright-green ne-bold"],
      [" ", "ne-fg-bright-green"],
      ["dim", "ne-fg-bright-green ne-dim"],
      [" ", ""],
      ["u", "ne-bg-blue ne-on-bg ne-underline"],
      [" x", ""],
    ]);
  });

  it("keeps a style across lines and chunks, like a terminal", () => {
    const s = run(`${ESC}[33mone\ntw`, "o\n", `${ESC}[mthree\n`);
    expect(texts(s)).toEqual(["one", "two", "three"]);
    expect(spans(s, 0)).toEqual([["one", "ne-fg-yellow"]]);
    expect(spans(s, 1)).toEqual([["two", "ne-fg-yellow"]]);
    expect(s.lines[2]?.spans).toBeUndefined();
  });

  it("joins an escape sequence split across chunks", () => {
    const s = run(`a${ESC}`, "[3", "1mb", `${ESC}[0`, "mc\n");
    expect(texts(s)).toEqual(["abc"]);
    expect(spans(s)).toEqual([
      ["a", ""],
      ["b", "ne-fg-red"],
      ["c", ""],
    ]);
  });

  it("drops sequences it does not draw (cursor, title) and other control characters", () => {
    const s = run(`${ESC}]0;title\x07${ESC}[?25lhi${ESC}[2J\x07!\n`);
    expect(texts(s)).toEqual(["hi!"]);
    expect(s.lines[0]?.spans).toBeUndefined();
  });

  it("ignores colours beyond the 16 (256 and true colour) rather than inventing them", () => {
    const s = run(`${ESC}[38;5;208morange${ESC}[38;2;1;2;3mrgb${ESC}[0m\n`);
    expect(texts(s)).toEqual(["orangergb"]);
  });

  it("shows a long unterminated escape as text rather than holding it forever", () => {
    const s = run(`${ESC}[${"1;".repeat(200)}`, "x\n");
    expect(s.lines).toHaveLength(1);
    expect(s.lines[0]!.text.endsWith("x")).toBe(true);
  });
});

describe("carriage returns", () => {
  it("overwrites the current line (a progress bar updates one line)", () => {
    const s = run("  0%|\r", " 50%|##\r", "100%|####\n", "done\n");
    expect(texts(s)).toEqual(["100%|####", "done"]);
  });

  it("overwrites only as far as the new text goes", () => {
    expect(texts(run("abcdef\rXY\n"))).toEqual(["XYcdef"]);
  });

  it("takes \\r\\n as one newline, even split across chunks", () => {
    expect(texts(run("one\r\ntwo\r", "\nthree\n"))).toEqual(["one", "two", "three"]);
  });

  it("overwrites styled text with styled text", () => {
    const s = run(`${ESC}[32mgreen${ESC}[0m\r${ESC}[1mB${ESC}[0m`);
    expect(texts(s)).toEqual(["Breen"]);
    expect(spans(s)).toEqual([
      ["B", "ne-bold"],
      ["reen", "ne-fg-green"],
    ]);
  });

  it("erases the rest of the line with ESC[K and steps back with \\b", () => {
    expect(texts(run(`long text\rshort${ESC}[K\n`))).toEqual(["short"]);
    expect(texts(run("ab\bc\n"))).toEqual(["ac"]);
  });

  it("keeps stdout's and stderr's lines apart: \\r on one does not touch the other", () => {
    const s = run(["out", "stdout"], ["\r10%", "stderr"], ["\r20%", "stderr"], ["\n", "stderr"]);
    expect(s.lines.map((l) => [l.stream, l.text])).toEqual([
      ["stdout", "out"],
      ["stderr", "20%"],
    ]);
  });

  it("leaves an input() prompt open after a \\r update", () => {
    const s = run("wait\rName? ");
    expect(texts(s)).toEqual(["Name? "]);
    expect(s.openLine).toBe(true);
  });
});
