"""The asyncio side of a container's attach socket: buffered reads with backpressure, writes
for stdin, and knowing when the container (or the engine) has gone away."""

from __future__ import annotations

import asyncio


class AttachProtocol(asyncio.Protocol):
    """Collects bytes from the attach socket until the sandbox reads them.

    When more than HIGH_WATER bytes wait unread (the consumer is slow), reading from the socket
    pauses: Docker's copy then blocks, the container's pipe fills and the script blocks on
    write. That is the backpressure the run relies on.
    """

    HIGH_WATER = 256 * 1024

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._chunks: list[bytes] = []
        self._buffered = 0
        self._paused = False
        self._eof = False
        self._waiter: asyncio.Future[None] | None = None

    # --- asyncio callbacks ---
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self._chunks.append(data)
        self._buffered += len(data)
        if self._buffered >= self.HIGH_WATER and not self._paused and self.transport:
            self.transport.pause_reading()
            self._paused = True
        self._wake()

    def eof_received(self) -> bool:
        # Docker closes the stream when the container exits; nothing more to write then.
        self._eof = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._eof = True
        self._wake()

    # --- used by the sandbox ---
    @property
    def at_eof(self) -> bool:
        """The container (or the Docker engine) closed the stream: the sandbox is gone."""
        return self._eof

    async def read(self) -> bytes:
        """Everything buffered so far (at least one byte), or b"" once the stream has ended."""
        while not self._chunks and not self._eof:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        data = b"".join(self._chunks)
        self._chunks.clear()
        self._buffered = 0
        if self._paused and self.transport and not self.transport.is_closing():
            self._paused = False
            self.transport.resume_reading()
        return data

    def write(self, data: bytes) -> None:
        if self.transport and not self.transport.is_closing():
            self.transport.write(data)

    def write_eof(self) -> None:
        """Half-close: the container sees EOF on stdin (stdin_once) while output keeps coming."""
        if self.transport and not self.transport.is_closing() and self.transport.can_write_eof():
            self.transport.write_eof()

    def close(self) -> None:
        if self.transport:
            self.transport.close()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)
