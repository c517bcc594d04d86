"""The graph-to-Python compiler: `compile_graph(graph) -> CompileResult`, which never raises.

Stages: read and check the document (graph.py), find data cycles (cycles.py), place statements
along the execution wiring (placement.py), generate AST (codegen.py), then unparse it with a
line -> node source map (assemble.py). Every problem is a diagnostic; a bug becomes an "internal"
error diagnostic instead of an exception.

`compile_graph(graph, debug=True)` gives the same program with debug instrumentation (debug.py,
docs/debugging.md) and its tables in `CompileResult.debug`.

Graphs used as nodes (`graph` nodes) are read through `graphs`, the caller's resolver, and become
functions of the script (linking.py); so do library nodes (`lib:<id>`, read through `library`:
library.py). The signature (signature.py) comes with every result.
"""

from __future__ import annotations

import ast
import gc
import logging
from typing import Any

from graphs.catalogue.build import assign, call, const, name
from graphs.compiler.assemble import assemble
from graphs.compiler.codegen import (
    INPUTS_GLOBAL,
    OUTPUT_BUILTIN,
    Generator,
    Unit,
    sandbox_builtin_statements,
    tag,
)
from graphs.compiler.cycles import break_data_cycles
from graphs.compiler.debug import debug_info, instrument
from graphs.compiler.graph import Graph, GraphReader
from graphs.compiler.library import (
    LibraryResolver,
    library_key,
    library_snapshots_resolver,
)
from graphs.compiler.linking import GraphLinker, GraphResolver, snapshot_key, snapshots_resolver
from graphs.compiler.placement import Placer
from graphs.compiler.result import CompileResult, DebugInfo, Diagnostic
from graphs.compiler.signature import Signature, derive_signature

logger = logging.getLogger(__name__)

__all__ = [
    "CompileResult",
    "DebugInfo",
    "Diagnostic",
    "GraphResolver",
    "LibraryResolver",
    "compile_graph",
    "graph_signature",
    "library_key",
    "library_snapshots_resolver",
    "snapshot_key",
    "snapshots_resolver",
]


def compile_graph(
    graph: Any,
    debug: bool = False,
    graphs: GraphResolver | None = None,
    graph_id: int | None = None,
    library: LibraryResolver | None = None,
) -> CompileResult:
    """Compiles a graph document (`{nodes, edges}`, React Flow shape) to a Python script; with
    `debug`, to the instrumented script of a debug run, its tables in `result.debug`.

    `graphs(graph_id, version)` gives the document of a graph a `graph` node uses, or None when
    it cannot be read (without it, no graph can be used); `graph_id` is the id of the graph being
    compiled, if it is a saved one, so that using it inside itself is found at once.
    `library(entry_id, version)` gives the entry version a `lib:<id>` node uses (`{"name",
    "code", "description"}`), or None when the user may not read it (graphs/compiler/library.py)."""
    diagnostics: list[Diagnostic] = []
    # The compiler allocates many small objects and frees none until it returns: the cyclic
    # garbage collector's passes in between find nothing and cost a fifth of the time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        result = _compile(
            graph, diagnostics, debug, GraphLinker(graphs, graph_id, _name(graph), library)
        )
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


def graph_signature(graph: Any) -> dict[str, Any]:
    """The signature of a graph document, without compiling it (the same as the compiler's)."""
    try:
        return derive_signature(GraphReader([]).read(graph), []).to_dict()
    except Exception:
        logger.exception("The signature of a graph could not be derived")
        return Signature().to_dict()


def _name(graph: Any) -> str:
    name = graph.get("name") if isinstance(graph, dict) else None
    return name[:200] if isinstance(name, str) and name else "this graph"


def _unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return list(dict.fromkeys(diagnostics))


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


def _io_statements(generator: Generator, signature: Signature) -> list[ast.stmt]:
    """The runner's inputs and outputs, named once at the top (docs/interfaces.md): each stands
    in for itself when the script runs elsewhere (no inputs, outputs dropped)."""
    statements: list[ast.stmt] = []
    if signature.inputs:
        given = call(ast.Attribute(call("globals"), "get", ast.Load()), const(INPUTS_GLOBAL))
        statements.append(assign(INPUTS_GLOBAL, ast.BoolOp(ast.Or(), [given, ast.Dict([], [])])))
    if generator.records_outputs:
        drop = ast.Lambda(
            ast.arguments([], [ast.arg("name"), ast.arg("value")], None, [], [], None, []),
            const(None),
        )
        statements.append(
            ast.Try(
                [ast.Expr(name(OUTPUT_BUILTIN))],
                [ast.ExceptHandler(name("NameError"), None, [assign(OUTPUT_BUILTIN, drop)])],
                [],
                [],
            )
        )
    return statements


def _input_bindings(generator: Generator, signature: Signature) -> list[ast.stmt]:
    """`a = _ne_inputs["a"]` for a required input, `.get("a", default)` for the others."""
    bindings: list[ast.stmt] = []
    for item in signature.inputs:
        if item.required:
            value: ast.expr = ast.Subscript(name(INPUTS_GLOBAL), const(item.name), ast.Load())
        else:
            get = ast.Attribute(name(INPUTS_GLOBAL), "get", ast.Load())
            value = call(get, const(item.name), const(item.default))
        bindings.append(tag(assign(generator.input_names[item.node_id], value), item.node_id))
    return bindings


def _compile(
    document: Any, diagnostics: list[Diagnostic], debug: bool, linker: GraphLinker
) -> CompileResult:
    graph = GraphReader(diagnostics, linker).read(document)
    break_data_cycles(graph, diagnostics)
    _report_unused(graph, diagnostics)
    placement = Placer(graph, diagnostics).run()
    signature = derive_signature(graph, diagnostics)
    generator = Generator(
        graph, placement, diagnostics, debug, Unit(signature), reserved=linker.identifiers
    )
    functions = [
        tag(generator.gen_function(node, root), node.id) for node, root in placement.functions
    ]
    functions += generator.gen_helpers("")
    main = generator.gen_block(placement.module)
    imports: list[ast.stmt] = [
        ast.Import([ast.alias(module, alias or None)])
        for module, alias in sorted(generator.imports | linker.imports)
    ]
    builtins = sandbox_builtin_statements(generator.sandbox_builtins | linker.sandbox_builtins)
    sections = [
        imports,
        [*builtins, *_io_statements(generator, signature)],
        linker.definitions,
        generator.top_level,
        functions,
        [*_input_bindings(generator, signature), *generator.preinit_statements("")],
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
        return CompileResult(signature=signature.to_dict())
    if instrumenter is None:
        return CompileResult(code=code, source_map=source_map, signature=signature.to_dict())
    info = debug_info(instrumenter, source_map)
    return CompileResult(
        code=code, source_map=source_map, debug=info, signature=signature.to_dict()
    )
