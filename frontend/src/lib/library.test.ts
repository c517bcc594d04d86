import { describe, expect, it } from "vitest";

import { catalogue, node, typeCompatibility } from "../test/fixtures";
import { checkConnection, defaultParams, portsOf, pruneDanglingEdges } from "./graph";
import { LIBRARY_CATEGORY, libraryIdOf, libraryOf, libraryType, mergeLibrary, pinnedDefOf, withLibraryVersion } from "./library";
import type { NodeTypeDef, PortDef } from "./types";

const exec: PortDef[] = [
  { id: "exec", direction: "input", kind: "exec", label: "" },
  { id: "next", direction: "output", kind: "exec", label: "" },
];

/** The node a function `scale(x: float, factor: float = 2, mode: Literal["up", "down"]) -> float` defines. */
const V1: NodeTypeDef = {
  type: "lib:7",
  category: "",
  title: "scale",
  description: "Scales a number.\nMore.",
  ports: [
    ...exec,
    { id: "in:x", direction: "input", kind: "data", type: "float", label: "x" },
    { id: "in:factor", direction: "input", kind: "data", type: "float", label: "factor", default: 2 },
    { id: "result", direction: "output", kind: "data", type: "float", label: "result" },
  ],
  params: [{ id: "arg:mode", label: "mode", kind: "select", default: "up", choices: [{ value: "up" }, { value: "down" }] }],
};
/** Version 2: `factor` gone, a tuple returned (`out:0`, `out:1`), and `# node: pure` (no exec pins). */
const V2: NodeTypeDef = {
  ...V1,
  ports: [
    { id: "in:x", direction: "input", kind: "data", type: "float", label: "x" },
    { id: "out:0", direction: "output", kind: "data", type: "float", label: "0" },
    { id: "out:1", direction: "output", kind: "data", type: "float", label: "1" },
  ],
};

describe("library node types", () => {
  it("names entries lib:<id> and reads the id back", () => {
    expect(libraryType(7)).toBe("lib:7");
    expect(libraryIdOf("lib:7")).toBe(7);
    expect(libraryIdOf("lib:x")).toBeNull();
    expect(libraryIdOf("lib:0")).toBeNull();
    expect(libraryIdOf("print")).toBeNull();
    expect(libraryIdOf(undefined)).toBeNull();
  });

  it("merges the user's entries into the catalogue beside the built-in types, untouched", () => {
    const merged = mergeLibrary(catalogue, [{ id: 7, name: "scale", version: 1, node: V1 }]);
    expect(merged.print).toBe(catalogue.print);
    expect(Object.keys(merged)).toHaveLength(Object.keys(catalogue).length + 1);
    const def = merged["lib:7"];
    expect(def?.category).toBe(LIBRARY_CATEGORY); // the entry's node names none
    expect(libraryOf(def)?.latest).toBe(1);
    expect(libraryOf(catalogue.print)).toBeNull();
    // Placed: pinned to the latest version, its select param at its default.
    expect(def && defaultParams(def)).toEqual({ "arg:mode": "up", version: 1 });
  });

  it("gives a placed node the ports of the version it pins, and none while that version is unknown", () => {
    let merged = mergeLibrary(catalogue, [{ id: 7, name: "scale", version: 1, node: V1 }]);
    merged = withLibraryVersion(merged, { id: 7, name: "scale", version: 2, node: V2 }, true);
    const def = merged["lib:7"];
    expect(libraryOf(def)?.latest).toBe(2);
    expect(def?.ports).toBe(V2.ports); // the palette shows the latest
    expect(portsOf(def, { version: 1 }).map((p) => p.id)).toEqual(["exec", "next", "in:x", "in:factor", "result"]);
    expect(portsOf(def, { version: 2 }).map((p) => p.id)).toEqual(["in:x", "out:0", "out:1"]);
    expect(portsOf(def, { version: 3 })).toEqual([]);
    expect(def && pinnedDefOf(def, { version: 1 })?.params[0]?.id).toBe("arg:mode");
  });

  it("keeps the versions it read when the list is read again, and an older version read later does not become the latest", () => {
    let merged = mergeLibrary(catalogue, [{ id: 7, name: "scale", version: 2, node: V2 }]);
    merged = withLibraryVersion(merged, { id: 7, name: "scale", version: 1, node: V1 }, false);
    expect(libraryOf(merged["lib:7"])?.latest).toBe(2);
    expect(merged["lib:7"]?.ports).toBe(V2.ports);
    merged = mergeLibrary(merged, [{ id: 7, name: "scaled", version: 2, node: V2 }]);
    expect([...(libraryOf(merged["lib:7"])?.versions.keys() ?? [])].sort()).toEqual([1, 2]);
    expect(libraryOf(merged["lib:7"])?.name).toBe("scaled");
  });

  it("wires a library node by the pinned version's port types, and never drops its wires", () => {
    const merged = mergeLibrary(catalogue, [{ id: 7, name: "scale", version: 1, node: V1 }]);
    const nodes = [node("n", "arithmetic"), node("s", "lib:7", { version: 1 }), node("p", "print")];
    const fits = checkConnection({ source: "n", sourceHandle: "result", target: "s", targetHandle: "in:x" }, nodes, [], merged, typeCompatibility);
    expect(fits.ok).toBe(true);
    const unknown = checkConnection({ source: "n", sourceHandle: "result", target: "s", targetHandle: "in:zzz" }, nodes, [], merged, typeCompatibility);
    expect(unknown.ok).toBe(false);
    const edges = [{ id: "e", source: "s", sourceHandle: "out:gone", target: "p", targetHandle: "value" }];
    expect(pruneDanglingEdges(nodes, edges, merged, "s")).toEqual(edges);
  });
});
