"""A new account gets the example graphs, so the editor never opens on an empty list."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from graphs.examples import seed_examples


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="graphs.seed_examples")
def give_new_user_examples(
    sender: Any, instance: Any, created: bool, raw: bool = False, **_: Any
) -> None:
    # `raw`: loaddata replays saved rows, it does not create accounts.
    if created and not raw and settings.SEED_EXAMPLE_GRAPHS:
        seed_examples(instance)
