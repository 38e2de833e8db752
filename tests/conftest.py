import pytest
from django.db import connection

from tests.factories import UserFactory


@pytest.fixture
def user(db):
    return UserFactory(username="keeper1")


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests (row locks, triggers) are deselected on SQLite, not skipped."""
    if connection.vendor == "postgresql":
        return
    kept = [item for item in items if item.get_closest_marker("postgres") is None]
    config.hook.pytest_deselected(items=[i for i in items if i not in kept])
    items[:] = kept
