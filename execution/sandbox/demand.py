"""How many warm sandboxes of each kind a pool keeps: in proportion to recent demand.

Demand is each kind's share of recent run requests, an exponentially weighted average (each
request moves the shares by DEMAND_WEIGHT), so a classroom that switches from printing to
plotting turns the pool over within a few dozen runs, and one odd run does not. Pure logic: the
pool (pool.py) asks `targets()` whenever it decides what to start next.
"""

from __future__ import annotations

from execution.sandbox_kind import DATA, KINDS, LIGHT, PLOT

# Before any request: most first runs print (the examples, hello world), some plot.
INITIAL_SHARES = {LIGHT: 0.75, PLOT: 0.15, DATA: 0.10}
# Each request's weight in the average: about the last 10 requests count.
DEMAND_WEIGHT = 0.1
# A kind wanted at least this often keeps one warm sandbox while the pool has room for it, so its
# next run starts at once; below it (about 25 requests without one) it gets a share only.
KEEP_ONE_SHARE = 0.08


class KindDemand:
    def __init__(self, kinds: tuple[str, ...]) -> None:
        if not kinds or any(kind not in KINDS for kind in kinds):
            raise ValueError(f"kinds must be a non-empty subset of {KINDS}, not {kinds}")
        self.kinds = kinds
        total = sum(INITIAL_SHARES[kind] for kind in kinds)
        self.shares = {kind: INITIAL_SHARES[kind] / total for kind in kinds}

    def note(self, kind: str) -> None:
        """A request that wants `kind` came (a kind this pool does not keep counts for none)."""
        if kind not in self.shares:
            return
        for each in self.kinds:
            wanted = 1.0 if each == kind else 0.0
            self.shares[each] += DEMAND_WEIGHT * (wanted - self.shares[each])

    def likely(self) -> str:
        """The kind the next request most likely wants (among those this pool keeps)."""
        return max(self.kinds, key=lambda kind: self.shares[kind])

    def targets(self, size: int) -> dict[str, int]:
        """Warm sandboxes to keep of each kind, `size` in all: shares rounded by largest
        remainder, then one for each kind wanted often enough (KEEP_ONE_SHARE), most wanted
        first, taken from the kind with the most."""
        exact = {kind: self.shares[kind] * size for kind in self.kinds}
        targets = {kind: int(exact[kind]) for kind in self.kinds}
        by_remainder = sorted(self.kinds, key=lambda k: exact[k] - targets[k], reverse=True)
        for kind in by_remainder[: size - sum(targets.values())]:
            targets[kind] += 1
        wanted = [k for k in self.kinds if self.shares[k] >= KEEP_ONE_SHARE]
        for kind in sorted(wanted, key=lambda k: self.shares[k], reverse=True):
            richest = max(self.kinds, key=lambda k: targets[k])
            if targets[kind] == 0 and targets[richest] > 1:
                targets[richest] -= 1
                targets[kind] += 1
        return targets
