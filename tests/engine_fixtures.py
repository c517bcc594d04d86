"""The execution engine's real-server fixtures (registered through tests/conftest.py): one daphne
+ runpool set per test session (harness/engine.py), and a user whose records are settled before
the database is flushed."""

from __future__ import annotations

import contextlib
import time
from typing import Any

import pytest

from harness.engine import Servers, make_token, redis_url
from harness.waiting import WaitTimeout, wait_until


@pytest.fixture(scope="session")
def engine_servers(django_db_setup: Any, django_db_blocker: Any):
    """daphne + one runpool worker (4 sandboxes) on the session's test database and Redis."""
    from django.conf import settings

    servers = Servers.create(settings.DATABASES["default"], redis_url())
    try:
        servers.start_daphne()
        servers.start_worker()
        yield servers
    finally:
        servers.stop()


@pytest.fixture
def engine_user(transactional_db: Any, django_user_model: Any):
    user = django_user_model.objects.create_user(username="runner", password="x-secret-password-1")
    yield user
    wait_until_records_settle(user)


def wait_until_records_settle(user: Any, timeout: float = 15.0) -> None:
    """Let daphne finish writing this test's execution records before the database is flushed.

    The servers outlive each test and write records in the background (after the first output,
    at exit); a TRUNCATE racing those writes can deadlock and fail the flush, and a late insert
    could refer to a user the next test reuses. Quiet means: every record finished and the set
    unchanged for half a second.
    """
    from execution.models import Execution

    previous: list[tuple[Any, str]] | None = None
    stable_since = time.monotonic()

    def quiet() -> bool:
        nonlocal previous, stable_since
        snapshot = sorted(Execution.objects.filter(user=user).values_list("id", "status"))
        if snapshot != previous:
            previous, stable_since = snapshot, time.monotonic()
            return False
        return all(status == Execution.Status.FINISHED for _, status in snapshot) and (
            time.monotonic() - stable_since >= 0.5
        )

    # Best effort: records still being written after this only risk the flush, not the test.
    with contextlib.suppress(WaitTimeout):
        wait_until(quiet, timeout, "the test's execution records to settle", retry_on=())


@pytest.fixture
def engine_token(engine_user: Any) -> str:
    return make_token(engine_user)
