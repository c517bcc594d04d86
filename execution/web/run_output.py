"""A run's output as its client sees it, and what the run's record keeps of it.

The worker's `run.output` batches become the client's events one chunk at a time: stdout /
stderr text, displays (with the node that showed them, through the compile's source map), a
graph's `result` (its outputs: the last chunk before the exit) and a debug run's events. The
record (run_record.py) keeps the size of the output, its last Execution.OUTPUT_TAIL_BYTES, the
time to the first of it and the outputs with their warnings.

The record's writes are started off the run's path: RECORD_AFTER_SECONDS after admission, or
RECORD_AFTER_OUTPUT_SECONDS after the first output was forwarded, whichever comes first. ORM
work runs in threads, and a thread holding the GIL delays the event loop by up to the
interpreter's switch interval (5 ms) at every wake-up: that must not happen between `run` and
the first output.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from execution.debug_table import DEBUG_EVENTS
from execution.models import Execution
from execution.web.run_record import RunRecord

RECORD_AFTER_SECONDS = 0.25
RECORD_AFTER_OUTPUT_SECONDS = 0.01


class RunOutput:
    def __init__(self, record: RunRecord) -> None:
        self.record = record
        self.source_map: dict[str, str] = {}  # script line -> node id (graph runs)
        self.requested_at = time.monotonic()
        self.first_output_ms: int | None = None
        self.output_bytes = 0
        self._tail: list[str] = []
        self._tail_chars = 0
        self.outputs: dict[str, Any] = {}  # a graph's result (none: {})
        self.output_warnings: list[str] = []

    def events(self, run_id: str | None, message: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """The client's events of one `run.output` batch, in order (lazily: each chunk is
        counted as its event goes out)."""
        for stream, text in message.get("chunks", ()):
            if stream == "display":
                # Checked and put in order by the worker (sandbox/side_channel.py).
                yield self._display_event(run_id, text)
                continue
            if stream == "result":
                # Checked and made portable by the worker (sandbox/result_frame.py).
                yield self._result_event(run_id, text)
                continue
            if stream in DEBUG_EVENTS:
                yield {**text, "type": stream, "run_id": run_id}
                continue
            if self.first_output_ms is None:
                self.first_output_ms = int((time.monotonic() - self.requested_at) * 1000)
            self.output_bytes += len(text)
            self._keep_tail(text)
            yield {"type": stream, "run_id": run_id, "data": text}

    def _display_event(self, run_id: str | None, event: dict[str, Any]) -> dict[str, Any]:
        """The worker's display (with the script line that showed it) as the client's event."""
        line = event.get("line")
        return {
            "type": "display",
            "run_id": run_id,
            "mime": event.get("mime"),
            "data": event.get("data"),
            "node_id": self.source_map.get(str(line)) if line is not None else None,
        }

    def _result_event(self, run_id: str | None, event: dict[str, Any]) -> dict[str, Any]:
        """The worker's result as the client's event; the record keeps its outputs."""
        outputs, warnings = event.get("outputs"), event.get("output_warnings")
        self.outputs = outputs if isinstance(outputs, dict) else {}
        self.output_warnings = [str(w) for w in warnings] if isinstance(warnings, list) else []
        return {
            "type": "result",
            "run_id": run_id,
            "outputs": self.outputs,
            "output_warnings": self.output_warnings,
        }

    def _keep_tail(self, text: str) -> None:
        self._tail.append(text)
        self._tail_chars += len(text)
        while (
            self._tail_chars - len(self._tail[0]) >= Execution.OUTPUT_TAIL_BYTES
            and len(self._tail) > 1
        ):
            self._tail_chars -= len(self._tail.pop(0))

    # --- The record ---

    def record_admitted(
        self, run_id: str, user_id: int, graph_id: int | None, code: str, dispatched: bool
    ) -> None:
        """The run's row, to be inserted once the record starts."""
        now = timezone.now()
        self.record.execution = Execution(
            id=run_id,
            user_id=user_id,
            graph_id=graph_id,
            script_sha256=hashlib.sha256(code.encode()).hexdigest(),
            queued_at=now,
            dispatched_at=now if dispatched else None,
        )

    def record_soon(self) -> None:
        """The run is admitted: its writes start shortly, unless output starts them sooner."""
        asyncio.get_running_loop().call_later(RECORD_AFTER_SECONDS, self.record.start)

    def record_after_output(self) -> None:
        if not self.record.started:
            # Not at once: the output's frame is only in daphne's (Twisted's) write buffer until
            # the loop's next turn, and an ORM thread starting now would hold the GIL then.
            asyncio.get_running_loop().call_later(RECORD_AFTER_OUTPUT_SECONDS, self.record.start)

    def record_started(self, worker: str, at: Any) -> None:
        self.record.write(Execution.mark_started, self.record.execution, worker, at)

    def final_fields(self, fields: dict[str, Any]) -> dict[str, Any]:
        """The finished record's fields: `fields` and what the output says."""
        fields.update(
            output_tail="".join(self._tail)[-Execution.OUTPUT_TAIL_BYTES :],
            time_to_first_output=self.first_output_ms,
            outputs=self.outputs,
            output_warnings=self.output_warnings,
        )
        fields.setdefault("output_bytes", self.output_bytes)
        return fields

    def record_finished(self, fields: dict[str, Any]) -> None:
        """The last write; it starts now if nothing started the record before."""
        self.record.write(Execution.mark_finished, self.record.execution, **fields)
        self.record.close()
        self.record.start()
