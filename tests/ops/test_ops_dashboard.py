"""The admin pool dashboard and the executions / users admin: staff only, safe on bad input."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from execution import fleet
from execution.models import Execution

DASHBOARD = "/admin/pool/"
PAGES = [DASHBOARD, "/admin/pool/fragment/", "/admin/pool/status.json"]
ACTION = "/admin/pool/action/"


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
def superuser_client(make_user) -> Client:
    """Model admins also need model permissions; a superuser has them all."""
    client = Client()
    client.force_login(make_user("root-operator", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def user_client(owner) -> Client:
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def sent(monkeypatch):
    """Control messages the dashboard sends (the real pool is driven in test_ops_pool_control)."""
    messages: list[tuple] = []

    def record(worker_name, action, **args):
        message = fleet.build_control(action, **args)
        messages.append((worker_name, message))
        return message

    monkeypatch.setattr(fleet, "send_control", record)
    return messages


def _worker(**fields) -> str:
    name = f"opsdash-{uuid.uuid4().hex[:8]}"
    fleet.publish_heartbeat(
        name,
        host="box-1",
        warm=3,
        busy=1,
        size=4,
        image="sandbox:test",
        served=17,
        failures=2,
        last_error="pull failed <b>",
        **fields,
    )
    return name


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_is_sent_to_the_login(url, db):
    response = Client().get(url)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("url", PAGES)
def test_non_staff_is_refused(url, user_client):
    response = user_client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_staff_sees_every_worker_and_the_figures(staff_client, owner):
    alive = _worker(
        warm_by_kind={"light": 2, "plot": 1, "data": 0},
        target_by_kind={"light": 2, "plot": 1, "data": 1},
    )
    dead = _worker(heartbeat_at=timezone.now().timestamp() - 60)
    now = timezone.now()
    Execution.objects.create(
        user=owner,
        script_sha256="0" * 64,
        status="finished",
        reason="ok",
        finished_at=now,
        duration_ms=250,
        time_to_first_output=80,
    )
    Execution.objects.create(user=owner, script_sha256="0" * 64)  # queued
    page = staff_client.get(DASHBOARD)
    assert page.status_code == 200
    html = page.content.decode()
    assert alive in html and dead in html and "DEAD" in html
    assert "pull failed &lt;b&gt;" in html  # worker-reported text is escaped
    assert 'data-refresh-url="/admin/pool/fragment/"' in html  # refreshes by itself
    status = staff_client.get("/admin/pool/status.json").json()
    workers = {w["name"]: w for w in status["workers"]}
    assert workers[alive]["alive"] and not workers[dead]["alive"]
    assert workers[alive]["warm"] == 3 and workers[alive]["served"] == 17
    # Warm sandboxes by kind, with the pool's aim, per worker and in all.
    assert workers[alive]["warm_by_kind"] == {"light": 2, "plot": 1, "data": 0}
    assert status["totals"]["warm_by_kind"] == {"data": 0, "light": 2, "plot": 1}
    assert 'data-kind="data">data 0<span class="target"' in html and ">/1</span>" in html
    assert status["queue_length"] == 1
    five_minutes = next(w for w in status["windows"] if w["window"] == "5m")
    assert five_minutes["runs"] == 1 and five_minutes["ttfo_p50_ms"] == 80
    assert five_minutes["duration_p95_ms"] == 250
    assert staff_client.get("/admin/").content.decode().count("/admin/pool/") >= 1


def test_actions_send_control_messages(staff_client, sent):
    name = _worker()
    for data in (
        {"action": "resize", "size": "2"},
        {"action": "drain"},
        {"action": "undrain"},
        {"action": "recycle"},
    ):
        response = staff_client.post(ACTION, {"worker": name, **data})
        assert response.status_code == 302 and response["Location"] == DASHBOARD
    assert [(w, m["action"]) for w, m in sent] == [
        (name, "resize"),
        (name, "drain"),
        (name, "undrain"),
        (name, "recycle"),
    ]
    assert sent[0][1]["size"] == 2
    page = staff_client.get(DASHBOARD).content.decode()
    assert f"Asked worker {name} to recycle" in page


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"action": "resize", "size": "-1"}, "whole number from 0 to"),
        ({"action": "resize", "size": "lots"}, "whole number from 0 to"),
        ({"action": "resize", "size": "99999"}, "whole number from 0 to"),
        ({"action": "format-disk"}, "Unknown action"),
        ({"action": "kill", "run_id": "not-a-uuid"}, "is not a run id"),
        ({"action": "kill", "run_id": str(uuid.uuid4())}, "There is no execution"),
    ],
)
def test_bad_actions_are_explained_not_500(staff_client, sent, data, error):
    name = _worker()
    response = staff_client.post(ACTION, {"worker": name, **data}, follow=True)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert sent == []


def test_dead_or_unknown_workers_cannot_be_controlled(staff_client, sent):
    dead = _worker(heartbeat_at=timezone.now().timestamp() - 60)
    for worker, error in ((dead, "it is dead"), ("opsdash-nobody", "There is no worker")):
        response = staff_client.post(ACTION, {"worker": worker, "action": "drain"}, follow=True)
        assert error in response.content.decode()
    assert sent == []


def test_kill_goes_to_the_worker_running_the_execution(staff_client, sent, owner):
    name = _worker()
    running = Execution.objects.create(
        user=owner, script_sha256="0" * 64, status="running", worker=name, started_at=timezone.now()
    )
    finished = Execution.objects.create(
        user=owner, script_sha256="0" * 64, status="finished", worker=name, reason="ok"
    )
    assert str(running.pk) in staff_client.get(DASHBOARD).content.decode()
    staff_client.post(ACTION, {"action": "kill", "run_id": str(running.pk)})
    assert sent == [
        (name, {"type": "pool.control", "action": "kill_run", "run_id": str(running.pk)})
    ]
    response = staff_client.post(
        ACTION, {"action": "kill", "run_id": str(finished.pk)}, follow=True
    )
    assert "has already finished" in response.content.decode()
    assert len(sent) == 1


def test_kill_of_a_run_whose_record_has_not_caught_up_goes_to_every_live_worker(
    staff_client, sent, owner
):
    """Records are written off the hot path: a started run may still read `queued`, no worker."""
    first, second = _worker(), _worker()
    pending = Execution.objects.create(user=owner, script_sha256="0" * 64, status="queued")
    staff_client.post(ACTION, {"action": "kill", "run_id": str(pending.pk)})
    told = {name for name, message in sent if message.get("run_id") == str(pending.pk)}
    assert {first, second} <= told


def test_actions_are_refused_to_non_staff_and_need_post_and_csrf(user_client, staff_client, sent):
    name = _worker()
    response = user_client.post(ACTION, {"worker": name, "action": "drain"})
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert Client().post(ACTION, {"worker": name, "action": "drain"}).status_code == 302
    assert staff_client.get(ACTION).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(get_user_model().objects.get(username="operator"))
    assert strict.post(ACTION, {"worker": name, "action": "drain"}).status_code == 403
    assert sent == []


def test_executions_admin_filters_searches_and_shows_output_read_only(
    superuser_client, owner, other_user
):
    staff_client = superuser_client
    mine = Execution.objects.create(
        user=owner,
        script_sha256="a" * 64,
        status="finished",
        reason="error",
        output_tail="Traceback <script>x</script>\n",
    )
    Execution.objects.create(
        user=other_user, script_sha256="b" * 64, status="finished", reason="ok"
    )
    base = "/admin/execution/execution/"
    listing = staff_client.get(base, {"user__id__exact": owner.pk})
    assert [row.pk for row in listing.context["cl"].result_list] == [mine.pk]
    assert str(mine.pk) in listing.content.decode()
    assert staff_client.get(base, {"reason__exact": "ok"}).status_code == 200
    assert staff_client.get(base, {"status__exact": "finished", "q": "owner"}).status_code == 200
    today = timezone.now().date()
    assert staff_client.get(base, {"queued_at__year": today.year}).status_code == 200
    detail = staff_client.get(f"{base}{mine.pk}/change/").content.decode()
    assert "Traceback &lt;script&gt;" in detail and "<textarea" not in detail
    assert staff_client.get(f"{base}add/").status_code == 403


def test_users_admin_shows_run_counts(superuser_client, owner):
    staff_client = superuser_client
    for _ in range(3):
        Execution.objects.create(user=owner, script_sha256="c" * 64)
    listing = staff_client.get("/admin/auth/user/").content.decode()
    assert "Runs (24 h)" in listing
    assert f'?user__id__exact={owner.pk}">3</a>' in listing
    assert staff_client.get("/admin/auth/user/", {"o": "5"}).status_code == 200
