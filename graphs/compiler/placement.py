"""Where each statement node goes: a tree of blocks built from the execution wiring.

Execution edges are followed chain by chain (On Start chains and function bodies); a graph with no
execution edges at all runs its statements in data order (dataflow.py). Every placed node gets a
sequence number in code order, which the code generator uses to tell whether a value is surely set
when read.

A node reached by several execution wires runs whenever any of them fires (docs/catalogue.md,
"Joins"). Each wire into such a node first becomes a `Jump`. When every wire into it ends a branch
of one If, and every branch of that If ends there, the node is the If's join point (its immediate
post-dominator): its chain is placed once, right after the If. Any other shared node becomes a
helper function holding its chain, and each wire a call to it; a call returns to where the wire
was, which is exactly where the graph continues after the shared chain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from graphs.compiler.dataflow import statement_order
from graphs.compiler.graph import Graph, Node
from graphs.compiler.result import Diagnostic, Severity

MAX_NESTING = 40  # blocks inside blocks (Python's parser allows 100 indent levels)
# Loops/try inside each other: CPython refuses more than 20 ("too many statically nested blocks").
MAX_LOOP_NESTING = 15
MAX_HELPER_HOPS = 16  # calls through helpers followed when proving a value is set


@dataclass(eq=False)
class Block:
    scope: str  # "" for the module, else the function_def node id
    parent: Block | None = None
    depth: int = 0
    loop_depth: int = 0
    items: list[Placed | Jump] = field(default_factory=list)
    helper: Helper | None = None  # set on the root block of a helper's chain

    def encloses(self, other: Block) -> bool:
        """Whether `other` is this block or nested inside it."""
        block: Block | None = other
        while block is not None:
            if block is self:
                return True
            block = block.parent
        return False


@dataclass(eq=False, slots=True)
class Placed:
    node: Node
    seq: int
    block: Block
    bodies: dict[str, Block] = field(default_factory=dict)
    valid: bool = True


@dataclass(eq=False, slots=True)
class Jump:
    """A wire into a shared node: removed when the node is placed as a join, else a call."""

    target: str
    block: Block
    seq: int


@dataclass(eq=False)
class Helper:
    """A shared node's chain, emitted once as a function that each wire into it calls."""

    target: str
    root: Block
    calls: list[Jump]


@dataclass
class Exits:
    """How a chain ends: the jumps at its tail, and whether it can also simply run out."""

    jumps: list[Jump] = field(default_factory=list)
    falls: bool = True


@dataclass
class Placement:
    module: Block
    functions: list[tuple[Node, Block]]
    placed: dict[str, Placed]  # the first placement of each node
    dataflow: bool
    helpers: list[Helper] = field(default_factory=list)
    copies: dict[str, list[Placed]] = field(default_factory=dict)  # every placement


def is_statement(node: Node) -> bool:
    definition = node.definition
    return definition is not None and definition.statements is not None


def holds_before(
    block: Block, seq: int, check: Callable[[Block, int], bool], hops: int = 0
) -> bool:
    """Whether `check(b, seq)` holds for `block` or a block around it; inside a helper, whether
    it holds at every call of the helper (a helper runs only where it is called)."""
    current: Block | None = block
    root = block
    while current is not None:
        if check(current, seq):
            return True
        root = current
        current = current.parent
    helper = root.helper
    if helper is None or not helper.calls or hops >= MAX_HELPER_HOPS:
        return False
    return all(holds_before(call.block, call.seq, check, hops + 1) for call in helper.calls)


class Placer:
    def __init__(self, graph: Graph, diagnostics: list[Diagnostic]) -> None:
        self.graph = graph
        self.diagnostics = diagnostics
        self.placed: dict[str, Placed] = {}
        self.seq = 0
        self.fan_in: dict[str, int] = {}
        self.back_edges: set[tuple[str, str]] = set()
        self.jumps: dict[str, list[Jump]] = {}
        self.joined: set[str] = set()
        self.copies: dict[str, list[Placed]] = {}
        self.copy_mode: dict[str, bool] = {}
        self.on_path: list[str] = []  # the chain being walked, outermost first
        self.on_path_set: set[str] = set()
        # Copies of shared chains may multiply; past this many placements the graph is refused.
        self.max_seq = 20 * len(graph.nodes) + 1_000

    def report(
        self,
        severity: Severity,
        code: str,
        message: str,
        node_id: str | None,
        port: str | None = None,
    ) -> None:
        self.diagnostics.append(Diagnostic(severity, code, message, node_id, port))

    def run(self) -> Placement:
        nodes = sorted(self.graph.nodes.values(), key=lambda n: n.canvas_key)
        module = Block("")
        functions: list[tuple[Node, Block]] = []
        dataflow = self.graph.exec_edge_count == 0
        if dataflow:
            for node in statement_order(self.graph, self.diagnostics):
                self._place(node, module, [], None)
            return Placement(module, functions, self.placed, dataflow, copies=self.copies)
        self._count_fan_in(nodes)
        for node in nodes:
            if node.definition is not None and node.definition.defines_function:
                root = Block(node.id)
                functions.append((node, root))
                self._walk(self.graph.exec_next.get((node.id, "body")), root, [], node.id)
        for node in nodes:
            if node.definition is not None and node.definition.starts_chain:
                self._walk(self.graph.exec_next.get((node.id, "next")), module, [], None)
        helpers = self._place_helpers()
        for node in nodes:
            if is_statement(node) and node.id not in self.placed:
                self.report(
                    "warning",
                    "disconnected",
                    "This node is not connected to an "
                    "execution chain (On Start or a function body); it generates "
                    "no code.",
                    node.id,
                )
        return Placement(module, functions, self.placed, dataflow, helpers, self.copies)

    # -- the shape of the execution wiring
    def _exec_targets(self, node_id: str) -> list[tuple[str, str]]:
        node = self.graph.nodes[node_id]
        if node.definition is None:
            return []
        return [
            (port.id, target)
            for port in node.ports.values()
            if port.kind == "exec"
            and port.direction == "output"
            and (target := self.graph.exec_next.get((node_id, port.id))) is not None
        ]

    def _reachable(self, starts: list[str], stop: str | None = None) -> set[str]:
        seen: set[str] = set()
        pending = [s for s in starts if s != stop]
        while pending:
            node_id = pending.pop()
            if node_id in seen:
                continue
            seen.add(node_id)
            pending.extend(t for _, t in self._exec_targets(node_id) if t != stop)
        return seen

    def _count_fan_in(self, nodes: list[Node]) -> None:
        """How many wires from running code reach each node; a loop's own body wired back to
        it is not one of them (it is where the body ends anyway)."""
        roots = [
            n.id
            for n in nodes
            if n.definition is not None
            and (n.definition.starts_chain or n.definition.defines_function)
        ]
        live = self._reachable(roots)
        for source in live:
            for _, target in self._exec_targets(source):
                self.fan_in[target] = self.fan_in.get(target, 0) + 1
        for node_id, count in self.fan_in.items():
            definition = self.graph.nodes[node_id].definition
            if count < 2 or definition is None or not definition.loop:
                continue
            bodies = [t for port, t in self._exec_targets(node_id) if port in definition.body_ports]
            inside = self._reachable(bodies, stop=node_id)
            for source in inside & live:
                for port, target in self._exec_targets(source):
                    if target == node_id:
                        self.back_edges.add((source, port))
                        self.fan_in[node_id] -= 1

    # -- placing
    def _place(self, node: Node, block: Block, loops: list[str], function: str | None) -> Placed:
        placed = Placed(node, self.seq, block)
        self.seq += 1
        self.placed.setdefault(node.id, placed)
        self.copies.setdefault(node.id, []).append(placed)
        block.items.append(placed)
        assert node.definition is not None
        needs = node.definition.needs
        if needs == "loop" and not loops:
            placed.valid = False
            self.report(
                "error",
                "outside_loop",
                f"{node.definition.title} is only allowed inside a loop body.",
                node.id,
            )
        elif needs == "function" and function is None:
            placed.valid = False
            self.report(
                "error",
                "outside_function",
                "Return is only allowed inside a function body.",
                node.id,
            )
        return placed

    def _copied(self, node_id: str) -> bool:
        """Whether a shared node's chain is copied into each path that reaches it, not called:
        when it holds a Break, Continue or Return, which must act where the path is."""
        if node_id not in self.copy_mode:
            reach = self._reachable([node_id])
            self.copy_mode[node_id] = any(
                (definition := self.graph.nodes[n].definition) is not None
                and definition.needs is not None
                for n in reach
            )
        return self.copy_mode[node_id]

    def _report_cycle(self, cycle: list[str]) -> None:
        names = ", ".join(repr(n) for n in cycle)
        for member in cycle:
            self.report(
                "error",
                "exec_cycle",
                f"Execution cycle not through a loop node: "
                f"{names}. Use a While or For loop instead.",
                member,
            )

    def _jump(self, target: str, block: Block) -> Jump:
        jump = Jump(target, block, self.seq)
        self.seq += 1
        block.items.append(jump)
        self.jumps.setdefault(target, []).append(jump)
        return jump

    def _walk(
        self,
        start: str | None,
        block: Block,
        loops: list[str],
        function: str | None,
        copying: bool = False,
    ) -> Exits:
        """Places the chain from `start`; a helper's walk starts at its own shared node. While
        `copying` (inside a copied shared chain), nodes placed before are placed again."""
        path_mark = len(self.on_path)
        try:
            return self._walk_chain(start, block, loops, function, copying)
        finally:
            self.on_path_set.difference_update(self.on_path[path_mark:])
            del self.on_path[path_mark:]

    def _walk_chain(
        self, start: str | None, block: Block, loops: list[str], function: str | None, copying: bool
    ) -> Exits:
        node_id = start
        entered = False
        previous: str | None = None
        exits = Exits()
        while node_id is not None:
            node = self.graph.nodes[node_id]
            if not is_statement(node):
                return exits
            if (previous, "next") in self.back_edges or (node_id in loops and node_id != loops[-1]):
                self._loop_back(node_id, previous, loops)
                return Exits(falls=False)
            if node_id in self.on_path_set:
                self._report_cycle(self.on_path[self.on_path.index(node_id) :])
                return Exits(falls=False)
            is_helper_entry = not entered and block.helper is not None
            entered = True
            shared = self.fan_in.get(node_id, 0) > 1 and node_id not in self.joined
            if shared and not is_helper_entry:
                if not self._copied(node_id):
                    return Exits([self._jump(node_id, block)], falls=False)
                copying = True  # this chain, and all it leads to, is placed once per path
            if node_id in self.placed and not copying:  # wiring the fan-in count did not see
                self.report(
                    "warning",
                    "exec_merge",
                    "This node already runs elsewhere; a second execution edge into it is ignored.",
                    node_id,
                )
                return exits
            if self.seq > self.max_seq:
                self.report(
                    "error",
                    "graph_too_large",
                    "Shared chains that end in Break, "
                    "Continue or Return are copied into every path that reaches them; "
                    "here that makes the program too large.",
                    node_id,
                )
                return Exits(falls=False)
            placed = self._place(node, block, loops, function)
            self.on_path.append(node_id)
            self.on_path_set.add(node_id)
            definition = node.definition
            assert definition is not None
            if definition.needs is not None:
                return Exits(falls=False)  # break, continue, return: the chain leaves here
            exits = Exits()
            bodies: list[Exits] = []
            for port in definition.body_ports:
                is_loop_body = definition.loop
                child = Block(
                    block.scope,
                    block,
                    block.depth + 1,
                    block.loop_depth + (1 if is_loop_body or node.type == "try" else 0),
                )
                placed.bodies[port] = child
                target = self.graph.exec_next.get((node_id, port))
                if target is None:
                    bodies.append(Exits())
                    continue
                if (node_id, port) in self.back_edges:
                    self._loop_back(target, node_id, loops)
                    bodies.append(Exits(falls=False))
                    continue
                if child.depth > MAX_NESTING or child.loop_depth > MAX_LOOP_NESTING:
                    self.report(
                        "error",
                        "nesting_too_deep",
                        "Blocks are nested too deeply here; the nested part is left out.",
                        node_id,
                        port,
                    )
                    continue
                inner_loops = [*loops, node_id] if is_loop_body else loops
                bodies.append(self._walk(target, child, inner_loops, function, copying))
            if node.type == "if":
                exits = self._join(bodies, block, loops, function, copying)
            previous = node_id
            node_id = self.graph.exec_next.get((node_id, "next"))
            if node_id is not None:
                exits = Exits()
        return exits

    def _join(
        self,
        bodies: list[Exits],
        block: Block,
        loops: list[str],
        function: str | None,
        copying: bool,
    ) -> Exits:
        """The exits of an If; when all its branches end at one shared node that nothing else
        reaches, that node's chain is placed here, after the If, once."""
        jumps = [jump for exits in bodies for jump in exits.jumps]
        falls = any(exits.falls for exits in bodies)
        targets = {jump.target for jump in jumps}
        if falls or len(targets) != 1:
            return Exits(jumps, falls)
        target = jumps[0].target
        if len(jumps) != self.fan_in.get(target, 0):
            return Exits(jumps, falls)
        for jump in jumps:
            jump.block.items.remove(jump)
        del self.jumps[target]
        self.joined.add(target)
        return self._walk(target, block, loops, function, copying)

    def _loop_back(self, node_id: str, previous: str | None, loops: list[str]) -> None:
        if loops and node_id == loops[-1]:
            self.report(
                "info",
                "loop_back_edge",
                "A loop body returns to its loop by itself; this execution edge is not needed.",
                previous or node_id,
            )
        else:
            self.report(
                "error",
                "exec_cycle",
                "This execution wire goes back to an outer loop "
                "from inside an inner one; use Break or Continue instead.",
                previous or node_id,
            )

    # -- shared chains that are not a join
    def _place_helpers(self) -> list[Helper]:
        helpers: list[Helper] = []
        done: set[str] = set()
        while True:
            pending = [t for t in self.jumps if t not in done]
            if not pending:
                break
            for target in pending:
                done.add(target)
                calls = self.jumps[target]
                scopes = {call.block.scope for call in calls}
                scope = calls[0].block.scope
                if len(scopes) > 1:
                    self.report(
                        "error",
                        "shared_across_functions",
                        "This node is wired from "
                        "more than one function (or from a function and On Start); a "
                        "chain can belong to one of them only.",
                        target,
                    )
                root = Block(scope)
                helper = Helper(target, root, calls)
                root.helper = helper
                helpers.append(helper)
                self._walk(target, root, [], scope or None)
        self._report_recursion(helpers)
        return helpers

    def _report_recursion(self, helpers: list[Helper]) -> None:
        """Helpers that call themselves, directly or through others, are execution cycles."""
        by_target = {helper.target: helper for helper in helpers}

        def members(block: Block) -> tuple[list[str], set[str]]:
            nodes, called = [], set()
            pending = [block]
            while pending:
                current = pending.pop()
                for item in current.items:
                    if isinstance(item, Jump):
                        called.add(item.target)
                    else:
                        nodes.append(item.node.id)
                        pending.extend(item.bodies.values())
            return nodes, called

        content = {helper.target: members(helper.root) for helper in helpers}
        for helper in helpers:
            seen: set[str] = set()
            pending = list(content[helper.target][1])
            while pending:
                target = pending.pop()
                if target in seen or target not in by_target:
                    continue
                seen.add(target)
                pending.extend(content[target][1])
            if helper.target in seen:
                self._report_cycle(content[helper.target][0])
