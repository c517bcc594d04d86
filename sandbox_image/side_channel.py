"""The side channel of every run inside the sandbox (docs/rich_output.md, section 1): the
runner's frames, written whole.

Before the ready marker the runner moves the container's descriptor 2 to a private close-on-exec
descriptor (`Channel`) that carries only runner frames (`\\x1eNE3`, a 4-byte big-endian length,
UTF-8 JSON) and points descriptor 2 at a pipe whose bytes go on as stderr
(script_output.ScriptOutput.take_descriptor_2). Plain runs send `display` frames on it
(display.py); debug runs also their trace and paused frames (debugger.py). One lock: a frame is
written whole (partial writes go on) before the next one starts, whichever thread sends it. A
forked child of the script closes its copy (its frames could not be kept whole beside the
parent's): its `show()` says so on stderr.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

FRAME_MAGIC = b"\x1eNE3"

# Bound now: the script shares these modules and may replace their attributes.
_write = os.write
_close = os.close
_encode_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def encode_payload(frame: dict[str, Any]) -> bytes:
    """A frame's payload as it goes out: compact UTF-8 JSON (no NaN; lone surrogates replaced)."""
    return _encode_json(frame).encode("utf-8", "replace")


class Channel:
    """The private descriptor that carries the runner's frames (see the module docstring)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.bytes_sent = 0  # whole frames written: a run's exit record carries it (runner.py)
        self._lock = threading.Lock()
        os.register_at_fork(after_in_child=self._forked)

    def sent_so_far(self) -> int:
        """The bytes of every whole frame written so far (none is half-written meanwhile)."""
        with self._lock:
            return self.bytes_sent

    @staticmethod
    def payload(frame: dict[str, Any]) -> bytes:
        """A frame's payload as send() writes it (show() measures a table's with it)."""
        return encode_payload(frame)

    @property
    def open(self) -> bool:
        return self.fd >= 0

    def send(self, frame: dict[str, Any]) -> bool:
        """One frame, whole. False when the channel is gone (closed by the script, nobody reads,
        a forked child): no more frames then."""
        payload = encode_payload(frame)
        data = memoryview(FRAME_MAGIC + len(payload).to_bytes(4, "big") + payload)
        with self._lock:
            if self.fd < 0:
                return False
            size = len(data)
            try:
                while data:
                    data = data[_write(self.fd, data) :]
            except OSError:
                self.fd = -1
                return False
            self.bytes_sent += size
        return True

    def write_raw(self, data: bytes) -> None:
        """Not a frame: the runner's last word when something is wrong with the pool itself."""
        if self.fd >= 0:
            try:
                _write(self.fd, data)
            except OSError:
                pass

    def _forked(self) -> None:
        fd, self.fd = self.fd, -1
        self._lock = threading.Lock()
        if fd >= 0:
            try:
                _close(fd)
            except OSError:
                pass
