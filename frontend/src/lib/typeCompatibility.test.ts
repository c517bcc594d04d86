// Every pair of data types, checked against the table the backend serves with the catalogue. The
// same rows (tests/fixtures/type_compatibility.json) are checked against the compiler by pytest,
// so editor and compiler cannot drift apart.
import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import { typeCompatibility } from "../test/fixtures";
import { typesCompatible } from "./graph";

type Row = [from: string, to: string, allowed: boolean];

const shared = JSON.parse(readFileSync(new URL("../../../tests/fixtures/type_compatibility.json", import.meta.url), "utf8")) as { rows: Row[] };

describe("type compatibility shared with the compiler", () => {
  it("covers every pair of the nine data types", () => {
    expect(shared.rows).toHaveLength(81);
    expect(new Set(shared.rows.map(([from, to]) => `${from}->${to}`)).size).toBe(81);
  });

  it.each(shared.rows)("%s -> %s allowed: %s", (from, to, allowed) => {
    expect(typesCompatible(from, to, typeCompatibility)).toBe(allowed);
  });
});
