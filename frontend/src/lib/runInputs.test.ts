import { describe, expect, it } from "vitest";

import { buildInputs, initialFields, outputsTable, parseField, recallFields, rememberFields, serverErrors } from "./runInputs";
import type { Signature } from "./signature";

const input = (type: string, required = false) => ({ type: type as "any", required });

describe("a field's text, by its input's type", () => {
  it("reads numbers by JSON's grammar; int wants a whole one", () => {
    expect(parseField(input("int"), "42")).toEqual({ ok: true, value: 42 });
    expect(parseField(input("int"), " -3 ")).toEqual({ ok: true, value: -3 });
    expect(parseField(input("int"), "1.5")).toEqual({ ok: false, error: "Must be a whole number." });
    expect(parseField(input("number"), "1.5")).toEqual({ ok: true, value: 1.5 });
    expect(parseField(input("float"), "1e3")).toEqual({ ok: true, value: 1000 });
    for (const bad of ["0x10", "Infinity", "1.", "abc", "1e999"]) expect(parseField(input("number"), bad).ok).toBe(false);
    expect(parseField(input("int"), "9007199254740993").ok).toBe(false);
  });

  it("leaves an empty field out (its default applies)", () => {
    for (const type of ["int", "number", "any", "list", "dict", "bool"]) expect(parseField(input(type), "")).toEqual({ ok: true, value: undefined });
    expect(parseField(input("text"), "")).toEqual({ ok: true, value: undefined });
  });

  it("sends text as typed, and the empty text for a required text input", () => {
    expect(parseField(input("text"), " 42 ")).toEqual({ ok: true, value: " 42 " });
    expect(parseField(input("text", true), "")).toEqual({ ok: true, value: "" });
  });

  it("reads bool from a checkbox or from true/false", () => {
    expect(parseField(input("bool"), false)).toEqual({ ok: true, value: false });
    expect(parseField(input("bool"), "true")).toEqual({ ok: true, value: true });
    expect(parseField(input("bool"), "yes").ok).toBe(false);
  });

  it("wants a JSON array for list and a JSON object for dict", () => {
    expect(parseField(input("list"), "[1, 2]")).toEqual({ ok: true, value: [1, 2] });
    expect(parseField(input("list"), '{"a": 1}').ok).toBe(false);
    expect(parseField(input("dict"), '{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseField(input("dict"), "[1]").ok).toBe(false);
    expect(parseField(input("dict"), "{a: 1}").ok).toBe(false);
  });

  it("reads any as a pin does, plus JSON lists, objects and null; none is always null", () => {
    expect(parseField(input("any"), "3")).toEqual({ ok: true, value: 3 });
    expect(parseField(input("any"), '"3"')).toEqual({ ok: true, value: "3" });
    expect(parseField(input("any"), "hello")).toEqual({ ok: true, value: "hello" });
    expect(parseField(input("any"), "[1]")).toEqual({ ok: true, value: [1] });
    expect(parseField(input("any"), "null")).toEqual({ ok: true, value: null });
    expect(parseField(input("any"), "[oops")).toEqual({ ok: true, value: "[oops" });
    expect(parseField(input("none"), "")).toEqual({ ok: true, value: null });
  });
});

const SIGNATURE: Signature = {
  inputs: [
    { name: "a", type: "int", required: true, default: null, description: "" },
    { name: "b", type: "number", required: false, default: 2, description: "" },
    { name: "flag", type: "bool", required: false, default: true, description: "" },
  ],
  outputs: [{ name: "sum", type: "any" }],
};

describe("the inputs a form sends", () => {
  it("sends what was given, leaves empty optional fields out, and marks a missing required one", () => {
    expect(buildInputs(SIGNATURE, { a: "1", b: "", flag: false })).toEqual({ inputs: { a: 1, flag: false }, errors: {} });
    expect(buildInputs(SIGNATURE, { a: "", b: "x", flag: true })).toEqual({ inputs: { flag: true }, errors: { a: "Required.", b: "Must be a number." } });
  });

  it("starts from the remembered values of inputs that still exist; a bool from its default", () => {
    expect(initialFields(SIGNATURE, null)).toEqual({ a: "", b: "", flag: true });
    expect(initialFields(SIGNATURE, { a: "5", gone: "x", flag: false })).toEqual({ a: "5", b: "", flag: false });
  });

  it("puts each server sentence beside the input it names, the rest apart", () => {
    const sentences = [
      "Input 'a' must be a whole number (int), got text.",
      "Input 'zz' is not an input of this graph (inputs: 'a', 'b').",
      "inputs must be JSON.",
    ];
    expect(serverErrors(sentences, ["a", "b"])).toEqual({ byName: { a: sentences[0] }, other: [sentences[1], sentences[2]] });
  });
});

describe("remembered values", () => {
  class MemoryStorage {
    items = new Map<string, string>();
    getItem(key: string) {
      return this.items.get(key) ?? null;
    }
    setItem(key: string, value: string) {
      this.items.set(key, value);
    }
  }

  it("keeps the last values per user and graph, and ignores what is not of their shape", () => {
    const storage = new MemoryStorage();
    expect(recallFields(storage, 1, 7)).toBeNull();
    expect(rememberFields(storage, 1, 7, { a: "3", flag: true })).toBe(true);
    expect(recallFields(storage, 1, 7)).toEqual({ a: "3", flag: true });
    expect(recallFields(storage, 1, 8)).toBeNull();
    expect(recallFields(storage, 2, 7)).toBeNull();
    storage.setItem("nodeengine.runInputs.1.9", '{"a": [1]}');
    expect(recallFields(storage, 1, 9)).toBeNull();
    storage.setItem("nodeengine.runInputs.1.10", "not json");
    expect(recallFields(storage, 1, 10)).toBeNull();
    expect(rememberFields(null, 1, 7, {})).toBe(false);
  });
});

describe("the outputs table", () => {
  it("has a row per output, name then value; lists and dicts as JSON text", () => {
    expect(outputsTable({ sum: 3, label: "x", none: null, items: [1, 2], map: { a: 1 } })).toEqual({
      columns: ["name", "value"],
      rows: [
        ["sum", 3],
        ["label", "x"],
        ["none", null],
        ["items", "[1,2]"],
        ["map", '{"a":1}'],
      ],
      total: 5,
    });
  });
});
