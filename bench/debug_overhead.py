"""What debug instrumentation costs a hot loop: the same graph compiled plain and for a debug run
(docs/debugging.md, section 1), each run in a local python3 subprocess.

Run: `.venv/bin/python bench/debug_overhead.py`. The graph: On Start -> Set `total` = 0 -> For
range 1,000,000, whose body sets `total` = (total + index * 3) % 1000003 (three Arithmetic nodes,
a Get variable and a Literal: one probe and six tapped data wires per iteration) -> Print `total`.
Baseline: the plain script, the code a normal Run executes. The debug script runs with a minimal
runtime standing in for the sandbox's (`_ne_hit`/`_ne_stop` lists, a `_ne_pause` and a `_ne_tap`
that do nothing), so the table shows the cost of the instrumentation alone, not of the runner's
tracer thread. Times are the child's CPU seconds spent executing the script (start-up and
compiling the text left out; CPU time, so other load on the machine matters less), the best of
RUNS x REPEATS runs, the scripts interleaved. Target: debug within 3x plain.

Rows that show where the cost goes: the debug script with its taps removed (probes only); with
every tap made a `_ne_tap(e, x)` call instead of an assignment expression (what the compiler uses
only where `:=` is not allowed); the plain script under a do-nothing `sys.settrace` line tracer
(the hook pdb is built on). And for scale, the same loop in a graph Function's body, where the
loop index is a fast local (`total`, a variable, is global either way) while each tap is a store
to a module global.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nodeengine.settings")

from graphs.compiler import compile_graph

ITERATIONS = 1_000_000
RUNS = 5  # subprocesses per script, interleaved
REPEATS = 3  # executions in each (a fresh module each time)
TARGET = 3.0

# Runs one script REPEATS times as `__main__` from main.py, as the sandbox's runner does, and prints
# the fewest CPU seconds an execution took (interpreter start-up and compiling are left out).
DRIVER = r"""
import sys, time, types
source, mode, nodes, repeats = sys.stdin.read(), sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
code = compile(source, "main.py", "exec", dont_inherit=True)
def _ne_pause(k):
    pass
def _ne_tap(e, value):
    return value
def tracer(frame, event, arg):
    return tracer
best = None
for _ in range(repeats):
    module = types.ModuleType("__main__")
    namespace = module.__dict__
    if mode == "debug":
        namespace.update(_ne_hit=[0] * nodes, _ne_stop=[False] * nodes, _ne_pause=_ne_pause,
                         _ne_tap=_ne_tap)
    if mode == "settrace":
        sys.settrace(tracer)
    started = time.process_time()
    exec(code, namespace)
    elapsed = time.process_time() - started
    sys.settrace(None)
    best = elapsed if best is None else min(best, elapsed)
print(f"{best!r}", file=sys.stderr)
"""


def make_graph(iterations: int = ITERATIONS, in_function: bool = False) -> dict:
    """The loop at the top level of the script, or in a graph Function that On Start calls."""
    nodes: list[dict] = []
    edges: list[dict] = []

    def add(node_id: str, type_: str, y: int, inputs: dict | None = None, **params: object) -> None:
        data: dict = {"params": params}
        if inputs:
            data["inputs"] = inputs
        nodes.append({"id": node_id, "type": type_, "position": {"x": 0, "y": y}, "data": data})

    def wire(source: str, source_port: str, target: str, target_port: str) -> None:
        edges.append(
            {
                "id": f"{source}.{source_port}->{target}.{target_port}",
                "source": source,
                "sourceHandle": source_port,
                "target": target,
                "targetHandle": target_port,
            }
        )

    add("start", "on_start", 0)
    add("init", "set_variable", 1, {"value": 0}, name="total")
    add("loop", "for_range", 2, {"stop": iterations})
    add("get", "get_variable", 3, name="total")
    add("three", "literal", 3, kind="number", value="3")
    add("times", "arithmetic", 3, op="*")
    add("plus", "arithmetic", 3, op="+")
    add("mod", "arithmetic", 3, {"b": 1_000_003}, op="%")
    add("set", "set_variable", 4, name="total")
    add("get_after", "get_variable", 5, name="total")
    add("print", "print", 5)
    if in_function:
        add("def", "function_def", -10, name="work", parameters="")
        add("call", "call_function", 1, function="work", arguments="")
        wire("def", "body", "init", "exec")
        wire("start", "next", "call", "exec")
        wire("call", "next", "print", "exec")
    else:
        wire("start", "next", "init", "exec")
        wire("loop", "next", "print", "exec")
    wire("init", "next", "loop", "exec")
    wire("loop", "body", "set", "exec")
    wire("loop", "index", "times", "a")
    wire("three", "value", "times", "b")
    wire("get", "value", "plus", "a")
    wire("times", "result", "plus", "b")
    wire("plus", "result", "mod", "a")
    wire("mod", "result", "set", "value")
    wire("get_after", "value", "print", "value")
    return {"nodes": nodes, "edges": edges}


class _Untapped(ast.NodeTransformer):
    """The debug script without its taps: `(_ne_v3 := x)` -> `x`."""

    def visit_NamedExpr(self, node: ast.NamedExpr) -> ast.AST:
        self.generic_visit(node)
        return node.value if node.target.id.startswith("_ne_v") else node


class _TapCalls(ast.NodeTransformer):
    """The debug script with every tap a call: `(_ne_v3 := x)` -> `_ne_tap(3, x)`."""

    def visit_NamedExpr(self, node: ast.NamedExpr) -> ast.AST:
        self.generic_visit(node)
        if not node.target.id.startswith("_ne_v"):
            return node
        index = int(node.target.id.removeprefix("_ne_v"))
        return ast.Call(ast.Name("_ne_tap", ast.Load()), [ast.Constant(index), node.value], [])


def rewritten(code: str, transformer: ast.NodeTransformer) -> str:
    tree = transformer.visit(ast.parse(code))
    tree.body = [s for s in tree.body if not isinstance(s, ast.Global)]
    for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        kept = [s for s in function.body if not _declares_taps(s)]
        function.body = kept or [ast.Pass()]
    return ast.unparse(ast.fix_missing_locations(tree))


def _declares_taps(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Global) and all(n.startswith("_ne_v") for n in statement.names)


def python3() -> str:
    return shutil.which("python3") or sys.executable


def run_seconds(interpreter: str, code: str, mode: str, nodes: int) -> tuple[float, str]:
    completed = subprocess.run(
        [interpreter, "-I", "-c", DRIVER, mode, str(nodes), str(REPEATS)],
        input=code,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return float(completed.stderr.strip().splitlines()[-1]), completed.stdout


def hot_loop(code: str) -> str:
    """The script's `for` statement and its body."""
    lines = code.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("for "))
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines) and len(lines[end]) - len(lines[end].lstrip()) > indent:
        end += 1
    return "\n".join(lines[start:end])


def main() -> None:
    interpreter = python3()
    version = subprocess.run(
        [interpreter, "-c", "import sys; print(sys.version.split()[0])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    cases: list[tuple[str, str, str, int]] = []  # label, code, driver mode, node count
    shown: dict[str, str] = {}
    for in_function in (False, True):
        graph = make_graph(in_function=in_function)
        plain, debug = compile_graph(graph), compile_graph(graph, debug=True)
        assert not plain.has_errors and not debug.has_errors, plain.diagnostics
        assert debug.debug is not None
        nodes = len(debug.debug.nodes)
        where = "in a Function: " if in_function else ""
        cases += [
            (where + "plain script (baseline)", plain.code, "plain", nodes),
            (where + "debug script", debug.code, "debug", nodes),
        ]
        if not in_function:
            shown = {"plain": plain.code, "debug": debug.code}
            cases += [
                (
                    "debug, probes only (no taps)",
                    rewritten(debug.code, _Untapped()),
                    "debug",
                    nodes,
                ),
                (
                    "debug, taps as _ne_tap() calls",
                    rewritten(debug.code, _TapCalls()),
                    "debug",
                    nodes,
                ),
                ("plain under a no-op sys.settrace", plain.code, "settrace", nodes),
            ]
    best: dict[str, float] = {}
    outputs: dict[str, set[str]] = {}
    for _ in range(RUNS):  # interleaved, so a noisy moment hurts every row alike
        for label, code, mode, nodes in cases:
            seconds, output = run_seconds(interpreter, code, mode, nodes)
            best[label] = min(best.get(label, seconds), seconds)
            outputs.setdefault(label, set()).add(output)
    printed = {output for found in outputs.values() for output in found}
    assert len(printed) == 1, outputs  # every variant prints the same total
    print(
        f"For range of {ITERATIONS:,} with arithmetic and a Set variable; {interpreter} "
        f"(Python {version}); CPU seconds, best of {RUNS * REPEATS} runs\n"
    )
    print(f"{'script':<42} {'seconds':>8} {'ns/iteration':>13} {'x plain':>8}")
    for label, _, _, _ in cases:
        if label.startswith("in a Function") and label.endswith("(baseline)"):
            print()
        base = best[
            "in a Function: plain script (baseline)"
            if label.startswith("in a")
            else "plain script (baseline)"
        ]
        seconds = best[label]
        print(
            f"{label:<42} {seconds:>8.3f} {seconds / ITERATIONS * 1e9:>13.0f} "
            f"{seconds / base:>7.2f}x"
        )
    ratio = best["debug script"] / best["plain script (baseline)"]
    verdict = "meets" if ratio <= TARGET else "MISSES"
    print(f"\ndebug / plain = {ratio:.2f}x ({verdict} the target of <= {TARGET:.0f}x)")
    print("\nThe plain script's hot loop:\n")
    print(hot_loop(shown["plain"]))
    print("\nThe debug script's hot loop:\n")
    print(hot_loop(shown["debug"]))


if __name__ == "__main__":
    main()
