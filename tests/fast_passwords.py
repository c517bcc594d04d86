"""Import `fast_password_hashing` into a test module to make user fixtures cheap.

Django's default PBKDF2 costs ~0.4 s per password on this machine; the tests check our code,
not the hasher's strength. (Imported per module because tests/conftest.py is shared.)
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
