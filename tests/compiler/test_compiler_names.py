"""Adversarial names and strings: the code stays valid and prints exactly the drawn text."""

from __future__ import annotations

import keyword

import pytest

from graphs.compiler import compile_graph
from tests.compiler.test_compiler_golden import edge, lit, node, run

NASTY_TEXTS = [
    'it\'s "quoted"',
    "back\\slash\\",
    "line\nbreak\r\n",
    "tab\tand\x00nul",
    "unicode: żółć 日本 🎉",
    "'''",
    '"""',
    "{x} {{y}}",
    "\\N{BULLET}",
    "__import__('os')",
    "x" * 5000,
    "\u2028\u2029",
    "",
]
NASTY_NAMES = [
    "class",
    "print",
    "__import__",
    "1st",
    "a b",
    "a-b",
    "",
    "   ",
    "ž",
    "ﬁ",
    "fi",
    "x" * 300,
    "__builtins__",
    "None",
    "match",
    "_",
    "os.system('x')",
    "math",
    "python_code",
    "def",
    "λ",
]


@pytest.mark.parametrize("text", NASTY_TEXTS)
def test_text_literal_prints_exactly(text: str) -> None:
    graph = {
        "nodes": [lit("t", text, "text"), node("p", "print", 1)],
        "edges": [edge("t", "value", "p", "value")],
    }
    # (stdout is read in text mode, which turns \r\n and \r into \n)
    assert run(graph) == (text + "\n").replace("\r\n", "\n").replace("\r", "\n")
    assert eval(compile_graph(graph).code.removeprefix("print(").removesuffix(")\n")) == text


@pytest.mark.parametrize("template", NASTY_TEXTS)
def test_format_template_keeps_its_text(template: str) -> None:
    graph = {
        "nodes": [
            node("f", "format_text", template=template),
            node("p", "print", 1),
            lit("v", "V", "text"),
        ],
        "edges": [edge("f", "text", "p", "value"), edge("v", "value", "f", "field:x")],
    }
    # The template's fields as str.format fills them: {x} is the connected "V", a field with
    # nothing connected (the "{BULLET}" of "\\N{BULLET}") is None, {{ and }} are braces.
    expected = template.format_map(UnconnectedFieldsAreNone(x="V"))
    assert run(graph) == (expected + "\n").replace("\r\n", "\n").replace("\r", "\n")


class UnconnectedFieldsAreNone(dict):
    def __missing__(self, key: str) -> None:
        return None


def test_variable_names_are_distinct_valid_and_never_shadow() -> None:
    nodes, edges = [], []
    for i, name in enumerate(NASTY_NAMES):
        nodes += [node(f"s{i}", "set_variable", y=i, name=name), lit(f"v{i}", str(i))]
        edges.append(edge(f"v{i}", "value", f"s{i}", "value"))
        nodes += [node(f"g{i}", "get_variable", name=name), node(f"p{i}", "print", y=100 + i)]
        edges.append(edge(f"g{i}", "value", f"p{i}", "value"))
    result = compile_graph({"nodes": nodes, "edges": edges})
    assert not result.has_errors
    # Names that sanitise alike ("", "   ") or normalise alike ("ﬁ", "fi") are one variable only
    # when the raw text is equal after trimming; so each print shows its own set value except the
    # names that are the same variable after trimming.
    out = run({"nodes": nodes, "edges": edges})
    expected = []
    last: dict[str, int] = {}
    for i, name in enumerate(NASTY_NAMES):
        last[name.strip() or "variable"] = i
    for name in NASTY_NAMES:
        expected.append(str(last[name.strip() or "variable"]))
    assert out.split("\n")[:-1] == expected
    for line in [line for line in result.code.splitlines() if " = " in line]:
        target = line.split(" = ")[0]
        assert target.isidentifier() and not keyword.iskeyword(target)
        assert target not in ("print", "__import__", "math", "None", "_", "__builtins__")


def test_function_and_parameter_names_are_sanitised() -> None:
    graph = {
        "nodes": [
            node("fd", "function_def", name="def", parameters="class, print, x y"),
            node("r", "return", 1),
            node("c", "call_function", 2, function="def", arguments="class, print, x y"),
            node("p", "print", 3),
            node("s", "on_start", 1.5),
            node("m", "make_list", count=3),
            lit("a", "1"),
            lit("b", "2"),
            lit("d", "3"),
        ],
        "edges": [
            edge("fd", "body", "r", "exec"),
            edge("m", "list", "r", "value"),
            edge("fd", "arg:class", "m", "item0"),
            edge("fd", "arg:print", "m", "item1"),
            edge("fd", "arg:x y", "m", "item2"),
            edge("s", "next", "c", "exec"),
            edge("c", "next", "p", "exec"),
            edge("a", "value", "c", "arg:class"),
            edge("b", "value", "c", "arg:print"),
            edge("d", "value", "c", "arg:x y"),
            edge("c", "result", "p", "value"),
        ],
    }
    assert run(graph) == "[1, 2, 3]\n"


def test_prompt_and_python_code_strings_cannot_inject() -> None:
    prompt = "');import os;os.system('echo pwned');print('"
    graph = {
        "nodes": [node("i", "input", prompt=prompt), node("p", "print", 1)],
        "edges": [edge("i", "value", "p", "value")],
    }
    assert run(graph, "ok\n") == prompt + "ok\n"
