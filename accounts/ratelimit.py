"""Login rate limiting: fixed-window counters in Django's cache (Redis in production).

The design, and why:

- Per client address, *every* credential-bearing attempt counts (login, register, token
  by password), LOGIN_RATE_PER_IP (20/min). This bounds how fast one client can guess
  passwords across many accounts, or enumerate usernames through registration.
- Per username, only *failed* logins count, LOGIN_RATE_PER_USERNAME (5/min). This bounds
  distributed guessing against one account (many addresses, one username) to a handful of
  tries per window, while a user who types the right password is never slowed by their own
  successes. A success clears that username's failures.
- Both checks happen before the password is looked at, so a limited username cannot be
  probed further during the window (the answer would otherwise reveal a correct guess).
- Counters live in fixed windows (`floor(now / period)`), stored with a cache timeout, so every
  limit lifts by itself at the end of its window: somebody failing logins for another user can
  keep that account slowed only while they keep failing at the rate, never lock it for good.
  The price of fixed windows is a possible burst of twice the limit across a window boundary,
  which is acceptable for these small numbers and keeps the update a single atomic increment
  (cache.add + cache.incr are atomic in Redis and in the local-memory cache).
- Usernames are case-folded and hashed in the key (same bucket for "Alice" and "alice";
  no user-supplied text in cache keys). The client address is REMOTE_ADDR: behind a reverse
  proxy, configure it to set REMOTE_ADDR (X-Forwarded-For is trivially forged, so it is not read).
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import Throttled
from rest_framework.request import Request

from nodeengine.config import parse_rate


def now() -> float:
    """The clock, a module function so tests can move time forward instead of sleeping."""
    return time.time()


@dataclass(frozen=True)
class FixedWindowCounter:
    scope: str
    limit: int
    period: int

    @classmethod
    def from_rate(cls, scope: str, rate: str) -> FixedWindowCounter:
        limit, period = parse_rate(rate)
        return cls(scope, limit, period)

    def _key(self, identity: str) -> str:
        window = int(now() // self.period)
        digest = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return f"ratelimit:{self.scope}:{self.period}:{window}:{digest}"

    def count(self, identity: str) -> int:
        return int(cache.get(self._key(identity), 0))

    def add(self, identity: str) -> None:
        key = self._key(identity)
        # +1 s so the key outlives its window even when added at the window's very start.
        cache.add(key, 0, timeout=self.period + 1)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr: start over
            cache.set(key, 1, timeout=self.period + 1)

    def reset(self, identity: str) -> None:
        cache.delete(self._key(identity))

    def exceeded(self, identity: str) -> bool:
        return self.count(identity) >= self.limit

    def seconds_left(self) -> int:
        """Seconds until the current window ends (when its count no longer applies)."""
        return max(1, math.ceil(self.period - (now() % self.period)))


def client_address(request: Request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


class LoginGuard:
    """The limits for one credential-bearing request from `request`, about `username`."""

    def __init__(self, request: Request, username: str | None = None) -> None:
        self.address = client_address(request)
        self.username = (username or "").strip().casefold()
        self.per_address = FixedWindowCounter.from_rate("auth-ip", settings.LOGIN_RATE_PER_IP)
        self.per_username = FixedWindowCounter.from_rate(
            "login-user", settings.LOGIN_RATE_PER_USERNAME
        )

    def check(self) -> None:
        """Raise 429 (with Retry-After) when this address or this username is over its limit.

        DRF's Throttled adds "Expected available in N seconds." and the Retry-After header.
        """
        if self.per_address.exceeded(self.address):
            wait = self.per_address.seconds_left()
            raise Throttled(wait=wait, detail="Too many sign-in attempts from your address.")
        if self.username and self.per_username.exceeded(self.username):
            wait = self.per_username.seconds_left()
            raise Throttled(wait=wait, detail="Too many failed sign-ins for this username.")

    def attempt(self) -> None:
        """Check, then count this attempt against the address."""
        self.check()
        self.per_address.add(self.address)

    def failed(self) -> None:
        if self.username:
            self.per_username.add(self.username)

    def succeeded(self) -> None:
        if self.username:
            self.per_username.reset(self.username)
