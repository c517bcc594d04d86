import { describe, expect, it } from "vitest";

import { createConsoleStore, MAX_LINES, pendingPrompt } from "./console";

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
