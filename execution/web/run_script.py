"""What a `run` frame asks to run, as a script: its code, or its graph compiled.

A graph run loads the graph (when it names one, with the sharing rules of the graphs part) and
compiles it off the event loop; its source map turns the worker's script lines back into node
ids, and a debug run's table (docs/debugging.md) says which lines may pause. The run's inputs are
checked against the compiled graph's signature (run_inputs.py). Anything that stops the run here
is a ScriptRefused, whose fields are those of the client's `error` event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings

from execution.debug_table import DebugTable
from execution.web.messages import RunRequest
from execution.web.run_inputs import BAD_INPUTS, encode_inputs, validate_inputs
from execution.web.run_record import db


@dataclass(frozen=True)
class Script:
    code: str
    source_map: dict[str, str] = field(default_factory=dict)  # script line -> node id
    debug: DebugTable | None = None  # a debug run's table
    inputs: str | None = None  # a graph run's checked inputs, as JSON text (run_inputs.py)


class ScriptRefused(Exception):
    """Nothing to run: `code` and `message` (and `extra` fields) are the client's `error`."""

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra


def _compile(
    graph: dict[str, Any], debug: bool, resolvers: tuple[Any, Any], graph_id: int | None
) -> Any:
    from graphs.compiler import compile_graph  # the compiler is another part; import lazily

    graphs, library = resolvers
    return compile_graph(graph, debug=debug, graphs=graphs, graph_id=graph_id, library=library)


def _load_graph(user_id: int, graph_id: int, share_token: str | None) -> dict[str, Any] | None:
    from graphs.sharing import graph_for_run  # the graphs part decides who may run a graph

    return graph_for_run(user_id, graph_id, share_token)


async def _used_graphs(user_id: int, graph: dict[str, Any]) -> tuple[Any, Any]:
    """The graphs and library entries `graph` uses, as the running user may read them
    (graphs/dependencies.py), read here, so the compile itself reads no database. A graph that
    names none (most) costs no hop to a database thread on the run's path."""
    from graphs.dependencies import names_dependencies, preloaded

    if not names_dependencies(graph):
        return preloaded(user_id, graph)  # reads nothing: nothing to read
    return await db(preloaded, user_id, graph)


async def resolve_script(request: RunRequest, user_id: int) -> Script:
    """The script of `request`; raises ScriptRefused when there is none to run."""
    if request.code is not None:
        # messages.py and the REST serializers refuse inputs for code: it has no signature.
        return Script(request.code)
    graph = request.graph
    if request.graph_id is not None:
        graph = await db(_load_graph, user_id, request.graph_id, request.share_token)
        if graph is None:
            raise ScriptRefused("not_found", f"Graph {request.graph_id} was not found.")
    assert graph is not None  # messages.py accepts a run frame only with code, graph or graph_id
    debugging = request.breakpoints is not None
    resolvers = await _used_graphs(user_id, graph)
    # Not thread_sensitive: a compile must not queue behind other sockets' ORM calls.
    result = await sync_to_async(_compile, thread_sensitive=False)(
        graph, debugging, resolvers, request.graph_id
    )
    if result.has_errors:
        diagnostics = result.to_dict()["diagnostics"]
        errors = [d for d in diagnostics if d.get("severity") == "error"]
        first = errors[0]["message"] if errors else "The graph has errors."
        raise ScriptRefused(
            "compile_error", f"The graph does not compile: {first}", diagnostics=diagnostics
        )
    if len(result.code.encode()) > settings.RUN_SCRIPT_BYTES:
        raise ScriptRefused(
            "too_large", f"The compiled code is larger than {settings.RUN_SCRIPT_BYTES} bytes."
        )
    values, errors = validate_inputs(result.signature, request.inputs)
    if errors:
        raise ScriptRefused(
            BAD_INPUTS,
            f"The inputs do not fit the graph: {errors[0]}",
            errors={"inputs": errors},
        )
    return Script(
        code=result.code,
        inputs=encode_inputs(values) if values else None,
        source_map={str(line): node for line, node in result.source_map.items()},
        debug=(
            DebugTable.from_compile(result.debug, request.breakpoints or ()) if debugging else None
        ),
    )
