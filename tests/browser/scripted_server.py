"""/ws/run/ answered by the test instead of daphne: what the editor sent, and replies per message
type, for the browser tests of what the editor does with events a real run rarely produces."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import Page, WebSocketRoute


class ScriptedServer:
    def __init__(self, page: Page) -> None:
        self.received: list[dict[str, Any]] = []
        self.ws: WebSocketRoute | None = None
        self.on_run: Any = None
        self.on_resume: Any = None
        page.route_web_socket(re.compile(r"/ws/run/$"), self._connect)

    def _connect(self, ws: WebSocketRoute) -> None:
        self.ws = ws
        ws.on_message(self._message)

    def _message(self, raw: str | bytes) -> None:
        message = json.loads(raw)
        self.received.append(message)
        handler = {"run": self.on_run, "resume": self.on_resume}.get(message["type"])
        if handler:
            handler(message)

    def send(self, **event: Any) -> None:
        assert self.ws is not None
        self.ws.send(json.dumps(event))

    def sent(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.received if m["type"] == kind]

    def start(self, message: dict[str, Any], run_id: str = "r1") -> None:
        """`queued` then `started` for the `run` message."""
        self.send(type="queued", run_id=run_id, ref=message["ref"], position=0)
        self.send(type="started", run_id=run_id)

    def exit(self, run_id: str = "r1") -> None:
        self.send(
            type="exit",
            run_id=run_id,
            exit_code=0,
            reason="ok",
            duration_ms=40,
            node_id=None,
            message="",
        )
