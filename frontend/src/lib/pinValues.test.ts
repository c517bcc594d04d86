import { describe, expect, it } from "vitest";

import { asPinValue, defaultHint, formatAnyPin, parseAnyPin, parseNumberPin } from "./pinValues";

describe("any-typed pin fields", () => {
  it("reads JSON numbers as numbers", () => {
    expect(parseAnyPin("42")).toBe(42);
    expect(parseAnyPin("-1.5")).toBe(-1.5);
    expect(parseAnyPin("1e3")).toBe(1000);
    expect(parseAnyPin(" 7 ")).toBe(7);
  });

  it("keeps what is not JSON number syntax as text", () => {
    for (const text of ["0x10", "1.", ".5", "+1", "01", "Infinity", "NaN", "1e999", "1,5"]) expect(parseAnyPin(text)).toBe(text);
  });

  it("reads true and false as booleans, other words as text", () => {
    expect(parseAnyPin("true")).toBe(true);
    expect(parseAnyPin("false")).toBe(false);
    expect(parseAnyPin("True")).toBe("True");
    expect(parseAnyPin("hello world")).toBe("hello world");
  });

  it("reads a double-quoted text as the JSON string it denotes", () => {
    expect(parseAnyPin('"42"')).toBe("42");
    expect(parseAnyPin('"true"')).toBe("true");
    expect(parseAnyPin('""')).toBe("");
    expect(parseAnyPin('"a\\nb"')).toBe("a\nb");
    expect(parseAnyPin('"a"b"')).toBe('"a"b"'); // not valid JSON: raw text
    expect(parseAnyPin('"')).toBe('"');
  });

  it("stores nothing for empty text", () => {
    expect(parseAnyPin("")).toBeUndefined();
    expect(formatAnyPin(undefined)).toBe("");
  });

  it("shows a string that would read back as something else in quotes", () => {
    expect(formatAnyPin("hello")).toBe("hello");
    expect(formatAnyPin("42")).toBe('"42"');
    expect(formatAnyPin("true")).toBe('"true"');
    expect(formatAnyPin("")).toBe('""');
    expect(formatAnyPin('"quoted"')).toBe('"\\"quoted\\""');
    expect(formatAnyPin(42)).toBe("42");
    expect(formatAnyPin(false)).toBe("false");
  });

  it("round-trips every value exactly", () => {
    const values = [0, -1.5, 1e21, 1e-7, true, false, "", " ", "42", " 42 ", "true", "hello", '"x"', ' "x" ', "a\nb", "1e999", 'say "hi"'];
    for (const value of values) expect(parseAnyPin(formatAnyPin(value))).toBe(value);
  });
});

describe("number pin fields", () => {
  it("stores finite numbers, integers only for int, nothing for empty text", () => {
    expect(parseNumberPin("3", true)).toBe(3);
    expect(parseNumberPin("2.5", false)).toBe(2.5);
    expect(parseNumberPin("2.5", true)).toBeNull();
    expect(parseNumberPin("-", false)).toBeNull();
    expect(parseNumberPin("abc", false)).toBeNull();
    expect(parseNumberPin("", true)).toBeUndefined();
    expect(parseNumberPin("  ", true)).toBeUndefined();
  });
});

describe("pin helpers", () => {
  it("accepts only JSON scalars as stored values", () => {
    expect(asPinValue(3)).toBe(3);
    expect(asPinValue("x")).toBe("x");
    expect(asPinValue(null)).toBeUndefined();
    expect(asPinValue([1])).toBeUndefined();
    expect(asPinValue(Number.NaN)).toBeUndefined();
  });

  it("hints the port default, nothing when there is none", () => {
    expect(defaultHint(10, false)).toBe("10");
    expect(defaultHint(null, true)).toBe("");
    expect(defaultHint("", true)).toBe("");
    expect(defaultHint([], true)).toBe("[]");
    expect(defaultHint("0", true)).toBe('"0"');
    expect(defaultHint(false, true)).toBe("false");
  });
});
