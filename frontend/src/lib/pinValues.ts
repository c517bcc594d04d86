// Text typed into an any-typed pin field, to the JSON scalar stored in node.data.inputs, and back.
// A field shows text, the graph stores JSON: these two keep the round trip exact, so that what is
// shown always parses back to what is stored.

import type { PinValue } from "./types";

// JSON's number grammar (RFC 8259), not JavaScript's: no hex, no "Infinity", no "1.", no "+1".
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * What the text typed into an `any` field stores: a number for JSON number syntax, true/false as
 * booleans, a double-quoted text as the JSON string it denotes (so `"42"` stores the text 42),
 * anything else as the raw text. Empty text stores nothing (undefined: the port's default).
 */
export function parseAnyPin(text: string): PinValue | undefined {
  if (text === "") return undefined;
  const trimmed = text.trim();
  if (JSON_NUMBER.test(trimmed)) {
    const n = Number(trimmed);
    // 1e999 is valid JSON syntax but no finite number: keep what was typed rather than Infinity.
    return Number.isFinite(n) ? n : text;
  }
  if (trimmed === "true") return true;
  if (trimmed === "false") return false;
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) {
    try {
      const value: unknown = JSON.parse(trimmed);
      if (typeof value === "string") return value;
    } catch {
      // Not a valid JSON string (e.g. `"a"b"`): it is just text.
    }
  }
  return text;
}

/**
 * The text an `any` field shows for a stored value: as typed where that parses back to the same
 * value, else a string in JSON quotes (the text "42", "true" or "" would otherwise read back as a
 * number, a boolean or nothing).
 */
export function formatAnyPin(value: PinValue | undefined): string {
  if (value === undefined) return "";
  if (typeof value !== "string") return String(value);
  return parseAnyPin(value) === value ? value : JSON.stringify(value);
}

/** A JSON scalar as a pin value; anything else (null, lists, objects) counts as not typed. */
export function asPinValue(value: unknown): PinValue | undefined {
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  return undefined;
}

/**
 * What a number field stores for its text: a finite number (an integer for `int`), undefined to
 * clear it when empty, or null while the text is not (yet) a number, e.g. "-" or "1.".
 */
export function parseNumberPin(text: string, integer: boolean): number | undefined | null {
  if (text.trim() === "") return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) return null;
  return n;
}

/** The hint an empty field shows: the port's default, nothing when it has none. */
export function defaultHint(value: unknown, anyType: boolean): string {
  if (value === undefined || value === null || value === "") return "";
  const scalar = asPinValue(value);
  if (scalar === undefined) return JSON.stringify(value) ?? "";
  return anyType ? formatAnyPin(scalar) : String(scalar);
}
