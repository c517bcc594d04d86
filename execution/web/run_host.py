"""What a run needs of whoever started it: a socket (consumers.py) or a REST request's host
(rest_run.py). Kept apart from client_run.py so the run's units depend on this, not on either."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from execution.web.client_run import ClientRun


class RunHost(Protocol):
    """Where a run's events go, and the channel the pool worker answers on."""

    user: Any
    channel_layer: Any
    channel_name: str
    closed: bool  # the client left: nothing more is sent, and an admitted run is killed

    async def send_event(self, event: dict[str, Any]) -> None: ...


class RunTable(Protocol):
    """A socket's runs by run_id, so its frames and the worker's messages find their run.

    A REST host has none: its channel carries one run's messages only."""

    def register(self, run: ClientRun) -> None: ...
    def unregister(self, run: ClientRun) -> None: ...  # never announced to the client
    def forget(self, run: ClientRun) -> None: ...  # finished
