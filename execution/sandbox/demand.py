"""How many warm sandboxes of each kind a pool keeps: in proportion to recent demand.

Demand is the share of recent run requests that wanted the `data` kind, an exponentially
weighted average (each request moves it by DEMAND_WEIGHT), so a classroom that switches from
printing to plotting turns the pool over within a few dozen runs, and one odd run does not.
Pure logic: the pool (pool.py) asks `targets()` whenever it decides what to start next.
"""

from __future__ import annotations

from execution.sandbox_kind import DATA, LIGHT

# Before any request: most first runs print (the examples, hello world), some plot.
INITIAL_DATA_SHARE = 0.25
# Each request's weight in the average: about the last 10 requests count.
DEMAND_WEIGHT = 0.1


class KindDemand:
    def __init__(self, kinds: tuple[str, ...], data_share: float = INITIAL_DATA_SHARE) -> None:
        if not kinds or any(kind not in (LIGHT, DATA) for kind in kinds):
            raise ValueError(f"kinds must be a non-empty subset of {(LIGHT, DATA)}, not {kinds}")
        self.kinds = kinds
        self.data_share = data_share

    def note(self, kind: str) -> None:
        """A request that wants `kind` came."""
        wanted = 1.0 if kind == DATA else 0.0
        self.data_share += DEMAND_WEIGHT * (wanted - self.data_share)

    def likely(self) -> str:
        """The kind the next request most likely wants (among those this pool keeps)."""
        if len(self.kinds) == 1:
            return self.kinds[0]
        return DATA if self.data_share > 0.5 else LIGHT

    def targets(self, size: int) -> dict[str, int]:
        """Warm sandboxes to keep of each kind, `size` in all. With two kinds and room for both,
        each keeps at least one: the first run of the rarer kind still starts at once."""
        if len(self.kinds) == 1:
            return {self.kinds[0]: size}
        data = round(size * self.data_share)
        if size >= 2:
            data = min(max(data, 1), size - 1)
        return {LIGHT: size - data, DATA: data}
