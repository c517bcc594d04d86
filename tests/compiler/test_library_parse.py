"""A Python function becomes a node type (graphs/library/): every annotation form, the pins and
params it gives, each refusal with its line, and hostile text that stays text (docs/catalogue.md,
"Library nodes"). The server never imports or runs the code: proved by code that would write a
file if it ever ran."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graphs.library.node import entry_id_of, node_json
from graphs.library.parse import MAX_CODE_CHARS, parse_function


def node_of(code: str, entry_id: int = 7, version: int = 1) -> dict[str, Any]:
    function, diagnostics = parse_function(code)
    assert function is not None, diagnostics
    assert diagnostics == []
    return node_json(function, entry_id, version)


def ports(node: dict[str, Any], direction: str = "input") -> dict[str, dict[str, Any]]:
    return {p["id"]: p for p in node["ports"] if p["direction"] == direction}


def refusal(code: str) -> tuple[str, int | None, int | None]:
    function, diagnostics = parse_function(code)
    assert function is None
    assert len(diagnostics) >= 1
    first = diagnostics[0]
    assert first.severity == "error"
    assert first.line is not None and first.col is not None
    return first.code, first.line, first.col


@pytest.mark.parametrize(
    ("annotation", "type_", "required"),
    [
        ("", "any", True),
        (": int", "int", True),
        (": float", "float", True),
        (": str", "text", True),
        (": bool", "bool", True),
        (": list", "list", True),
        (": dict", "dict", True),
        (": list[int]", "list", True),
        (": dict[str, float]", "dict", True),
        (": typing.List[int]", "list", True),
        (": Dict[str, int]", "dict", True),
        (": Optional[int]", "int", False),
        (": typing.Optional[str]", "text", False),
        (": int | None", "int", False),
        (": None | str", "text", False),
        (": Union[float, None]", "float", False),
        (": 'int | None'", "int", False),
        (": set[int]", "any", True),
        (": numpy.ndarray", "any", True),
        (": int | str", "any", True),
        (": Annotated[int, 'meta']", "int", True),
        (": tuple[int, int]", "any", True),
    ],
)
def test_each_annotation_form_gives_a_typed_pin(
    annotation: str, type_: str, required: bool
) -> None:
    node = node_of(f"def f(x{annotation}):\n    return x\n")
    pin = ports(node)["in:x"]
    assert (pin["type"], pin["required"], pin["default"], pin["label"]) == (
        type_,
        required,
        None,
        "x",
    )


def test_the_node_has_the_shape_of_a_catalogue_node() -> None:
    node = node_of(
        'def double(x: int) -> int:\n    """Twice x.\n\n    Longer."""\n    return 2 * x\n', 12, 3
    )
    assert node == {
        "type": "lib:12",
        "category": "library",
        "title": "double",
        "description": "Twice x.\n\nLonger.",
        "pure": False,
        "ports": [
            {"id": "exec", "direction": "input", "kind": "exec", "label": ""},
            {"id": "in:x", "direction": "input", "kind": "data", "type": "int", "label": "x",
             "required": True, "default": None},
            {"id": "next", "direction": "output", "kind": "exec", "label": ""},
            {"id": "result", "direction": "output", "kind": "data", "type": "int",
             "label": "result"},
        ],
        "params": [{"id": "version", "label": "Version", "kind": "int", "default": 3, "min": 1}],
        "dynamic_ports": [],
    }  # fmt: skip
    assert entry_id_of("lib:12") == 12
    assert entry_id_of("lib:x") is None and entry_id_of("lib:-1") is None


def test_defaults_become_pin_defaults_and_make_pins_optional() -> None:
    node = node_of(
        "def f(a=3, b='hi', c=2.5, d=True, e=None, f=-1, g=[1], h=len, *, k: int = 4):\n"
        "    return a\n"
    )
    pins = ports(node)
    assert {p: (pins[p]["default"], pins[p]["required"]) for p in pins if p != "exec"} == {
        "in:a": (3, False),
        "in:b": ("hi", False),
        "in:c": (2.5, False),
        "in:d": (True, False),
        "in:e": (None, False),
        "in:f": (-1, False),
        "in:g": (None, False),  # not a scalar: the function's own default applies
        "in:h": (None, False),  # not a literal: never evaluated here
        "in:k": (4, False),
    }


def test_literal_becomes_a_select_param_not_a_pin() -> None:
    node = node_of(
        "from typing import Literal\n"
        "def f(x, mode: Literal['fast', 'slow'] = 'slow', n: Literal[1, 2] = 9) -> str:\n"
        "    return mode\n"
    )
    assert set(ports(node)) == {"exec", "in:x"}
    assert node["params"] == [
        {"id": "version", "label": "Version", "kind": "int", "default": 1, "min": 1},
        {"id": "arg:mode", "label": "mode", "kind": "select", "default": "slow",
         "choices": [{"value": "fast", "label": "fast"}, {"value": "slow", "label": "slow"}]},
        {"id": "arg:n", "label": "n", "kind": "select", "default": "1",
         "choices": [{"value": "1", "label": "1"}, {"value": "2", "label": "2"}]},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("returns", "outputs"),
    [
        ("", {}),
        (" -> None", {}),
        (" -> int", {"result": "int"}),
        (" -> 'list[str]'", {"result": "list"}),
        (" -> Optional[str]", {"result": "text"}),
        (" -> tuple[int, str]", {"out:0": "int", "out:1": "text"}),
        (" -> Tuple[float, float, bool]", {"out:0": "float", "out:1": "float", "out:2": "bool"}),
        (" -> tuple[int, ...]", {"result": "any"}),
        (" -> Stats", {"out:mean": "float", "out:count": "int"}),
        (" -> Other", {"result": "any"}),
    ],
)
def test_the_return_annotation_gives_the_outputs(returns: str, outputs: dict[str, str]) -> None:
    code = (
        "from typing import NamedTuple\n"
        "class Stats(NamedTuple):\n    mean: float\n    count: int\n"
        "class Other:\n    pass\n"
        f"def f(x){returns}:\n    return x\n"
    )
    node = node_of(code)
    assert {p: v["type"] for p, v in ports(node, "output").items() if p != "next"} == outputs


def test_named_tuple_outputs_are_labelled_by_field() -> None:
    code = (
        "import typing\n"
        "class P(typing.NamedTuple):\n    x: int\n    y: int\n"
        "def f() -> P:\n    return P(1, 2)\n"
    )
    labels = [p["label"] for p in ports(node_of(code), "output").values()]
    assert labels == ["", "x", "y"]


@pytest.mark.parametrize(
    "def_line",
    [
        "def f(x: int) -> int:  # node: pure",
        "def f(x: int) -> int:  #node:pure",
        "def f(\n    x: int,\n) -> int:  # node: pure",
    ],
)
def test_node_pure_on_the_def_line_makes_a_value_node(def_line: str) -> None:
    node = node_of(f"{def_line}\n    return x\n")
    assert node["pure"] is True
    assert [p["id"] for p in node["ports"]] == ["in:x", "result"]


@pytest.mark.parametrize(
    "code",
    [
        "def f(x: int) -> int:\n    # node: pure\n    return x\n",  # in the body
        "# node: pure\ndef f(x: int) -> int:\n    return x\n",  # above
        "def f(x='# node: pure') -> int:\n    return x\n",  # in a string
    ],
)
def test_only_a_comment_on_the_def_line_makes_it_pure(code: str) -> None:
    assert node_of(code)["pure"] is False


def test_helpers_constants_and_imports_are_allowed() -> None:
    code = (
        "import math\nfrom statistics import mean as _mean\n_K = 2\nLIMIT = 10\n"
        "def _helper(v):\n    return v * _K\n"
        "async def _later():\n    pass\n"
        "def area(r: float) -> float:\n    return math.pi * _helper(r)\n"
    )
    assert node_of(code)["title"] == "area"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("def f(:\n    pass\n", ("python_syntax_error", 1, 7)),
        ("x = 1\n", ("no_function", 1, 1)),
        ("def _only_private():\n    pass\n", ("no_function", 1, 1)),
        ("def f():\n    pass\n\n\ndef g():\n    pass\n", ("several_functions", 5, 1)),
        ("def f():\n    yield 1\n", ("generator_function", 2, 5)),
        ("def f():\n    x = yield from []\n", ("generator_function", 2, 9)),
        ("async def f():\n    pass\n", ("async_function", 1, 1)),
        ("def f(a, *rest):\n    pass\n", ("unsupported_parameter", 1, 11)),
        ("def f(a, **options):\n    pass\n", ("unsupported_parameter", 1, 12)),
        ("def f(a, /, b):\n    pass\n", ("unsupported_parameter", 1, 7)),
        ("def f(x):  # node: pure\n    pass\n", ("pure_without_result", 1, 1)),
        ("def f(x) -> tuple[int, int]:  # node: pure\n    return x, x\n", ("pure_tuple", 1, 1)),
        ("def f():\n    pass\nreturn 3\n", ("python_syntax_error", 3, 1)),
        ("def f():\n    pass\nyield 3\n", ("python_syntax_error", 3, 1)),
        ("def f():\n    from os import *\n", ("python_syntax_error", 2, 5)),
        ("def f():\n    nonlocal y\n", ("python_syntax_error", 2, 5)),
        ("def f():\n    pass\n\x00", ("python_syntax_error", 1, 1)),
    ],
)
def test_each_refusal_says_why_and_where(code: str, expected: tuple[str, int, int]) -> None:
    code_, line, col = refusal(code)
    assert (code_, line) == expected[:2]
    assert col is not None and col >= 1


def test_an_over_long_file_is_refused() -> None:
    code = "def f():\n    pass\n" + "#" * MAX_CODE_CHARS
    assert refusal(code)[0] == "code_too_long"
    assert parse_function(None)[1][0].code == "invalid_code"


def test_refusal_diagnostics_have_the_compiler_shape() -> None:
    _, diagnostics = parse_function("def f(*a):\n    pass\n")
    assert diagnostics[0].to_dict() == {
        "severity": "error",
        "code": "unsupported_parameter",
        "message": "*a cannot be a pin: a node has a fixed list of inputs.",
        "node_id": None,
        "port": "code",
        "line": 1,
        "col": 8,
    }


def test_hostile_text_stays_text_and_the_code_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    write = f"open({str(marker)!r}, 'w').write('x')"
    code = (
        f"{write}\n"
        f"import os; os.system('touch ' + {str(marker)!r})\n"
        f"class _Meta(type):\n    {write}\n"
        f"def f(a={write}, b={write!r}, c: {write!r} = 1) -> 'int':\n"
        f"    '''{write}\n    </script><img src=x onerror=alert(1)>'''\n"
        f"    {write}\n"
        f"    return 1\n"
    )
    node = node_of(code)
    assert not marker.exists()
    pins = ports(node)
    assert pins["in:a"]["default"] is None  # a call, never evaluated
    assert pins["in:b"]["default"] == write  # a string, kept as text
    assert pins["in:c"]["type"] == "any"
    assert node["description"].startswith(write)
    assert "<img src=x onerror=alert(1)>" in node["description"]


def test_port_and_param_ids_never_collide_with_exec_next_or_version() -> None:
    node = node_of(
        "from typing import Literal\n"
        "def f(exec, next, version, result, mode: Literal['a'] = 'a') -> tuple[int, int]:\n"
        "    return 1, 2\n"
    )
    ids = [p["id"] for p in node["ports"]]
    assert ids == [
        "exec",
        "in:exec",
        "in:next",
        "in:version",
        "in:result",
        "next",
        "out:0",
        "out:1",
    ]
    assert [p["id"] for p in node["params"]] == ["version", "arg:mode"]
