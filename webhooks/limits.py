"""What bounds one webhook: its call rate, its run slots and its body (docs/interfaces.md).

- `WEBHOOK_RATE` (default 60/min): calls that may start a run, per hook, with DRF's throttling
  (a sliding window in Django's cache: Redis when REDIS_URL is set, so all web processes share
  it). Past it: 429 with Retry-After. Polls of a run's result are not counted.
- `WEBHOOK_RUNS` running + `WEBHOOK_RUNS_QUEUED` queued (default 2 + 8): the hook's own budget in
  the admission store (execution/web/admission.py), apart from its owner's run slots, so a leaked
  hook flooded with calls never stops the owner's own runs. Past it: 429 `refused`.
- `WEBHOOK_BODY_BYTES` (default 256 KiB): the body, through the API's JSON guards (depth, finite
  numbers, storable text: nodeengine/parsers.py). Past it: 413.

Both the throttle and the budget are keyed by the hook's token hash, not its id: ids start over
in a new database, while Redis may still hold counts of an old one.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from execution.web.admission import Budget
from nodeengine.config import parse_rate
from nodeengine.parsers import SafeJSONParser
from webhooks.models import Webhook


def hook_key(hook: Webhook) -> str:
    return hook.token_hash[:32]


def hook_budget(hook: Webhook) -> Budget:
    return Budget(
        key=f"hook:{hook_key(hook)}",
        running=settings.WEBHOOK_RUNS,
        queued=settings.WEBHOOK_RUNS_QUEUED,
        holder="This webhook already has",
    )


class WebhookRateThrottle(SimpleRateThrottle):
    """WEBHOOK_RATE per hook; the view sets `hook` before throttles are checked."""

    scope = "webhook"

    def get_rate(self) -> str:
        # Read at each request (not from DEFAULT_THROTTLE_RATES, fixed at import), so a
        # settings override applies.
        return str(settings.WEBHOOK_RATE)

    def parse_rate(self, rate: str | None) -> tuple[int, int]:
        assert rate is not None  # get_rate always gives one
        return parse_rate(rate)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        hook = getattr(view, "hook", None)
        if request.method != "POST" or not isinstance(hook, Webhook):
            return None  # only calls (which start runs) count; polls and OPTIONS do not
        return self.cache_format % {"scope": self.scope, "ident": hook_key(hook)}


class WebhookJSONParser(SafeJSONParser):
    """The API's JSON parser, with WEBHOOK_BODY_BYTES as its limit."""

    def body_limit(self) -> int:
        return int(settings.WEBHOOK_BODY_BYTES)
