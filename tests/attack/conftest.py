"""The attack tests are about who reaches what, not about password hashing: Argon2 at its cheapest
parameters here (its real cost was half the fuzz's time, one organizer per operation)."""

import pytest
from argon2 import PasswordHasher, profiles

from app import security


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(security, "_hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))
