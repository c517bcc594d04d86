"""Creates (or resets) the demo account that `make run` prints, so a fresh machine can sign in."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the demo user and print its credentials."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", default="demo")
        parser.add_argument("--password", default="node-engine-demo")

    def handle(self, *args: Any, username: str, password: str, **options: Any) -> None:
        user, created = get_user_model().objects.get_or_create(username=username)
        user.set_password(password)
        user.is_staff = True
        user.is_superuser = True
        user.save()
        verb = "Created" if created else "Reset"
        self.stdout.write(
            f"{verb} demo user -> username: {username}  password: {password}  "
            "(also an admin at /admin/)"
        )
