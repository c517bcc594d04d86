"""Waiting for an event in a test: poll until it has happened, or fail naming what was awaited.

Tests wait for events (a record written, a container gone, a pool settled), never for a length
of time: the timeout is a generous bound for a loaded machine, not a measurement, and a test
that passes never waits longer than the event takes. A failure says what was awaited, for how
long, and the last thing the poll saw.

- `wait_until`: a synchronous predicate, polled (tests that stay outside an event loop).
- `wait_until_async`: the same inside an event loop; the predicate may return an awaitable.
- `receive_until`: drive a receiver (a socket's recv) until a condition holds, each receive
  bounded by the time left.

A predicate that raises is polled again (Redis restarting, a container removed between list and
inspect, a heartbeat not yet written), and the timeout's message names the last error; a
caller that must fail at once on some errors (a server process that exited) narrows `retry_on`.
"""

# The timeouts here are bounds on waiting for an event, passed by the caller in seconds.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar, overload

T = TypeVar("T")
What = str | Callable[[], str]


class WaitTimeout(AssertionError):
    """What was awaited did not happen in time (an AssertionError: the test fails, not errors)."""


def _failure(what: What, timeout: float, last: object, error: BaseException | None) -> WaitTimeout:
    described = what() if callable(what) else what
    message = f"timed out after {timeout:g} s waiting for {described}"
    if error is not None:
        message += f" (last error: {error!r})"
    elif last is not None:
        message += f" (last seen: {last!r:.500})"
    return WaitTimeout(message)


def wait_until(
    predicate: Callable[[], T | None],
    timeout: float,
    what: What,
    *,
    interval: float = 0.1,
    retry_on: type[Exception] | tuple[type[Exception], ...] = Exception,
    pause: Callable[[float], object] = time.sleep,
) -> T:
    """Poll `predicate` until it returns something truthy, and return that; fail after `timeout`
    seconds naming `what` (a string, or a callable that describes the state at the failure).
    A `retry_on` error from the predicate is polled again; any other fails the wait at once
    (a server that exited will not start listening). `pause` sleeps between polls."""
    deadline = time.monotonic() + timeout
    while True:
        last: object = None
        error: Exception | None = None
        try:
            last = value = predicate()
            if value:
                return value
        except retry_on as exc:  # external state in flux: poll again
            error = exc
        if time.monotonic() >= deadline:
            raise _failure(what, timeout, last, error)
        pause(interval)


# A predicate returns its result, or an awaitable of it (a coroutine function): the overloads
# solve T from either, and None (nothing yet) is never returned.
@overload
async def wait_until_async(
    predicate: Callable[[], Awaitable[T | None]],
    timeout: float,
    what: What,
    *,
    interval: float = ...,
    retry_on: type[Exception] | tuple[type[Exception], ...] = ...,
) -> T: ...


@overload
async def wait_until_async(
    predicate: Callable[[], T | None],
    timeout: float,
    what: What,
    *,
    interval: float = ...,
    retry_on: type[Exception] | tuple[type[Exception], ...] = ...,
) -> T: ...


async def wait_until_async(
    predicate: Callable[[], T | Awaitable[T | None] | None],
    timeout: float,
    what: What,
    *,
    interval: float = 0.05,
    retry_on: type[Exception] | tuple[type[Exception], ...] = Exception,
) -> T:
    """`wait_until` inside an event loop: the loop keeps running between polls. A predicate
    that blocks (the ORM, the Docker client) is wrapped by the caller in asyncio.to_thread."""
    deadline = time.monotonic() + timeout
    while True:
        last: object = None
        error: Exception | None = None
        try:
            polled = predicate()
            last = value = await polled if inspect.isawaitable(polled) else polled
            if value:
                return value
        except retry_on as exc:
            error = exc
        if time.monotonic() >= deadline:
            raise _failure(what, timeout, last, error)
        await asyncio.sleep(interval)


async def receive_until(
    done: Callable[[], T | None],
    receive: Callable[[float], Awaitable[object]],
    timeout: float,
    what: What,
) -> T:
    """Call `receive(seconds_left)` until `done()` is truthy, and return that: for state that
    changes only when something is received (a socket's events), so nothing is polled. A
    receive that times out, or a deadline passed, fails naming `what`."""
    deadline = time.monotonic() + timeout
    while not (value := done()):
        left = deadline - time.monotonic()
        if left <= 0:
            raise _failure(what, timeout, None, None)
        try:
            await receive(left)
        except TimeoutError:
            raise _failure(what, timeout, None, None) from None
    return value
