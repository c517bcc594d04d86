"""Show and Plot (docs/catalogue.md, "Charts and tables"; contract: docs/rich_output.md).

The generated code is pinned per node and per kind; the scripts then run in-process with a stub
for the sandbox's `show` builtin (recording what it is given) and, where the host has them,
matplotlib (Agg backend, as in the sandbox) and pandas."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest

from graphs.catalogue import NODE_TYPES, catalogue_json
from graphs.compiler import compile_graph
from tests.compiler.test_compiler_golden import chain, edge, lit, node

os.environ.setdefault("MPLBACKEND", "Agg")

PRELUDE = """\
import matplotlib.pyplot as plt

try:
    show
except NameError:
    show = print

"""


def numbers(node_id: str, *values: str) -> list[dict]:
    """A Make List of number literals: the list node `node_id`, then its items."""
    items = [lit(f"{node_id}{i}", value) for i, value in enumerate(values)]
    return [node(node_id, "make_list", count=len(values)), *items]


def number_edges(node_id: str, count: int) -> list[dict]:
    return [edge(f"{node_id}{i}", "value", node_id, f"item{i}") for i in range(count)]


def plot_graph(kind: str, with_x: bool = True, **pins: Any) -> dict:
    """On start -> Plot(kind) of y = [3, 1, 2] (against x = [1, 2, 3]) -> Print 'done'."""
    plot = node("pl", "plot", 1, kind=kind)
    plot["data"]["inputs"] = pins
    nodes = [
        node("s", "on_start"),
        plot,
        node("p", "print", 2),
        lit("done", "done", "text"),
        *numbers("y", "3", "1", "2"),
    ]
    edges = [
        *chain("s", "pl", "p"),
        edge("done", "value", "p", "value"),
        edge("y", "list", "pl", "y"),
        *number_edges("y", 3),
    ]
    if with_x:
        nodes += numbers("x", "1", "2", "3")
        edges += [edge("x", "list", "pl", "x"), *number_edges("x", 3)]
    return {"nodes": nodes, "edges": edges}


def compiled(graph: dict, debug: bool = False) -> str:
    result = compile_graph(graph, debug=debug)
    assert not result.has_errors, result.diagnostics
    return result.code


class Shown:
    """The sandbox's `show` builtin, reduced to recording its arguments."""

    def __init__(self) -> None:
        self.values: list[Any] = []

    def __call__(self, value: Any = None) -> None:
        self.values.append(value)


def run_with_show(code: str, namespace: dict | None = None) -> tuple[Shown, dict]:
    shown = Shown()
    namespace = {"__name__": "__main__", "show": shown, **(namespace or {})}
    exec(compile(code, "main.py", "exec", dont_inherit=True), namespace)
    return shown, namespace


# -- the generated code


@pytest.mark.parametrize(
    ("kind", "with_x", "drawing"),
    [
        ("line", True, "ax.plot([1, 2, 3], [3, 1, 2])"),
        ("line", False, "ax.plot([3, 1, 2])"),
        ("bar", True, "ax.bar([1, 2, 3], [3, 1, 2])"),
        ("scatter", True, "ax.scatter([1, 2, 3], [3, 1, 2])"),
        ("histogram", False, "ax.hist([3, 1, 2])"),
    ],
)
def test_the_code_of_each_kind(kind: str, with_x: bool, drawing: str) -> None:
    graph = plot_graph(kind, with_x, title="Sales", xlabel="month", ylabel="units")
    assert compiled(graph) == PRELUDE + (
        "fig, ax = plt.subplots()\n"
        f"{drawing}\n"
        "ax.set_title('Sales')\n"
        "ax.set_xlabel('month')\n"
        "ax.set_ylabel('units')\n"
        "show(fig)\n"
        "plt.close(fig)\n"
        "print('done')\n"
    )


def test_bar_and_scatter_without_x_draw_at_positions_and_compute_y_once() -> None:
    code = compiled(plot_graph("scatter", with_x=False))
    assert code == PRELUDE + (
        "values = [3, 1, 2]\n"
        "fig, ax = plt.subplots()\n"
        "ax.scatter(range(len(values)), values)\n"
        "show(fig)\n"
        "plt.close(fig)\n"
        "print('done')\n"
    )


def test_empty_texts_set_nothing_and_a_wired_text_is_read() -> None:
    graph = plot_graph("line", title="")
    graph["nodes"].append(lit("t", "Wired", "text"))
    graph["edges"].append(edge("t", "value", "pl", "ylabel"))
    code = compiled(graph)
    assert "set_title" not in code and "set_xlabel" not in code
    assert "ax.set_ylabel('Wired')\n" in code


def test_a_histogram_ignores_x_with_a_warning() -> None:
    result = compile_graph(plot_graph("histogram"))
    assert [(d.code, d.port) for d in result.diagnostics if d.node_id == "pl"] == [
        ("unused_input", "x")
    ]
    assert "ax.hist([3, 1, 2])\n" in result.code


def test_y_is_required() -> None:
    graph = plot_graph("line")
    graph["edges"] = [e for e in graph["edges"] if e["targetHandle"] != "y"]
    result = compile_graph(graph)
    assert ("missing_input", "y") in [(d.code, d.port) for d in result.diagnostics]


def test_the_code_of_show_and_the_stand_in_is_written_once() -> None:
    graph = {
        "nodes": [
            node("s", "on_start"),
            node("a", "show", 1),
            node("b", "show", 2),
            lit("v", "hi", "text"),
        ],
        "edges": [
            *chain("s", "a", "b"),
            edge("v", "value", "a", "value"),
            edge("v", "value", "b", "value"),
        ],
    }
    assert compiled(graph) == (
        "try:\n    show\nexcept NameError:\n    show = print\n\nshow('hi')\nshow('hi')\n"
    )


def test_names_drawn_by_the_user_never_take_the_scripts_names() -> None:
    """Variables called plt, show, fig and ax: the script's own names stay what they are."""
    graph = plot_graph("line")
    graph["nodes"] += [
        node(f"set_{n}", "set_variable", 0.5 + i / 10, name=n)
        for i, n in enumerate(["plt", "show", "fig", "ax"])
    ]
    graph["edges"] = [e for e in graph["edges"] if e["source"] != "s"]
    graph["edges"] += chain("s", "set_plt", "set_show", "set_fig", "set_ax", "pl")
    code = compiled(graph)
    assert "plt_ = None\nshow_ = None\nfig = None\nax = None\n" in code
    assert "fig_2, ax_2 = plt.subplots()\nax_2.plot([1, 2, 3], [3, 1, 2])\n" in code
    assert "show(fig_2)\nplt.close(fig_2)\n" in code


def test_the_nodes_are_served_in_the_catalogue() -> None:
    served = {n["type"]: n for n in catalogue_json()["nodes"]}
    assert served["show"]["category"] == served["plot"]["category"] == "output"
    assert "output" in [c["id"] for c in catalogue_json()["categories"]]
    kinds = next(p for p in served["plot"]["params"] if p["id"] == "kind")
    assert [c["value"] for c in kinds["choices"]] == ["line", "bar", "scatter", "histogram"]
    assert [p["id"] for p in served["plot"]["ports"] if p["kind"] == "data"] == [
        "x",
        "y",
        "title",
        "xlabel",
        "ylabel",
    ]
    assert not served["show"]["pure"] and not served["plot"]["pure"]


# -- running the scripts


def test_show_gives_the_builtin_the_value_itself() -> None:
    graph = {
        "nodes": [node("sh", "show"), *numbers("l", "1", "2")],
        "edges": [edge("l", "list", "sh", "value"), *number_edges("l", 2)],
    }
    shown, _ = run_with_show(compiled(graph))
    assert shown.values == [[1, 2]]


def test_without_the_builtin_show_prints() -> None:
    graph = {
        "nodes": [node("sh", "show"), lit("v", "plain text", "text")],
        "edges": [edge("v", "value", "sh", "value")],
    }
    completed = subprocess.run(
        [sys.executable, "-I", "-c", compiled(graph)],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert completed.stdout == "plain text\n"


def _tap(edge: int, value: Any) -> Any:
    return value


ARTISTS = {  # kind -> (Axes attribute holding its artists, their matplotlib class name)
    "line": ("lines", "Line2D"),
    "bar": ("patches", "Rectangle"),
    "histogram": ("patches", "Rectangle"),
    "scatter": ("collections", "PathCollection"),
}


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
@pytest.mark.parametrize("kind", list(ARTISTS))
def test_each_kind_shows_one_figure_with_its_artists_and_texts(kind: str, debug: bool) -> None:
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    graph = plot_graph(kind, kind != "histogram", title="T", xlabel="X", ylabel="Y")
    result = compile_graph(graph, debug=debug)
    assert not result.has_errors, result.diagnostics
    runtime: dict[str, Any] = {}
    if result.debug is not None:  # a stand-in for the debug runner's names (no breakpoints)
        count = len(result.debug.nodes)
        runtime = {"_ne_hit": [0] * count, "_ne_stop": [False] * count, "_ne_tap": _tap}
    shown, _ = run_with_show(result.code, runtime)
    if result.debug is not None:
        assert runtime["_ne_hit"][result.debug.nodes.index("pl")] == 1
    assert len(shown.values) == 1
    figure = shown.values[0]
    assert isinstance(figure, plt.Figure)
    assert plt.get_fignums() == []  # closed after it was shown
    (ax,) = figure.axes
    attribute, artist = ARTISTS[kind]
    artists = getattr(ax, attribute)
    assert artists and {type(a).__name__ for a in artists} == {artist}
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("T", "X", "Y")
    if kind == "line":
        assert list(artists[0].get_xdata()) == [1, 2, 3]
        assert list(artists[0].get_ydata()) == [3, 1, 2]
    if kind == "bar":
        assert [r.get_height() for r in artists] == [3, 1, 2]


def test_a_plot_in_a_loop_shows_a_new_figure_each_run() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    graph = plot_graph("line")
    graph["nodes"].append(node("loop", "for_range", 0.5))
    graph["nodes"][-1]["data"]["inputs"] = {"stop": 3}
    graph["edges"] = [e for e in graph["edges"] if e["source"] not in ("s", "pl")]
    graph["edges"] += [*chain("s", "loop"), edge("loop", "body", "pl", "exec")]
    shown, _ = run_with_show(compiled(graph))
    assert len(shown.values) == 3 and len({id(figure) for figure in shown.values}) == 3
    assert all(len(figure.axes[0].lines) == 1 for figure in shown.values)
    assert plt.get_fignums() == []


def test_a_dataframe_column_plots_and_a_dataframe_shows_as_itself() -> None:
    pytest.importorskip("matplotlib")
    pandas = pytest.importorskip("pandas")
    graph = {
        "nodes": [
            node("s", "on_start"),
            node(
                "py",
                "python_code",
                1,
                code="import pandas as pd\ndf = pd.DataFrame({'t': [0, 1, 2], 'v': [5, 7, 6]})\n",
                inputs="",
                outputs="df",
            ),
            node("pl", "plot", 2, kind="bar"),
            node("sh", "show", 3),
            node("col", "get_item"),
            node("xs", "get_item"),
            lit("v", "v", "text"),
            lit("t", "t", "text"),
        ],
        "edges": [
            *chain("s", "py", "pl", "sh"),
            edge("py", "out:df", "col", "collection"),
            edge("v", "value", "col", "key"),
            edge("py", "out:df", "xs", "collection"),
            edge("t", "value", "xs", "key"),
            edge("col", "value", "pl", "y"),
            edge("xs", "value", "pl", "x"),
            edge("py", "out:df", "sh", "value"),
        ],
    }
    shown, _ = run_with_show(compiled(graph))
    figure, table = shown.values
    assert [r.get_height() for r in figure.axes[0].patches] == [5, 7, 6]
    assert isinstance(table, pandas.DataFrame) and list(table.columns) == ["t", "v"]


def test_every_node_type_here_is_in_the_catalogue() -> None:
    assert {"show", "plot"} <= set(NODE_TYPES)
