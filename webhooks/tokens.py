"""Webhook tokens: made with 256 random bits, stored as their SHA-256, compared in constant time.

The token is the only credential of a hook URL, so it must be unguessable (`secrets`, 32 bytes)
and never stored: the database holds `sha256(token)`, looked up by that digest (an index, so the
lookup's timing says nothing about the token), then compared again with hmac.compare_digest.
A string that is not shaped like a token never reaches the database.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from webhooks.models import Webhook

TOKEN_BYTES = 32  # 256 bits; token_urlsafe makes 43 characters of A-Z a-z 0-9 _ -
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,128}")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def find_hook(token: str) -> Webhook | None:
    """The live hook whose token is `token`, with its graph and owner; None when unknown,
    revoked, or its owner's account is deactivated (a hook runs as its owner, and every other way
    in refuses an inactive user)."""
    if _TOKEN.fullmatch(token) is None:
        return None
    digest = token_hash(token)
    hook = (
        Webhook.objects.select_related("graph__owner")
        .filter(token_hash=digest, graph__owner__is_active=True)
        .first()
    )
    if hook is None or not hmac.compare_digest(hook.token_hash, digest):
        return None
    return hook
