import { describe, expect, it } from "vitest";

import { codeNodeFunction, functionName } from "./codeNodeFunction";

describe("a Python code node as a function", () => {
  it("makes its inputs the parameters and its one output the returned value, typed Any", () => {
    expect(codeNodeFunction({ code: "result = a * 2\n", inputs: "a", outputs: "result", label: "Double it" })).toBe(
      [
        "from typing import Any",
        "",
        "",
        "def double_it(a: Any) -> Any:",
        '    """Made from the Python code node “Double it”."""',
        "    result = None",
        "    result = a * 2",
        "    return result",
        "",
      ].join("\n"),
    );
  });

  it("returns several outputs as a NamedTuple whose fields are the outputs' names", () => {
    const source = codeNodeFunction({ code: "if a > b:\n\tlow, high = b, a\nelse:\n    low, high = a, b", inputs: " a, b ,a", outputs: "low,high" });
    expect(source).toContain("from typing import Any, NamedTuple");
    expect(source).toContain("class _Outputs(NamedTuple):\n    low: Any\n    high: Any\n");
    expect(source).toContain("def code_node(a: Any, b: Any) -> _Outputs:");
    // Indented into the body; a leading tab as Python reads it (to the next multiple of 8).
    expect(source).toContain("    if a > b:\n            low, high = b, a\n    else:\n        low, high = a, b\n");
    expect(source).toContain("    return _Outputs(low, high)\n");
  });

  it("has no data output without outputs, an output that is also an input is not reset, and empty code is `pass`", () => {
    const none = codeNodeFunction({ code: "", inputs: "x", outputs: "" });
    expect(none).toContain("def code_node(x: Any) -> None:");
    expect(none).toContain("    pass\n");
    expect(none).not.toContain("return");
    const same = codeNodeFunction({ code: "x += 1", inputs: "x", outputs: "x" });
    expect(same).not.toContain("x = None");
    expect(same).toContain("    return x\n");
  });

  it("takes the code node's own defaults for names it does not set", () => {
    const source = codeNodeFunction({ code: "result = a * 2", inputs: undefined, outputs: null }, { inputs: "a", outputs: "result" });
    expect(source).toContain("def code_node(a: Any) -> Any:");
    expect(source).toContain("    return result\n");
  });

  it("names the function after the label, as a public Python name", () => {
    expect(functionName("Moving average (3)")).toBe("moving_average_3");
    expect(functionName("_private")).toBe("private");
    expect(functionName("2 fast")).toBe("fast");
    expect(functionName("class")).toBe("code_node");
    expect(functionName("")).toBe("code_node");
    expect(functionName('say """hi"""')).toBe("say_hi");
  });
});
