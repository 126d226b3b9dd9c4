"""Tests never see each other's data: each runs in a transaction that is rolled back."""

import pytest
from sqlmodel import select

from app.accounts.models import Organization
from tests.factories import make_org


@pytest.mark.parametrize("attempt", [1, 2])
def test_each_test_starts_without_the_previous_tests_rows(db, attempt):
    assert db.exec(select(Organization).where(Organization.name == "Only Once")).first() is None
    make_org(db, "Only Once")
