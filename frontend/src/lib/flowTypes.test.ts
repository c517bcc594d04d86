import { describe, expect, it } from "vitest";

import { catalogueResponse } from "../test/fixtures";
import { catalogueType, flowNodeType } from "./flowTypes";

describe("catalogue types as React Flow node types", () => {
  it("never names a React Flow built-in, and maps back", () => {
    for (const t of ["input", "output", "default", "group"]) {
      expect(flowNodeType(t)).not.toBe(t);
      expect(catalogueType(flowNodeType(t))).toBe(t);
    }
    for (const def of catalogueResponse.nodes) expect(catalogueType(flowNodeType(def.type))).toBe(def.type);
    expect(flowNodeType("print")).toBe("print");
  });
});
