import os
import shutil
import tempfile
from importlib import import_module
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import translation
from rest_framework.test import APIClient

from tests import fast_flush
from tests.factories import UserFactory
from tests.private_redis import private_redis  # noqa: F401 - a fixture for every test

CHROMIUM = "/usr/bin/chromium"  # Debian's package; .ci/run installs it (no browser downloads)


@pytest.fixture(autouse=True)
def cache_cleared():
    """Throttle counters are kept in the cache by user or token id, and ids repeat once a
    test's rows are rolled back: each test starts with an empty cache."""
    cache.clear()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's language: a page request activates its reader's
    language in the thread and leaves it there, and the next test's messages would follow."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def user(db):
    return UserFactory(username="keeper1")


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"


def pytest_configure(config):
    """Tests create many users: PBKDF2's million iterations would cost ~0.3 s each, so the
    suite hashes with MD5 (production keeps Django's default hashers). Transactional tests
    are flushed with DELETE rather than TRUNCATE on PostgreSQL (tests/fast_flush.py)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # On SQLite the test database is a file, as in production, not Django's in-memory one:
    # a live server shares one in-memory connection between its threads, so a page's
    # concurrent htmx requests collided ("database table is locked"). With a file each
    # thread has its own connection and SQLite's IMMEDIATE transactions queue them.
    default = settings.DATABASES["default"]
    if default["ENGINE"].endswith("sqlite3"):
        test_dir = Path(tempfile.mkdtemp(prefix="matreturns-test-"))
        default.setdefault("TEST", {})["NAME"] = str(test_dir / "test.sqlite3")
    # A ``replica`` alias mirroring the test database (issue #14): tests that ask for it
    # (``databases={"default", "replica"}``, DATABASE_REPLICA_READS on) prove which reads
    # leave the primary; everywhere else ``core.db.reader`` keeps to the primary.
    if "replica" not in settings.DATABASES:
        settings.DATABASES["replica"] = {
            **settings.DATABASES["default"],
            "TEST": {"MIRROR": "default"},
        }
    fast_flush.install()
    worker_redis_db()


def worker_redis_db() -> None:
    """Under pytest-xdist (``-n 2``) each worker is a process with its own test database
    (pytest-django's ``_gw1`` suffix) and, here, its own Redis database: the first worker
    keeps REDIS_URL's, the next ones count down from it past 14 (the load test's) and 0, so
    one worker's ``cache.clear()`` or Celery worker never sees the other's keys or tasks.
    Subprocesses (Celery workers, ``manage.py``) read REDIS_URL from the environment."""
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    if not worker or not settings.REDIS_URL:
        return
    base = urlparse(settings.REDIS_URL)
    free = [db for db in range(int(base.path.lstrip("/") or 0), 0, -1) if db != 14]
    url = base._replace(path=f"/{free[worker]}").geturl()
    os.environ["REDIS_URL"] = settings.REDIS_URL = url
    settings.CACHES["default"]["LOCATION"] = url
    settings.CELERY_RESULT_BACKEND = url
    if base.geturl() == settings.CELERY_BROKER_URL:  # not one CELERY_BROKER_URL named
        settings.CELERY_BROKER_URL = url


def pytest_collection_modifyitems(config, items):
    """Tests needing PostgreSQL (row locks, triggers) or Redis (a real Celery worker) are
    deselected, not skipped, on the zero-setup run; CI's PostgreSQL run has both. Tests of
    the SQLite default itself are deselected on the PostgreSQL run."""
    missing = set()
    if connection.vendor != "postgresql":
        missing.add("postgres")
    if connection.vendor != "sqlite":
        missing.add("sqlite")
    if not settings.REDIS_URL:
        missing.add("redis")
    if shutil.which("soffice") is None:
        missing.add("soffice")
    if not Path(CHROMIUM).exists():
        missing.add("browser")
    kept = [
        item for item in items if not any(item.get_closest_marker(marker) for marker in missing)
    ]
    config.hook.pytest_deselected(items=[i for i in items if i not in kept])
    items[:] = kept


@pytest.fixture
def month_over(monkeypatch):
    """Finance confirms a month only once it has ended (issue #15): with this fixture the
    current month is over (``finance.month_end.month_current`` is the next one)."""
    from finance import month_end

    following = month_end.month_following(month_end.month_current())
    monkeypatch.setattr(month_end, "month_current", lambda: following)
    return following


@pytest.fixture
def admin(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def api(admin):
    """An API client acting as a superuser from handheld HH-07."""
    client = APIClient(HTTP_X_DEVICE_ID="HH-07")
    client.force_authenticate(admin)
    return client


@pytest.fixture
def reference_data(db):
    """The rows data migrations seed (reason codes, approval policy v1), re-seeded for
    transactional tests: a flush after an earlier one may have removed them."""
    from approvals.models import PolicyVersion

    import_module("returns.migrations.0002_seed_reasons").seed(apps, None)
    if not PolicyVersion.objects.exists():
        import_module("approvals.migrations.0002_seed_matrix").seed(apps, None)
