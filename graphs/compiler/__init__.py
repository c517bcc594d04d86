"""The graph-to-Python compiler: `compile_graph(graph) -> CompileResult`, which never raises.

Stages: read and check the document (graph.py), find data cycles (cycles.py), place statements
along the execution wiring (placement.py), generate AST (codegen.py), then unparse it with a
line -> node source map (assemble.py). Every problem is a diagnostic; a bug becomes an "internal"
error diagnostic instead of an exception.

`compile_graph(graph, debug=True)` gives the same program with debug instrumentation (debug.py,
docs/debugging.md) and its tables in `CompileResult.debug`.
"""

from __future__ import annotations

import ast
import gc
import logging
from typing import Any

from graphs.compiler.assemble import assemble
from graphs.compiler.codegen import Generator, sandbox_builtin_statements, tag
from graphs.compiler.cycles import strongly_connected
from graphs.compiler.debug import debug_info, instrument
from graphs.compiler.graph import Graph, GraphReader
from graphs.compiler.placement import Placer
from graphs.compiler.result import CompileResult, DebugInfo, Diagnostic

logger = logging.getLogger(__name__)

__all__ = ["CompileResult", "DebugInfo", "Diagnostic", "compile_graph"]


def compile_graph(graph: Any, debug: bool = False) -> CompileResult:
    """Compiles a graph document (`{nodes, edges}`, React Flow shape) to a Python script; with
    `debug`, to the instrumented script of a debug run, its tables in `result.debug`."""
    diagnostics: list[Diagnostic] = []
    # The compiler allocates many small objects and frees none until it returns: the cyclic
    # garbage collector's passes in between find nothing and cost a fifth of the time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        result = _compile(graph, diagnostics, debug)
    except RecursionError:
        diagnostics.append(
            Diagnostic("error", "internal", "The graph is nested too deeply to compile.")
        )
        result = CompileResult()
    except Exception:
        logger.exception("The compiler failed")
        diagnostics.append(
            Diagnostic(
                "error",
                "internal",
                "The compiler failed on this graph; "
                "this is a bug in Node Engine, not in your graph.",
            )
        )
        result = CompileResult()
    finally:
        if collecting:
            gc.enable()
    result.diagnostics = _unique(diagnostics)
    if debug and result.debug is None:
        result.debug = DebugInfo()  # nothing compiled: nothing to instrument
    return result


def _unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return list(dict.fromkeys(diagnostics))


def _break_data_cycles(graph: Graph, diagnostics: list[Diagnostic]) -> None:
    """Reports each data cycle and removes its edges."""
    successors: dict[str, list[str]] = {}
    for source, outs in graph.data_out.items():
        successors[source] = list(dict.fromkeys(target for _, target, _ in outs))
    for cycle in strongly_connected(list(graph.nodes), successors):
        members = set(cycle)
        names = ", ".join(repr(n) for n in cycle)
        for node_id in cycle:
            diagnostics.append(
                Diagnostic(
                    "error",
                    "data_cycle",
                    f"Data cycle between nodes {names}: a value cannot depend on itself.",
                    node_id,
                )
            )
        for key, (source, _) in list(graph.data_in.items()):
            if source in members and key[0] in members:
                del graph.data_in[key]
        for source in members:
            graph.data_out[source] = [
                e for e in graph.data_out.get(source, []) if e[1] not in members
            ]
            successors[source] = [t for t in successors.get(source, []) if t not in members]


def _report_unused(graph: Graph, diagnostics: list[Diagnostic]) -> None:
    for node in graph.nodes.values():
        definition = node.definition
        if (
            definition is not None
            and definition.expression is not None
            and not graph.data_out.get(node.id)
        ):
            diagnostics.append(
                Diagnostic(
                    "warning",
                    "unused_node",
                    "This node's value is not used anywhere; it generates no code.",
                    node.id,
                )
            )


def _compile(document: Any, diagnostics: list[Diagnostic], debug: bool = False) -> CompileResult:
    graph = GraphReader(diagnostics).read(document)
    _break_data_cycles(graph, diagnostics)
    _report_unused(graph, diagnostics)
    placement = Placer(graph, diagnostics).run()
    generator = Generator(graph, placement, diagnostics, debug)
    functions = [
        tag(generator.gen_function(node, root), node.id) for node, root in placement.functions
    ]
    functions += generator.gen_helpers("")
    main = generator.gen_block(placement.module)
    imports: list[ast.stmt] = [
        ast.Import([ast.alias(module, alias or None)])
        for module, alias in sorted(generator.imports)
    ]
    builtins = sandbox_builtin_statements(generator.sandbox_builtins)
    sections = [
        imports,
        builtins,
        generator.top_level,
        functions,
        generator.preinit_statements(""),
        main,
    ]
    instrumenter = instrument(sections) if debug else None
    try:
        code, source_map = assemble(sections)
    except (SyntaxError, ValueError) as error:
        logger.exception("Generated code does not compile")
        diagnostics.append(
            Diagnostic(
                "error",
                "internal",
                f"The generated code is not valid Python ({error}); this is a bug in Node Engine.",
            )
        )
        return CompileResult()
    if instrumenter is None:
        return CompileResult(code=code, source_map=source_map)
    info = debug_info(instrumenter, source_map)
    return CompileResult(code=code, source_map=source_map, debug=info)
