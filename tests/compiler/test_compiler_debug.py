"""Debug compiles (docs/debugging.md, section 1; docs/catalogue.md, "Debug instrumentation"): the
same program as a plain compile, plus probes that count and pause statement nodes and taps that
keep the value each data wire carried. The scripts run here in-process, with a minimal stand-in
for the sandbox's runtime (`_ne_hit`, `_ne_stop`, `_ne_pause`, `_ne_tap`)."""

from __future__ import annotations

import ast
import contextlib
import io
import re
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from graphs.catalogue import NODE_TYPES
from graphs.compiler import compile_graph, snapshots_resolver
from graphs.compiler.assemble import assemble
from graphs.compiler.codegen import TAPS_KEY
from graphs.compiler.debug import instrument
from graphs.compiler.result import DebugInfo
from tests.budget import examples
from tests.compiler.test_compiler_exec_semantics import exec_graphs
from tests.compiler.test_compiler_golden import CASES, chain, edge, lit, node
from tests.compiler.test_compiler_properties import ALL_TYPES, LOOP_FREE, graphs

INSTRUMENTATION = re.compile(r"_ne_(?:stop\[(\d+)\]|pause\((\d+)\)|hit\[(\d+)\])")


class Runtime:
    """What the sandbox's runner gives a debug script, reduced to recording what it is told."""

    def __init__(self, info: DebugInfo, stdin: str = "") -> None:
        self.info = info
        self.hit = [0] * len(info.nodes)
        self.stop = [False] * len(info.nodes)
        self.pauses: list[tuple[str, str]] = []  # (node id, stdout so far)
        self.taps: list[tuple[int, Any]] = []
        self.out = io.StringIO()
        self.stdin = stdin
        self.namespace: dict[str, Any] = {}
        self.watch: str | None = None  # a global to note at each pause
        self.watched: list[Any] = []

    def break_at(self, node_id: str) -> None:
        self.stop[self.info.nodes.index(node_id)] = True

    def _ne_pause(self, k: int) -> None:
        self.pauses.append((self.info.nodes[k], self.out.getvalue()))
        if self.watch is not None:
            self.watched.append(self.namespace.get(self.watch))

    def _ne_tap(self, e: int, value: Any) -> Any:
        self.taps.append((e, value))
        return value

    def run(self, code: str) -> str:
        self.namespace = {
            "__name__": "__main__",
            "_ne_hit": self.hit,
            "_ne_stop": self.stop,
            "_ne_pause": self._ne_pause,
            "_ne_tap": self._ne_tap,
        }
        run_script(code, self.namespace, self.stdin, self.out)
        return self.out.getvalue()

    def hits(self) -> dict[str, int]:
        return {self.info.nodes[k]: self.hit[k] for k in self.info.stoppable}

    def value(self, edge_id: str) -> Any:
        return self.namespace[f"_ne_v{self.info.edges.index(edge_id)}"]

    def tapped(self, edge_id: str) -> bool:
        return f"_ne_v{self.info.edges.index(edge_id)}" in self.namespace


def run_script(code: str, namespace: dict, stdin: str = "", out: io.StringIO | None = None) -> str:
    out = out if out is not None else io.StringIO()
    saved_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "main.py", "exec", dont_inherit=True), namespace)
    finally:
        sys.stdin = saved_stdin
    return out.getvalue()


def plain_output(graph: dict, stdin: str = "") -> str:
    result = compile_graph(graph)
    assert not result.has_errors, result.diagnostics
    return run_script(result.code, {"__name__": "__main__"}, stdin)


def debug_compile(graph: dict) -> tuple[str, DebugInfo]:
    result = compile_graph(graph, debug=True)
    assert not result.has_errors, result.diagnostics
    assert result.debug is not None
    return result.code, result.debug


def loop_variable_function() -> dict:
    """Set total = 0; For range 4: total = total + index; Print double(total), where the
    Function double(n) keeps n in the variable `last` and returns n * 2."""
    nodes = [
        node("start", "on_start"),
        node("init", "set_variable", 1, name="total"),
        node("loop", "for_range", 2),
        node("get", "get_variable", 3, name="total"),
        node("add", "arithmetic", 3, op="+"),
        node("set", "set_variable", 4, name="total"),
        node("call", "call_function", 5, function="double", arguments="n"),
        node("show", "print", 6),
        node("def", "function_def", -10, name="double", parameters="n"),
        node("keep", "set_variable", -9, name="last"),
        node("times", "arithmetic", -8, op="*"),
        lit("two", "2"),
        node("ret", "return", -7),
    ]
    nodes[1]["data"]["inputs"] = {"value": 0}
    nodes[2]["data"]["inputs"] = {"stop": 4}
    edges = [
        *chain("start", "init", "loop"),
        edge("loop", "body", "set", "exec"),
        edge("loop", "next", "call", "exec"),
        edge("call", "next", "show", "exec"),
        edge("get", "value", "add", "a"),
        edge("loop", "index", "add", "b"),
        edge("add", "result", "set", "value"),
        edge("get", "value", "call", "arg:n"),
        edge("call", "result", "show", "value"),
        edge("def", "body", "keep", "exec"),
        edge("keep", "next", "ret", "exec"),
        edge("def", "arg:n", "keep", "value"),
        edge("def", "arg:n", "times", "a"),
        edge("two", "value", "times", "b"),
        edge("times", "result", "ret", "value"),
    ]
    return {"nodes": nodes, "edges": edges}


EXPECTED_SCRIPT = """\
def double(n):
    global _ne_v0, _ne_v1, _ne_v2, _ne_v3
    global last
    if _ne_stop[1]:
        _ne_pause(1)
    _ne_hit[1] += 1
    last = (_ne_v0 := n)
    if _ne_stop[2]:
        _ne_pause(2)
    _ne_hit[2] += 1
    return (_ne_v1 := (_ne_v2 := n) * (_ne_v3 := 2))


if _ne_stop[3]:
    _ne_pause(3)
_ne_hit[3] += 1
total = 0
if _ne_stop[4]:
    _ne_pause(4)
_ne_hit[4] += 1
for index in range(4):
    if _ne_stop[5]:
        _ne_pause(5)
    _ne_hit[5] += 1
    total = (_ne_v4 := (_ne_v5 := total) + (_ne_v6 := index))
if _ne_stop[6]:
    _ne_pause(6)
_ne_hit[6] += 1
result = double((_ne_v7 := total))
if _ne_stop[7]:
    _ne_pause(7)
_ne_hit[7] += 1
print((_ne_v8 := result))
"""


def test_debug_info_of_a_loop_a_variable_and_a_function() -> None:
    code, info = debug_compile(loop_variable_function())
    assert code == EXPECTED_SCRIPT
    assert info.nodes == ["def", "keep", "ret", "init", "loop", "set", "call", "show"]
    assert info.stoppable == [1, 2, 3, 4, 5, 6, 7]  # statement nodes; not the def
    assert info.edges == [
        "def:arg:n->keep:value",
        "times:result->ret:value",
        "def:arg:n->times:a",
        "two:value->times:b",
        "add:result->set:value",
        "get:value->add:a",
        "loop:index->add:b",
        "get:value->call:arg:n",
        "call:result->show:value",
    ]
    by_node = {"def": [1, 2, 3], "keep": [4, 5, 6, 7], "ret": [8, 9, 10, 11]}
    by_node |= {"init": [14, 15, 16, 17], "loop": [18, 19, 20, 21], "set": [22, 23, 24, 25]}
    by_node |= {"call": [26, 27, 28, 29], "show": [30, 31, 32, 33]}
    expected = {line: info.nodes.index(n) for n, lines in by_node.items() for line in lines}
    assert info.lines == expected


def test_every_instrumentation_line_maps_to_its_node() -> None:
    result = compile_graph(loop_variable_function(), debug=True)
    info = result.debug
    assert info is not None
    # `lines` is the source map, in indices: the same lines, the same nodes.
    assert {line: info.nodes[k] for line, k in info.lines.items()} == result.source_map
    for number, text in enumerate(result.code.splitlines(), 1):
        for match in INSTRUMENTATION.finditer(text):
            k = int(next(group for group in match.groups() if group is not None))
            assert info.lines[number] == k, (number, text)


def test_the_debug_script_prints_the_same_counts_and_keeps_the_values() -> None:
    graph = loop_variable_function()
    code, info = debug_compile(graph)
    runtime = Runtime(info)
    assert runtime.run(code) == plain_output(graph) == "12\n"
    assert runtime.hits() == {
        "keep": 1,
        "ret": 1,
        "init": 1,
        "loop": 1,  # a loop node runs once; its body's nodes once per iteration
        "set": 4,
        "call": 1,
        "show": 1,
    }
    assert runtime.pauses == []
    assert runtime.taps == []  # assignment expressions everywhere here
    values = {edge_id: runtime.value(edge_id) for edge_id in info.edges}
    assert values == {
        "def:arg:n->keep:value": 6,
        "times:result->ret:value": 12,
        "def:arg:n->times:a": 6,
        "two:value->times:b": 2,
        "add:result->set:value": 6,  # the last iteration's: 3 + 3
        "get:value->add:a": 3,
        "loop:index->add:b": 3,
        "get:value->call:arg:n": 6,
        "call:result->show:value": 12,
    }
    assert runtime.namespace["last"] == 6


def test_a_breakpoint_pauses_before_the_node_runs() -> None:
    graph = loop_variable_function()
    code, info = debug_compile(graph)
    runtime = Runtime(info)
    runtime.break_at("show")
    runtime.break_at("set")
    runtime.watch = "total"
    assert runtime.run(code) == "12\n"
    assert runtime.pauses == [("set", "")] * 4 + [("show", "")]  # before Print's own output
    assert runtime.watched == [0, 0, 1, 3, 6]  # `total` before each Set (and at the Print)


def test_a_breakpoint_in_a_loop_pauses_between_outputs() -> None:
    graph = {
        "nodes": [node("s", "on_start"), node("loop", "for_range", 1), node("p", "print", 2)],
        "edges": [*chain("s", "loop"), edge("loop", "body", "p", "exec")],
    }
    graph["nodes"][1]["data"]["inputs"] = {"stop": 3}
    graph["edges"].append(edge("loop", "index", "p", "value"))
    code, info = debug_compile(graph)
    runtime = Runtime(info)
    runtime.break_at("p")
    assert runtime.run(code) == "0\n1\n2\n"
    assert runtime.pauses == [("p", ""), ("p", "0\n"), ("p", "0\n1\n")]
    assert runtime.hits() == {"loop": 1, "p": 3}
    assert runtime.value("loop:index->p:value") == 2


def test_lazy_inputs_stay_lazy() -> None:
    """`count > 0 ? total / count : "no data"` with count 0, and `flag and (1 / count)`."""
    graph = {
        "nodes": [
            node("s", "on_start"),
            node("p", "print", 1),
            node("q", "print", 2),
            lit("count", "0"),
            lit("total", "10"),
            lit("zero", "0"),
            lit("no", "no data", "text"),
            lit("flag", "false", "bool"),
            lit("one", "1"),
            node("cmp", "compare", op=">"),
            node("div", "arithmetic", op="/"),
            node("cond", "conditional"),
            node("div2", "arithmetic", op="/"),
            node("and", "logic", op="and"),
        ],
        "edges": [
            *chain("s", "p", "q"),
            edge("count", "value", "cmp", "a"),
            edge("zero", "value", "cmp", "b"),
            edge("total", "value", "div", "a"),
            edge("count", "value", "div", "b"),
            edge("cmp", "result", "cond", "condition"),
            edge("div", "result", "cond", "if_true"),
            edge("no", "value", "cond", "if_false"),
            edge("cond", "value", "p", "value"),
            edge("one", "value", "div2", "a"),
            edge("count", "value", "div2", "b"),
            edge("flag", "value", "and", "a"),
            edge("div2", "result", "and", "b"),
            edge("and", "result", "q", "value"),
        ],
    }
    code, info = debug_compile(graph)
    runtime = Runtime(info)
    assert runtime.run(code) == plain_output(graph) == "no data\nFalse\n"
    for never in ("div:result->cond:if_true", "total:value->div:a", "count:value->div:b"):
        assert not runtime.tapped(never), never
    for never in ("div2:result->and:b", "one:value->div2:a", "count:value->div2:b"):
        assert not runtime.tapped(never), never
    assert runtime.value("no:value->cond:if_false") == "no data"
    assert runtime.value("cmp:result->cond:condition") is False
    assert runtime.value("cond:value->p:value") == "no data"
    assert runtime.value("flag:value->and:a") is False


def test_a_shared_chain_helper_declares_its_taps_global() -> None:
    """Two On Start chains reach one Print: it becomes `def shared_print()`, called twice."""
    graph = {
        "nodes": [
            node("s1", "on_start"),
            node("first", "print", 1),
            node("s2", "on_start", 10),
            node("second", "print", 11),
            node("both", "print", 20),
            node("get", "get_variable", 20, name="greeting"),
            node("set", "set_variable", 0.5, name="greeting"),
            lit("hello", "hello", "text"),
        ],
        "edges": [
            *chain("s1", "set", "first", "both"),
            *chain("s2", "second", "both"),
            edge("get", "value", "both", "value"),
            edge("hello", "value", "set", "value"),
        ],
    }
    for node_id, text in (("first", "1"), ("second", "2")):
        target = next(n for n in graph["nodes"] if n["id"] == node_id)
        target["data"]["inputs"] = {"value": text}
    code, info = debug_compile(graph)
    assert "def shared_print():\n    global _ne_v" in code
    runtime = Runtime(info)
    assert runtime.run(code) == plain_output(graph) == "1\nhello\n2\nhello\n"
    assert runtime.hits()["both"] == 2
    assert runtime.value("get:value->both:value") == "hello"


def test_names_of_the_instrumentation_are_reserved() -> None:
    """Variables, functions and parameters drawn with `_ne_` names get other identifiers."""
    graph = {
        "nodes": [
            node("s", "on_start"),
            node("set", "set_variable", 1, name="_ne_hit"),
            node("set2", "set_variable", 2, name="_ne_v0"),
            node("call", "call_function", 3, function="_ne_pause", arguments="_ne_stop"),
            node("p", "print", 4),
            node("def", "function_def", -10, name="_ne_pause", parameters="_ne_stop"),
            node("ret", "return", -9),
            node("get", "get_variable", 0, name="_ne_hit"),
            node("get2", "get_variable", 0, name="_ne_v0"),
            node("add", "arithmetic", 0, op="+"),
            lit("one", "1"),
            lit("two", "2"),
        ],
        "edges": [
            *chain("s", "set", "set2", "call", "p"),
            edge("def", "body", "ret", "exec"),
            edge("def", "arg:_ne_stop", "ret", "value"),
            edge("one", "value", "set", "value"),
            edge("two", "value", "set2", "value"),
            edge("get", "value", "add", "a"),
            edge("get2", "value", "add", "b"),
            edge("add", "result", "call", "arg:_ne_stop"),
            edge("call", "result", "p", "value"),
        ],
    }
    plain = compile_graph(graph)
    assert "_ne_" not in plain.code
    code, info = debug_compile(graph)
    names = set(re.findall(r"\b_ne_\w+", code))
    assert names <= {"_ne_hit", "_ne_stop", "_ne_pause", "_ne_tap"} | {
        f"_ne_v{e}" for e in range(len(info.edges))
    }
    runtime = Runtime(info)
    assert runtime.run(code) == plain_output(graph) == "3\n"
    assert runtime.hits()["ret"] == 1


def test_where_an_assignment_expression_is_not_allowed_a_tap_is_a_call() -> None:
    """Taps in a lambda, a comprehension (its iterable too) and a class body call `_ne_tap`;
    in a def and at module level they are assignment expressions, declared global in the def."""

    def marked(identifier: str, edge_id: str) -> ast.expr:
        expression = ast.Name(identifier, ast.Load())
        setattr(expression, TAPS_KEY, (edge_id,))
        return expression

    module = ast.parse(
        "f = lambda: X\n"
        "ys = [y + X for y in ITEMS]\n"
        "class C:\n"
        "    z = X\n"
        "def g():\n"
        "    return X\n"
        "w = X\n"
    )
    # ast.stmt declares no `value` or `body`: these are the statements written just above.
    lambda_, comprehension = module.body[0].value, module.body[1].value  # type: ignore[attr-defined]
    lambda_.body = marked("x", "in-lambda")
    comprehension.elt.right = marked("x", "in-comprehension")
    comprehension.generators[0].iter = marked("items", "comprehension-iterable")
    module.body[2].body[0].value = marked("x", "in-class")  # type: ignore[attr-defined]
    module.body[3].body[0].value = marked("x", "in-def")  # type: ignore[attr-defined]
    module.body[4].value = marked("x", "at-module-level")  # type: ignore[attr-defined]
    sections = [module.body]
    instrumenter = instrument(sections)
    code, _ = assemble(sections)
    edges = list(instrumenter.edges)
    assert edges == [
        "in-lambda",
        "in-comprehension",
        "comprehension-iterable",
        "in-class",
        "in-def",
        "at-module-level",
    ]
    assert code == (
        "f = lambda: _ne_tap(0, x)\n"
        "ys = [y + _ne_tap(1, x) for y in _ne_tap(2, items)]\n"
        "\n\n"
        "class C:\n"
        "    z = _ne_tap(3, x)\n"
        "\n\n"
        "def g():\n"
        "    global _ne_v4\n"
        "    return (_ne_v4 := x)\n"
        "\n\n"
        "w = (_ne_v5 := x)\n"
    )
    taps: list[tuple[int, Any]] = []

    def _ne_tap(e: int, value: Any) -> Any:
        taps.append((e, value))
        return value

    namespace: dict[str, Any] = {"x": 5, "items": [1, 2], "_ne_tap": _ne_tap}
    exec(compile(code + "g()\nf()\n", "main.py", "exec"), namespace)
    assert namespace["ys"] == [6, 7]
    assert taps == [(2, [1, 2]), (1, 5), (1, 5), (3, 5), (0, 5)]
    assert namespace["_ne_v4"] == namespace["_ne_v5"] == 5


def test_to_dict_has_the_tables_of_a_debug_compile_only() -> None:
    graph = loop_variable_function()
    assert "debug" not in compile_graph(graph).to_dict()
    data = compile_graph(graph, debug=True).to_dict()
    assert set(data["debug"]) == {"nodes", "edges", "lines", "stoppable"}
    assert data["debug"]["lines"]["25"] == data["debug"]["nodes"].index("set")
    assert data["debug"]["stoppable"] == [1, 2, 3, 4, 5, 6, 7]
    assert compile_graph({"nodes": 5}, debug=True).to_dict()["debug"] == {
        "nodes": [],
        "edges": [],
        "lines": {},
        "stoppable": [],
    }


def test_a_debug_compile_is_deterministic_and_changes_no_diagnostic() -> None:
    graph = loop_variable_function()
    first, second = compile_graph(graph, debug=True), compile_graph(graph, debug=True)
    assert first.code == second.code and first.debug == second.debug
    graph["nodes"].append(node("lost", "print", 40))  # a warning: disconnected
    assert compile_graph(graph, debug=True).diagnostics == compile_graph(graph).diagnostics


def test_the_golden_cases_cover_every_node_type() -> None:
    assert {str(case.id).split("-")[0] for case in CASES} >= set(NODE_TYPES)


@pytest.mark.parametrize(("graph", "stdin", "expected"), CASES)
def test_every_node_type_runs_the_same_in_debug_mode(
    graph: dict, stdin: str, expected: str
) -> None:
    """The golden case of each node type: valid Python, and it prints what the graph means."""
    plain = compile_graph(graph, graphs=snapshots_resolver(graph))
    result = compile_graph(graph, debug=True, graphs=snapshots_resolver(graph))
    assert result.diagnostics == plain.diagnostics
    assert result.debug is not None
    compile(result.code, "main.py", "exec", dont_inherit=True)
    assert Runtime(result.debug, stdin).run(result.code) == expected


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(ALL_TYPES, 12))
def test_random_graphs_compile_in_debug_mode(graph: dict) -> None:
    plain = compile_graph(graph)
    result = compile_graph(graph, debug=True)
    assert result.diagnostics == plain.diagnostics
    assert compile_graph(graph).code == plain.code
    info = result.debug
    assert info is not None
    if plain.has_errors:
        return
    compile(result.code, "main.py", "exec", dont_inherit=True)
    assert {line: info.nodes[k] for line, k in info.lines.items()} == result.source_map
    assert set(info.stoppable) <= set(range(len(info.nodes)))
    assert len(set(info.nodes)) == len(info.nodes)


# -- differential: random graphs print the same, plain and debug

DRIVER = r"""
import contextlib, io, random, signal, sys
cases = eval(sys.stdin.read())
class Slow(BaseException):
    pass
def slow(*args):
    raise Slow()
signal.signal(signal.SIGALRM, slow)
def run(code, namespace):
    out = io.StringIO()
    random.seed(5)
    signal.setitimer(signal.ITIMER_REAL, 2)
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "main.py", "exec"), namespace)
        error = None
    except Slow:
        return None
    except Exception as exc:
        error = (type(exc).__name__, str(exc))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return out.getvalue(), error
def pause(k):
    raise AssertionError("no breakpoint was set")
for number, (plain, debug, nodes) in enumerate(cases):
    expected = run(plain, {"__name__": "__main__"})
    if expected is None:
        continue
    runtime = {"__name__": "__main__", "_ne_hit": [0] * nodes, "_ne_stop": [False] * nodes,
               "_ne_pause": pause, "_ne_tap": lambda e, value: value}
    got = run(debug, runtime)
    if got != expected:
        print(f"case {number}: plain {expected!r}, debug {got!r}\n{debug}", file=sys.stderr)
        sys.exit(3)
"""


def assert_same_output(batch: list[dict]) -> None:
    cases = []
    for graph in batch:
        plain = compile_graph(graph)
        if plain.has_errors:
            continue
        debug = compile_graph(graph, debug=True)
        assert debug.debug is not None
        cases.append((plain.code, debug.code, len(debug.debug.nodes)))
    assume(cases)
    completed = subprocess.run(
        [sys.executable, "-I", "-c", DRIVER],
        input=repr(cases),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(exec_graphs(), min_size=10, max_size=10))
def test_random_execution_wiring_prints_the_same_in_debug_mode(batch: list[dict]) -> None:
    assert_same_output(batch)


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(graphs(LOOP_FREE, 8), min_size=8, max_size=8))
def test_random_dataflow_graphs_print_the_same_in_debug_mode(batch: list[dict]) -> None:
    assert_same_output(batch)


PURE = {  # pure node types added to the execution graphs: output, inputs
    "literal": ("value", ()),
    "get_variable": ("value", ()),
    "arithmetic": ("result", ("a", "b")),
    "conditional": ("value", ("condition", "if_true", "if_false")),
    "logic": ("result", ("a", "b")),
}


@st.composite
def wired_exec_graphs(draw: st.DrawFn) -> dict:
    """exec_graphs with data: some Prints become Set variable `v`, and pure nodes (Literal,
    Get variable `v`, Arithmetic, Conditional, And/Or) read loop indices and feed Prints, Sets,
    If conditions and each other, lazy inputs included."""
    graph = draw(exec_graphs())
    nodes, edges = graph["nodes"], graph["edges"]
    for item in nodes:
        if item["type"] == "print" and draw(st.integers(0, 3)) == 0:
            item["type"] = "set_variable"
            item["data"]["params"] = {"name": "v"}
    sources = [(n["id"], "index") for n in nodes if n["type"] == "for_range"]
    statements = [
        (n["id"], "condition" if n["type"] == "if" else "value")
        for n in nodes
        if n["type"] in ("print", "set_variable", "if")
    ]
    targets: list[tuple[str, str, int]] = []  # (node, port, how many sources it may read)
    for i in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(sorted(PURE)))
        params: dict[str, Any] = {}
        if kind == "literal":
            params = draw(
                st.sampled_from(
                    [
                        {"kind": "number", "value": "0"},
                        {"kind": "number", "value": "2"},
                        {"kind": "bool", "value": "true"},
                        {"kind": "text", "value": "t"},
                    ]
                )
            )
        elif kind == "get_variable":
            params = {"name": "v"}
        elif kind == "arithmetic":
            params = {"op": draw(st.sampled_from(["+", "-", "*", "//"]))}
        elif kind == "logic":
            params = {"op": draw(st.sampled_from(["and", "or", "not"]))}
        pure_id = f"d{i}"
        nodes.append(
            {
                "id": pure_id,
                "type": kind,
                "position": {"x": 100, "y": i},
                "data": {"params": params, "inputs": {}},
            }
        )
        output, inputs = PURE[kind]
        targets.extend((pure_id, port, len(sources)) for port in inputs)  # no data cycles
        sources.append((pure_id, output))
    targets.extend((node_id, port, len(sources)) for node_id, port in statements)
    for number, (target, port, readable) in enumerate(targets):
        if readable == 0 or draw(st.integers(0, 2)) == 0:
            continue
        source, source_port = draw(st.sampled_from(sources[:readable]))
        edges.append(
            {
                "id": f"w{number}",
                "source": source,
                "sourceHandle": source_port,
                "target": target,
                "targetHandle": port,
            }
        )
    return graph


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(wired_exec_graphs(), min_size=10, max_size=10))
def test_random_wired_graphs_print_the_same_in_debug_mode(batch: list[dict]) -> None:
    assert_same_output(batch)
