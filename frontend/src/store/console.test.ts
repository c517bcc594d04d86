import { describe, expect, it } from "vitest";

import { createConsoleStore, IMAGE_ROWS, lineAtRow, MAX_DISPLAYS, MAX_LINES, pendingPrompt, rowOfLine, TABLE_BODY_ROWS } from "./console";

describe("console store", () => {
  it("joins chunks into lines and keeps streams apart", () => {
    const c = createConsoleStore();
    c.getState().append("stdout", "hel");
    c.getState().append("stdout", "lo\nwor");
    c.getState().append("stderr", "oops\n");
    c.getState().append("stdout", "ld\n");
    expect(c.getState().lines.map((l) => [l.stream, l.text])).toEqual([
      ["stdout", "hello"],
      ["stdout", "wor"],
      ["stderr", "oops"],
      ["stdout", "ld"],
    ]);
  });

  it("shows a prompt without newline and puts typed input after it", () => {
    const c = createConsoleStore();
    c.getState().append("stdout", "Name? ");
    expect(pendingPrompt(c.getState())).toBe("Name? ");
    c.getState().echoInput("Ada");
    expect(pendingPrompt(c.getState())).toBe("");
    c.getState().append("stdout", "Hi Ada\n");
    expect(c.getState().lines.map((l) => [l.text, l.input])).toEqual([
      ["Name? ", "Ada"],
      ["Hi Ada", undefined],
    ]);
  });

  it("caps the number of lines and counts what it dropped", () => {
    const c = createConsoleStore();
    const chunk = "x\n".repeat(50_000);
    for (let i = 0; i < 5; i++) c.getState().append("stdout", chunk);
    expect(c.getState().lines).toHaveLength(MAX_LINES);
    expect(c.getState().dropped).toBe(250_000 - MAX_LINES);
  });
});

describe("console store with pictures and tables", () => {
  const png = { mime: "image/png" as const, data: "iVBORw0KGgo=" };
  const table = (n: number) => ({ mime: "table" as const, data: { columns: ["a"], rows: Array.from({ length: n }, (_, i) => [i]), total: n } });

  it("puts displays in order with the text and closes the open line", () => {
    const c = createConsoleStore();
    c.getState().append("stdout", "before ");
    c.getState().display(png, "plot");
    c.getState().append("stdout", "after\n");
    c.getState().display(table(3), null);
    const s = c.getState();
    expect(s.lines.map((l) => [l.stream, l.text, l.display?.mime, l.display?.node_id])).toEqual([
      ["stdout", "before ", undefined, undefined],
      ["display", "", "image/png", "plot"],
      ["stdout", "after", undefined, undefined],
      ["display", "", "table", null],
    ]);
    expect(s.displayAt).toEqual([1, 3]);
    expect(pendingPrompt(s)).toBe("");
  });

  it("gives each display its height in lines and maps rows to lines both ways", () => {
    const c = createConsoleStore();
    c.getState().append("stdout", "a\n");
    c.getState().display(png, null); // IMAGE_ROWS tall
    c.getState().append("stdout", "b\n");
    c.getState().display(table(50), null); // a caption, a header, TABLE_BODY_ROWS, a gap
    c.getState().display(table(0), null); // at least one body row
    c.getState().append("stdout", "c\n");
    const s = c.getState();
    expect(s.lines.map((l) => l.display?.rows ?? 1)).toEqual([1, IMAGE_ROWS, 1, 3 + TABLE_BODY_ROWS, 4, 1]);
    expect(s.extraRows).toBe(IMAGE_ROWS - 1 + 2 + TABLE_BODY_ROWS + 3);
    const starts = s.lines.map((_, i) => rowOfLine(s, i));
    expect(starts).toEqual([0, 1, 1 + IMAGE_ROWS, 2 + IMAGE_ROWS, 5 + IMAGE_ROWS + TABLE_BODY_ROWS, 9 + IMAGE_ROWS + TABLE_BODY_ROWS]);
    starts.forEach((row, i) => {
      expect(lineAtRow(s, row)).toBe(i);
    });
    expect(lineAtRow(s, 1 + IMAGE_ROWS - 1)).toBe(1); // inside the picture
    expect(lineAtRow(s, 10_000)).toBe(s.lines.length);
  });

  it("keeps at most MAX_DISPLAYS pictures; older ones become a note", () => {
    const c = createConsoleStore();
    for (let i = 0; i < MAX_DISPLAYS + 5; i++) c.getState().display(png, null);
    const s = c.getState();
    expect(s.displayAt).toHaveLength(MAX_DISPLAYS);
    expect(s.lines.filter((l) => l.display)).toHaveLength(MAX_DISPLAYS);
    expect(s.lines[0]).toMatchObject({ stream: "info", text: expect.stringMatching(/removed/) });
    expect(s.extraRows).toBe(MAX_DISPLAYS * (IMAGE_ROWS - 1));
  });

  it("shifts displays when old lines are dropped, and forgets the dropped ones", () => {
    const c = createConsoleStore();
    c.getState().display(png, null);
    c.getState().append("stdout", "x\n".repeat(MAX_LINES - 10));
    c.getState().display(table(2), null);
    c.getState().append("stdout", "y\n".repeat(20));
    const s = c.getState();
    expect(s.lines).toHaveLength(MAX_LINES);
    expect(s.displayAt).toHaveLength(1);
    expect(s.lines[s.displayAt[0]!]?.display?.mime).toBe("table");
    expect(s.extraRows).toBe(4);
  });

  it("clear() forgets displays and the ANSI state", () => {
    const c = createConsoleStore();
    c.getState().append("stdout", "\x1b[31mred");
    c.getState().display(png, null);
    c.getState().clear();
    c.getState().append("stdout", "plain\n");
    const s = c.getState();
    expect(s.displayAt).toEqual([]);
    expect(s.extraRows).toBe(0);
    expect(s.lines[0]?.spans).toBeUndefined();
  });
});
