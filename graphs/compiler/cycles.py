"""Cycles of data edges: found with Tarjan's strongly connected components, without recursion,
reported and broken."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from graphs.compiler.graph import Graph
from graphs.compiler.result import Diagnostic


def strongly_connected(
    nodes: Iterable[str], successors: Mapping[str, list[str]]
) -> list[list[str]]:
    """Components with more than one node, or one node feeding itself, in discovery order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    cycles: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index or not successors.get(root):  # a node feeding nothing is in no cycle
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child_index = work.pop()
            if child_index == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = successors.get(node, [])
            recursed = False
            while child_index < len(children):
                child = children[child_index]
                child_index += 1
                if child not in index:
                    work.append((node, child_index))
                    work.append((child, 0))
                    recursed = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if recursed:
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in successors.get(node, []):
                    cycles.append(component[::-1])
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return cycles


def break_data_cycles(graph: Graph, diagnostics: list[Diagnostic]) -> None:
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
