"""Reading a library node's code: one public function, parsed with `ast`, never imported or run.

`parse_function(code)` gives the function's signature as pins (`LibraryFunction`) or the reasons
it cannot be a node (diagnostics in the compiler's shape, each with its line and column). The
code is also wrapped, once, in the factory the compiler emits (graphs/library/emit.py) and that
factory compiled to bytecode, never run: so every error Python's compiler would find (a bad
`nonlocal`, `import *` in a function...) is reported here, at its line. Rules: docs/catalogue.md,
"Library nodes".
"""

from __future__ import annotations

import ast
import io
import math
import re
import tokenize
import warnings
from dataclasses import dataclass, field
from typing import Any

from graphs.compiler.result import Diagnostic
from graphs.library.annotations import (
    annotation_name,
    choice_value,
    literal_choices,
    pin_type,
    returns_nothing,
    tuple_items,
)
from graphs.library.emit import wrap

MAX_CODE_CHARS = 100_000
MAX_DESCRIPTION = 10_000
MAX_PARAMETERS = 64
_PURE = re.compile(r"#\s*node:\s*pure\b")
_JSON_SCALARS = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str = "any"
    required: bool = True
    has_default: bool = False
    default: Any = None  # the default as JSON, when it is a literal (else None)
    choices: tuple[Any, ...] = ()  # a Literal's values: the parameter is a select param


@dataclass(frozen=True)
class Output:
    port: str  # `result`, `out:<field>` or `out:<index>`
    label: str
    type: str


@dataclass
class LibraryFunction:
    name: str
    description: str
    pure: bool
    parameters: list[Parameter] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    # The code as the compiler emits it: a factory def whose name the compiler sets.
    factory: ast.FunctionDef | None = None

    @property
    def tuple_result(self) -> bool:
        return bool(self.outputs) and self.outputs[0].port != "result"


def _error(code: str, message: str, where: ast.AST | None = None, line: int = 1) -> Diagnostic:
    lineno = getattr(where, "lineno", None) or line
    col = getattr(where, "col_offset", None)
    return Diagnostic("error", code, message, None, "code", lineno, (col or 0) + 1)


def parse_function(code: Any) -> tuple[LibraryFunction | None, list[Diagnostic]]:
    """The function `code` defines, or None and why not (never raises)."""
    if not isinstance(code, str):
        return None, [_error("invalid_code", "The code must be a string.")]
    if len(code) > MAX_CODE_CHARS:
        return None, [
            _error("code_too_long", f"The code is longer than {MAX_CODE_CHARS} characters.")
        ]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences: Python's own warnings
            tree = ast.parse(code, "<library node>")
    except SyntaxError as error:
        return None, [
            Diagnostic(
                "error",
                "python_syntax_error",
                f"Syntax error: {error.msg}.",
                None,
                "code",
                error.lineno or 1,
                error.offset or 1,
            )
        ]
    except (ValueError, RecursionError, MemoryError) as error:
        return None, [_error("python_syntax_error", f"The code cannot be parsed: {error}.")]
    diagnostics: list[Diagnostic] = []
    function = _the_function(tree, diagnostics)
    _check_module_level(tree, diagnostics)
    if function is None or diagnostics:
        return None, diagnostics
    if isinstance(function, ast.AsyncFunctionDef):
        return None, [
            _error("async_function", "An async function cannot be a node: use a def.", function)
        ]
    found = _yield_in(function)
    if found is not None:
        return None, [
            _error(
                "generator_function",
                "A generator (yield) cannot be a node: return a list instead.",
                found,
            )
        ]
    result = LibraryFunction(
        name=function.name,
        description=(ast.get_docstring(function) or "")[:MAX_DESCRIPTION],
        pure=_marked_pure(code, function),
    )
    result.parameters = _parameters(function, diagnostics)
    result.outputs = _outputs(tree, function.returns)
    if result.pure and not result.outputs:
        diagnostics.append(
            _error(
                "pure_without_result",
                "A pure node gives a value: annotate what the function returns, or drop "
                "`# node: pure`.",
                function,
            )
        )
    elif result.pure and result.tuple_result:
        diagnostics.append(
            _error(
                "pure_tuple",
                "A pure node has one output: return one value, or drop `# node: pure`.",
                function,
            )
        )
    if diagnostics:
        return None, diagnostics
    factory = wrap(tree, function.name)
    problem = _compiles(factory)
    if problem is not None:
        return None, [problem]
    result.factory = factory
    return result, []


def _the_function(
    tree: ast.Module, diagnostics: list[Diagnostic]
) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    public = [
        statement
        for statement in tree.body
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef)
        and not statement.name.startswith("_")
    ]
    if not public:
        diagnostics.append(
            _error(
                "no_function",
                "The code must define one public function (a def whose name does not start "
                "with _): it becomes the node.",
            )
        )
        return None
    if len(public) > 1:
        diagnostics.append(
            _error(
                "several_functions",
                f"The code defines more than one public function ({public[0].name!r} and "
                f"{public[1].name!r}): start the helpers' names with _.",
                public[1],
            )
        )
        return None
    return public[0]


def _walk_outside_functions(nodes: list[ast.stmt] | list[ast.AST]) -> list[ast.AST]:
    """Every node of `nodes` not inside a def, lambda or class body."""
    found: list[ast.AST] = []
    pending: list[ast.AST] = list(nodes)
    while pending:
        current = pending.pop()
        found.append(current)
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        pending.extend(ast.iter_child_nodes(current))
    return found


def _check_module_level(tree: ast.Module, diagnostics: list[Diagnostic]) -> None:
    """What the module level may not do once it is a factory's body (return early, become a
    generator or coroutine)."""
    for node in _walk_outside_functions(tree.body):
        if isinstance(node, ast.Return | ast.Yield | ast.YieldFrom | ast.Await):
            word = {ast.Return: "return", ast.Await: "await"}.get(type(node), "yield")
            diagnostics.append(_error("python_syntax_error", f"'{word}' outside a function.", node))
            return


def _yield_in(function: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.AST | None:
    for node in _walk_outside_functions(list(function.body)):
        if isinstance(node, ast.Yield | ast.YieldFrom | ast.Await):
            return node
    # Defaults and annotations run outside the function; its own body is what counts.
    return None


def _marked_pure(code: str, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A `# node: pure` comment on the def line (or a line of its signature, up to the `:`)."""
    first = function.lineno
    last = max(first, function.body[0].lineno - 1) if function.body else first
    lines = code.splitlines()[first - 1 : last]
    if not any("#" in line for line in lines):
        return False
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline))
    except (tokenize.TokenError, SyntaxError):
        return False  # a signature cut mid-bracket by a comment line: not marked
    for token in tokens:  # up to the end of the def's logical line (its `:`), not below
        if token.type == tokenize.NEWLINE:
            return False
        if token.type == tokenize.COMMENT and _PURE.match(token.string):
            return True
    return False


def _json_default(node: ast.expr) -> tuple[Any, bool]:
    """A default written as a literal scalar, as JSON (the pin shows it); else (None, False).
    `ast.literal_eval` builds values, it runs nothing."""
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None, False
    if not isinstance(value, _JSON_SCALARS):
        return None, False
    if isinstance(value, float) and not math.isfinite(value):
        return None, False
    return value, True


def _parameters(
    function: ast.FunctionDef | ast.AsyncFunctionDef, diagnostics: list[Diagnostic]
) -> list[Parameter]:
    arguments = function.args
    for star, kind in ((arguments.vararg, "*"), (arguments.kwarg, "**")):
        if star is not None:
            diagnostics.append(
                _error(
                    "unsupported_parameter",
                    f"{kind}{star.arg} cannot be a pin: a node has a fixed list of inputs.",
                    star,
                )
            )
    if arguments.posonlyargs:
        diagnostics.append(
            _error(
                "unsupported_parameter",
                "Positional-only parameters (before /) cannot be pins: inputs are passed by name.",
                arguments.posonlyargs[0],
            )
        )
    positional = arguments.args
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(arguments.defaults))
    defaults += arguments.defaults
    pairs = [
        *zip(positional, defaults, strict=True),
        *zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True),
    ]
    if len(pairs) > MAX_PARAMETERS:
        diagnostics.append(
            _error("too_many_parameters", f"At most {MAX_PARAMETERS} parameters.", function)
        )
        return []
    return [_parameter(arg, default) for arg, default in pairs]


def _parameter(arg: ast.arg, default: ast.expr | None) -> Parameter:
    choices = literal_choices(arg.annotation)
    json_default, literal = _json_default(default) if default is not None else (None, False)
    if choices is not None:
        chosen = json_default if literal and json_default in choices else choices[0]
        return Parameter(arg.arg, "select", False, True, choice_value(chosen), tuple(choices))
    pin = pin_type(arg.annotation)
    has_default = default is not None
    return Parameter(
        arg.arg,
        pin.type,
        required=not (has_default or pin.optional),
        has_default=has_default,
        default=json_default,
    )


def _named_tuple_fields(tree: ast.Module, class_name: str) -> list[tuple[str, ast.expr]] | None:
    """The fields of `class <class_name>(NamedTuple)` defined at the code's top level."""
    for statement in tree.body:
        if not isinstance(statement, ast.ClassDef) or statement.name != class_name:
            continue
        bases = [
            b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in statement.bases
        ]
        if "NamedTuple" not in bases:
            return None
        return [
            (item.target.id, item.annotation)
            for item in statement.body
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
        ]
    return None


def _outputs(tree: ast.Module, returns: ast.expr | None) -> list[Output]:
    if returns_nothing(returns):
        return []
    class_name = annotation_name(returns)
    fields = _named_tuple_fields(tree, class_name) if class_name else None
    if fields:
        return [Output("out:" + n, n, pin_type(a).type) for n, a in fields[:MAX_PARAMETERS]]
    items = tuple_items(returns)
    if items:
        return [
            Output(f"out:{i}", str(i), pin_type(a).type)
            for i, a in enumerate(items[:MAX_PARAMETERS])
        ]
    return [Output("result", "result", pin_type(returns).type)]


def _compiles(factory: ast.FunctionDef) -> Diagnostic | None:
    """Compiles (never runs) the factory: Python's own checks, at the user's lines."""
    module = ast.fix_missing_locations(ast.Module([factory], []))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(module, "<library node>", "exec", dont_inherit=True)
    except SyntaxError as error:
        return Diagnostic(
            "error",
            "python_syntax_error",
            f"The code cannot run as a node: {error.msg}.",
            None,
            "code",
            error.lineno or 1,
            error.offset or 1,
        )
    except (ValueError, RecursionError, MemoryError) as error:
        return _error("python_syntax_error", f"The code cannot be compiled: {error}.")
    return None
