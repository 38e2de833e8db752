"""Login lockout after repeated failures (issue #7, item 5), for the admin and page logins.

Failures are counted per username in the cache (Redis in production, so every process
shares them). After ``LOGIN_FAILURE_LIMIT`` failures within ``LOGIN_LOCKOUT_MINUTES``
the account refuses every login — even with the right password — until the window ends.
A successful login clears the count. The authentication backend below is what refuses,
so every login form that goes through ``django.contrib.auth.authenticate`` is covered.
"""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import receiver


def failure_key(username):
    return f"login-failures:{(username or '').strip().lower()}"


def login_failures(username):
    return cache.get(failure_key(username), 0)


def is_locked_out(username):
    return login_failures(username) >= settings.LOGIN_FAILURE_LIMIT


def login_failure_record(username):
    """Count one failed login; the window restarts with each failure."""
    key = failure_key(username)
    failures = login_failures(username) + 1
    cache.set(key, failures, timeout=settings.LOGIN_LOCKOUT_MINUTES * 60)
    if failures == settings.LOGIN_FAILURE_LIMIT:
        from audit.services import audit_record  # audit builds on core

        with transaction.atomic():
            audit_record(
                actor=None,
                action="login.locked_out",
                object_type="auth.user",
                object_id=(username or "")[:64],
                after={"failures": failures, "minutes": settings.LOGIN_LOCKOUT_MINUTES},
            )
    return failures


def login_failures_clear(username):
    cache.delete(failure_key(username))


class LockoutModelBackend(ModelBackend):
    """``ModelBackend`` that refuses a locked-out username before checking the password.

    ``PermissionDenied`` stops ``authenticate`` at once (no other backend is tried).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            from django.contrib.auth import get_user_model

            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username and is_locked_out(username):
            raise PermissionDenied
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed)
def _count_failure(sender, credentials, request=None, **kwargs):
    username = credentials.get("username")
    if username:
        login_failure_record(username)


@receiver(user_logged_in)
def _clear_failures(sender, request, user, **kwargs):
    login_failures_clear(user.get_username())
