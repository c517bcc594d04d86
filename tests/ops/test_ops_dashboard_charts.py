"""The pool dashboard's charts data (/admin/pool/charts.json) and its held / busy figures.

No Docker: heartbeats are published by hand (real pool counts: test_ops_dashboard_pool_counts).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from execution import admin_dashboard, fleet
from execution.models import Execution

CHARTS = "/admin/pool/charts.json"
# A fixed "now" half-way through a minute, so the minute buckets are known exactly.
NOW = datetime(2026, 3, 2, 12, 30, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def embedded(settings):
    settings.REDIS_URL = None
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    yield
    for record in fleet.get_store().all():
        if record["name"].startswith("opsdash-"):
            fleet.forget_worker(record["name"])


@pytest.fixture
def staff_client(make_user) -> Client:
    client = Client()
    client.force_login(make_user("operator", is_staff=True))
    return client


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(admin_dashboard, "clock", lambda: NOW.timestamp())


def finished(user, at: datetime, ttfo: int | None, **fields) -> Execution:
    return Execution.objects.create(
        user=user,
        script_sha256="0" * 64,
        status=fields.pop("status", Execution.Status.FINISHED),
        reason="ok",
        finished_at=at,
        duration_ms=100,
        time_to_first_output=ttfo,
        **fields,
    )


def test_anonymous_is_sent_to_the_login(db):
    response = Client().get(CHARTS)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("who", ["owner", "other_user"])
def test_signed_in_users_who_are_not_staff_are_refused(request, who):
    client = Client()
    client.force_login(request.getfixturevalue(who))
    response = client.get(CHARTS)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_posting_is_not_allowed(staff_client):
    assert staff_client.post(CHARTS).status_code == 405


def test_an_empty_hour_is_sixty_empty_minutes(staff_client, frozen):
    body = staff_client.get(CHARTS).json()
    minute = int(NOW.timestamp()) // 60 * 60
    assert len(body["minutes"]) == 60
    assert body["minutes"][-1] == minute and body["minutes"][0] == minute - 59 * 60
    assert body["runs"] == [0] * 60
    assert body["ttfo_p50_ms"] == [None] * 60 and body["ttfo_p95_ms"] == [None] * 60


def test_runs_and_first_output_percentiles_per_minute(staff_client, owner, other_user, frozen):
    this_minute = NOW.replace(second=0)
    # This minute: 20 runs of every user, first output 10..200 ms, one without output.
    for i in range(1, 21):
        finished(owner if i % 2 else other_user, this_minute + timedelta(seconds=i), ttfo=i * 10)
    finished(owner, this_minute + timedelta(seconds=25), ttfo=None)
    # Ten minutes ago: one run. The first minute of the window: one run at its very start.
    finished(owner, this_minute - timedelta(minutes=10, seconds=-5), ttfo=42)
    finished(owner, this_minute - timedelta(minutes=59), ttfo=7)
    # Not counted: older than the window, not finished (running, queued).
    finished(owner, this_minute - timedelta(minutes=59, seconds=1), ttfo=1)
    finished(owner, this_minute, ttfo=1, status=Execution.Status.RUNNING)
    Execution.objects.create(user=owner, script_sha256="0" * 64)  # queued

    body = staff_client.get(CHARTS).json()
    runs, p50, p95 = body["runs"], body["ttfo_p50_ms"], body["ttfo_p95_ms"]
    assert runs[-1] == 21 and p50[-1] == 100 and p95[-1] == 190  # nearest rank of 10..200
    assert runs[-11] == 1 and p50[-11] == p95[-11] == 42
    assert runs[0] == 1 and p50[0] == 7
    assert sum(runs) == 23
    assert p50.count(None) == 57  # minutes without a run with output have no point


def test_the_database_down_is_a_503_not_a_500(staff_client, monkeypatch):
    def broken(*args: object) -> None:
        raise RuntimeError("connection refused")

    monkeypatch.setattr(admin_dashboard, "minute_series", broken)
    response = staff_client.get(CHARTS)
    assert response.status_code == 503 and "connection refused" in response.json()["error"]


def test_the_page_loads_the_vendored_chart_library(staff_client):
    html = staff_client.get("/admin/pool/").content.decode()
    assert "admin/pool/uplot/uPlot.iife.min.js" in html
    assert 'data-charts-url="/admin/pool/charts.json"' in html
    assert 'id="chart-runs"' in html and 'id="chart-ttfo"' in html


def test_the_library_file_is_served_with_its_licence():
    from django.contrib.staticfiles import finders

    assert finders.find("admin/pool/uplot/uPlot.iife.min.js")
    assert finders.find("admin/pool/uplot/LICENSE")


def test_a_held_sandbox_shows_as_warm_held_not_busy(staff_client):
    name = f"opsdash-{uuid.uuid4().hex[:8]}"
    fleet.publish_heartbeat(name, size=2, warm=2, held=1, busy=0, image="sandbox:test")
    status = staff_client.get("/admin/pool/status.json").json()
    assert {k: status["totals"][k] for k in ("size", "warm", "held", "busy")} == {
        "size": 2,
        "warm": 2,
        "held": 1,
        "busy": 0,
    }
    html = staff_client.get("/admin/pool/fragment/").content.decode()
    assert "(1 held)" in html and 'class="badge alive"' in html
