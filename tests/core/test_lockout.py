"""Login lockout in the database (issue #12 item 6): exact under parallel logins on
PostgreSQL, held with Redis frozen or gone, per username and address, said plainly to the
user, audited, and released by an administrator."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from core.cache import BREAKERS
from core.models import LoginLockout
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "right-password-42"
LOCKED_EN = "Too many failed logins"
LOCKED_ZH = "登录失败次数过多"


class CountingHasher(MD5PasswordHasher):
    """MD5 (as the suite uses) that counts password checks, i.e. work an attacker gets."""

    checks = 0
    lock = threading.Lock()

    def verify(self, password, encoded):
        with CountingHasher.lock:
            CountingHasher.checks += 1
        return super().verify(password, encoded)


@pytest.fixture
def counted(settings):
    settings.PASSWORD_HASHERS = ["tests.core.test_lockout.CountingHasher"]
    CountingHasher.checks = 0
    return CountingHasher


@pytest.fixture
def member():
    return UserFactory(username="member", password=PASSWORD)


def log_in(client, password, username="member", **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def logged_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_logins_check_exactly_the_limit_of_passwords(settings, counted):
    UserFactory(username="member", password=PASSWORD)
    attempts = 40
    start, errors = threading.Barrier(attempts), []

    def attempt():
        try:
            start.wait()
            log_in(Client(), "wrong")
        except Exception as error:  # noqa: BLE001 - any error fails the test below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert counted.checks == settings.LOGIN_FAILURE_LIMIT
    assert AuditEvent.objects.filter(action="login.locked_out", object_id="member").count() == 1
    assert not logged_in(client := Client()) and log_in(client, PASSWORD).status_code == 200
    assert not logged_in(client) and counted.checks == settings.LOGIN_FAILURE_LIMIT


@pytest.mark.parametrize("outage", ["frozen", "killed"])
def test_the_lockout_holds_whatever_redis_does(settings, private_redis, member, outage):
    BREAKERS.clear()
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.TolerantRedisCache",
            "LOCATION": private_redis.url,
            "OPTIONS": settings.REDIS_TIMEOUTS,
        }
    }
    private_redis.freeze() if outage == "frozen" else private_redis.stop()
    try:
        client = Client()
        for _attempt in range(settings.LOGIN_FAILURE_LIMIT + 3):
            log_in(client, "wrong")
        response = log_in(client, PASSWORD)
    finally:
        private_redis.stop()
    assert not logged_in(client)
    assert LOCKED_EN in response.content.decode()
    assert AuditEvent.objects.filter(action="login.locked_out", object_id="member").count() == 1


def test_the_lockout_is_per_address_and_ends_with_its_window(settings, member):
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        log_in(Client(), "wrong", REMOTE_ADDR="10.0.0.9")
    log_in(elsewhere := Client(), PASSWORD, REMOTE_ADDR="10.0.0.10")
    assert logged_in(elsewhere)
    log_in(attacker := Client(), PASSWORD, REMOTE_ADDR="10.0.0.9")
    assert not logged_in(attacker)
    LoginLockout.objects.filter(ip_address="10.0.0.9").update(
        last_attempt_at=timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES + 1)
    )
    log_in(attacker, PASSWORD, REMOTE_ADDR="10.0.0.9")
    assert logged_in(attacker)
    assert not LoginLockout.objects.exists()  # a successful login clears its row


def test_the_message_says_locked_in_chinese_too(settings, member):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        response = log_in(client, "wrong")
    assert LOCKED_ZH in response.content.decode()  # the failure that locks already says so
    admin_page = client.post("/admin/login/", {"username": "member", "password": PASSWORD})
    assert LOCKED_ZH in admin_page.content.decode()


def test_an_administrator_unlocks_and_it_is_audited(settings, admin, member):
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        log_in(Client(), "wrong")
    lockout = LoginLockout.objects.get(username="member")
    assert lockout.locked_at is not None
    staff = Client()
    staff.force_login(admin)
    response = staff.post(
        reverse("admin:core_loginlockout_changelist"),
        {"action": "unlock", "_selected_action": [lockout.pk]},
    )
    assert response.status_code == 302
    assert not LoginLockout.objects.exists()
    assert AuditEvent.objects.filter(action="login.unlocked", actor=admin).count() == 1
    log_in(client := Client(), PASSWORD)
    assert logged_in(client)


def test_only_who_may_delete_lockouts_unlocks(settings, member):
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        log_in(Client(), "wrong")
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_loginlockout"))
    staff = Client()
    staff.force_login(viewer)
    lockout = LoginLockout.objects.get()
    staff.post(
        reverse("admin:core_loginlockout_changelist"),
        {"action": "unlock", "_selected_action": [lockout.pk]},
    )
    assert LoginLockout.objects.filter(pk=lockout.pk).exists()


def test_logins_without_a_request_are_counted_too(settings, member):
    """``Client.login`` and scripts call ``authenticate`` with no request: still limited."""
    client = Client()
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        assert not client.login(username="member", password="wrong")
    assert not client.login(username="member", password=PASSWORD)
