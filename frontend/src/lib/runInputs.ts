// Running a graph with inputs (docs/interfaces.md, "Graph inputs and outputs"): the form the Run
// button opens when the graph has Graph input nodes. Pure logic only: what a field's text means
// for its input's type, what the form sends, the values remembered per graph in this browser,
// the server's `bad_inputs` sentences by field, and the outputs as a console table.

import { z } from "zod";

import { parseAnyPin } from "./pinValues";
import type { TableData } from "./schemas";
import type { Signature, SignatureInput } from "./signature";

/** What a field holds: text, or a checkbox's state for a `bool` input. */
export type FieldValue = string | boolean;
export type FieldValues = Record<string, FieldValue>;

export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const OMITTED: Parsed = { ok: true, value: undefined };

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * The value a field's text gives its input, by the input's type (the server checks the same rule,
 * execution/web/run_inputs.py): `undefined` leaves the input out (its default applies), an error
 * says what the type wants. Empty text is left out, except for a required `text` input (the empty
 * text) and a `none` input (null).
 */
export function parseField(input: Pick<SignatureInput, "type" | "required">, field: FieldValue | undefined): Parsed {
  const type = input.type;
  if (type === "bool") {
    if (typeof field === "boolean") return { ok: true, value: field };
    const text = (field ?? "").trim();
    if (text === "") return OMITTED;
    if (text === "true" || text === "false") return { ok: true, value: text === "true" };
    return { ok: false, error: "Must be true or false." };
  }
  const text = typeof field === "boolean" ? String(field) : (field ?? "");
  if (type === "none") return { ok: true, value: null };
  if (type === "text") return text === "" && !input.required ? OMITTED : { ok: true, value: text };
  const trimmed = text.trim();
  if (trimmed === "") return OMITTED;
  switch (type) {
    case "int":
    case "number":
    case "float": {
      const n = Number(trimmed);
      if (!JSON_NUMBER.test(trimmed) || !Number.isFinite(n)) return { ok: false, error: type === "int" ? "Must be a whole number." : "Must be a number." };
      if (type === "int" && !Number.isInteger(n)) return { ok: false, error: "Must be a whole number." };
      if (type === "int" && !Number.isSafeInteger(n)) return { ok: false, error: "Must be a whole number within ±2^53." };
      return { ok: true, value: n };
    }
    case "list":
    case "dict": {
      const parsed = parseJson(trimmed);
      const isList = parsed.ok && Array.isArray(parsed.value);
      const isDict = parsed.ok && typeof parsed.value === "object" && parsed.value !== null && !Array.isArray(parsed.value);
      if (type === "list" ? isList : isDict) return { ok: true, value: parsed.ok ? parsed.value : null };
      return { ok: false, error: type === "list" ? "Must be a JSON list, e.g. [1, 2]." : 'Must be a JSON object, e.g. {"a": 1}.' };
    }
    default: {
      // any: a JSON list, object or null as such; else as an `any` pin reads it (number, bool, "text", text).
      if (/^[[{]/.test(trimmed) || trimmed === "null") {
        const parsed = parseJson(trimmed);
        if (parsed.ok) return { ok: true, value: parsed.value };
      }
      return { ok: true, value: parseAnyPin(text) };
    }
  }
}

/** The text a field shows for a value of its type (a default as the placeholder, say). */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value) ?? "";
}

export interface BuiltInputs {
  inputs: Record<string, unknown>;
  /** Field errors by input name; the form is not sent while there is one. */
  errors: Record<string, string>;
}

/** The `inputs` of a run from the form's fields; a required input left empty is an error here already. */
export function buildInputs(signature: Signature, fields: FieldValues): BuiltInputs {
  const inputs: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const input of signature.inputs) {
    const parsed = parseField(input, fields[input.name]);
    if (!parsed.ok) errors[input.name] = parsed.error;
    else if (parsed.value !== undefined) inputs[input.name] = parsed.value;
    else if (input.required) errors[input.name] = "Required.";
  }
  return { inputs, errors };
}

/** The fields a form starts with: the remembered values of inputs that still exist (a bool unchecked, else empty). */
export function initialFields(signature: Signature, remembered: FieldValues | null): FieldValues {
  const fields: FieldValues = {};
  for (const input of signature.inputs) {
    const last = remembered?.[input.name];
    if (input.type === "bool") fields[input.name] = typeof last === "boolean" ? last : input.default === true;
    else fields[input.name] = typeof last === "string" ? last : "";
  }
  return fields;
}

/**
 * The server's `errors.inputs` sentences (execution/web/run_inputs.py names each input first:
 * "Input 'a' must be ...") by field; a sentence naming no input of the form goes to `other`.
 */
export function serverErrors(sentences: readonly string[], names: readonly string[]): { byName: Record<string, string>; other: string[] } {
  const byName: Record<string, string> = {};
  const other: string[] = [];
  const known = new Set(names);
  for (const sentence of sentences) {
    const name = /^Input (['"])(.*?)\1/.exec(sentence)?.[2];
    if (name !== undefined && known.has(name)) byName[name] = byName[name] ? `${byName[name]} ${sentence}` : sentence;
    else other.push(sentence);
  }
  return { byName, other };
}

// ---------------------------------------------------------------- remembered per graph

type KeyValueStorage = Pick<Storage, "getItem" | "setItem">;

const REMEMBERED_PREFIX = "nodeengine.runInputs.";
const rememberedSchema = z.record(z.string(), z.union([z.string(), z.boolean()]));

/** The fields last sent for graph `graphId` in this browser (per user), or null. */
export function recallFields(storage: KeyValueStorage | null, user: string | number, graphId: number): FieldValues | null {
  try {
    const text = storage?.getItem(`${REMEMBERED_PREFIX}${user}.${graphId}`);
    if (!text) return null;
    const parsed = rememberedSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Keeps the fields sent for graph `graphId`; false when the browser refused (storage full or off). */
export function rememberFields(storage: KeyValueStorage | null, user: string | number, graphId: number, fields: FieldValues): boolean {
  if (!storage) return false;
  try {
    storage.setItem(`${REMEMBERED_PREFIX}${user}.${graphId}`, JSON.stringify(fields));
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- the outputs of a run

/** A `result` event's outputs as the console's table: one row per output, name then value. */
export function outputsTable(outputs: Readonly<Record<string, unknown>>): TableData {
  const rows = Object.entries(outputs).map(([name, value]): [string, string | number | boolean | null] => [
    name,
    value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : (JSON.stringify(value) ?? String(value)),
  ]);
  return { columns: ["name", "value"], rows, total: rows.length };
}
