"""Login lockout after repeated failures (issue #7 item 5, issue #12 item 6), for the admin,
page and any other login that goes through ``django.contrib.auth.authenticate``.

Attempts are counted in the database (``LoginLockout``), per username and client address,
so the lockout holds whatever happens to Redis. An attempt is *claimed* before its password
is checked, under a row lock: of any number of parallel wrong logins exactly
``LOGIN_FAILURE_LIMIT`` reach the password hasher, the rest are refused unchecked. After that
many failures the username is refused from that address — even with the right password —
until ``LOGIN_LOCKOUT_MINUTES`` after the last counted attempt, or until an administrator
releases it (admin: Login lockouts). A successful login clears its row.

Why not django-axes: it checks "locked?" and records the failure in two separate steps, so
parallel attempts all pass the check before any failure is stored (the race this module is
here to close), and it needs a ``request`` on every ``authenticate`` call.

The address is ``REMOTE_ADDR``: a forwarded header is not trusted (anyone can send one).
Behind a proxy every client shares the proxy's address, which makes the lockout per
username — stricter, never weaker.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core.models import LoginLockout
from org.access import access_load

LOCKED_OUT = _(
    "Too many failed logins: this account is locked from your address for %(minutes)s "
    "minutes. Try again later or ask an administrator to unlock it."
)


def client_address(request: HttpRequest | None) -> str:
    """The address attempts are counted under; "" for calls without a request."""
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


def lockout_key(username: str, ip_address: str) -> dict:
    return {"username": username.strip().lower()[:150], "ip_address": ip_address[:45]}


def window_start() -> datetime:
    return timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def login_failures(username: str, ip_address: str = "") -> int:
    """Failed (or still running) attempts counted in the current window."""
    row = LoginLockout.objects.filter(
        **lockout_key(username, ip_address), last_attempt_at__gte=window_start()
    ).first()
    return row.attempts if row else 0


def is_locked_out(username: str, ip_address: str = "") -> bool:
    return login_failures(username, ip_address) >= settings.LOGIN_FAILURE_LIMIT


@transaction.atomic
def login_attempt_claim(*, username: str, ip_address: str) -> int | None:
    """Count one attempt before its password is checked: its number, or None when locked.

    The row lock makes parallel attempts count one after another, so no more than the
    limit are ever let through to the password check.
    """
    key = lockout_key(username, ip_address)
    now = timezone.now()
    LoginLockout.objects.get_or_create(**key, defaults={"last_attempt_at": now})
    row = LoginLockout.objects.select_for_update().get(**key)
    if row.last_attempt_at < window_start():
        row.attempts, row.locked_at = 0, None
    if row.attempts >= settings.LOGIN_FAILURE_LIMIT:
        return None
    row.attempts += 1
    row.last_attempt_at = now
    row.save(update_fields=["attempts", "last_attempt_at", "locked_at"])
    return row.attempts


@transaction.atomic
def login_attempt_failed(*, username: str, ip_address: str, attempt: int) -> None:
    """The claimed attempt had a wrong password; the one that reaches the limit locks and
    audits the lockout (exactly once per lockout, however many run in parallel)."""
    if attempt != settings.LOGIN_FAILURE_LIMIT:
        return
    key = lockout_key(username, ip_address)
    LoginLockout.objects.filter(**key).update(locked_at=timezone.now())
    audit_record(
        actor=None,
        action="login.locked_out",
        object_type="auth.user",
        object_id=key["username"][:64],
        after={
            "ip": key["ip_address"],
            "failures": attempt,
            "minutes": settings.LOGIN_LOCKOUT_MINUTES,
        },
    )


def login_attempts_clear(*, username: str, ip_address: str) -> None:
    LoginLockout.objects.filter(**lockout_key(username, ip_address)).delete()


@transaction.atomic
def login_lockouts_release(
    *, lockouts: Iterable[LoginLockout], actor: AbstractBaseUser | None
) -> int:
    """An administrator unlocks usernames before their window ends (audited)."""
    lockouts = list(lockouts)
    LoginLockout.objects.filter(pk__in=[lockout.pk for lockout in lockouts]).delete()
    for lockout in lockouts:  # the audit chain head is locked last
        audit_record(
            actor=actor,
            action="login.unlocked",
            object_type="auth.user",
            object_id=lockout.username[:64],
            before={"ip": lockout.ip_address, "failures": lockout.attempts},
        )
    return len(lockouts)


class LockoutModelBackend(ModelBackend):
    """``ModelBackend`` that claims an attempt before checking the password.

    ``PermissionDenied`` stops ``authenticate`` at once (no other backend is tried); Django
    then sends ``user_login_failed`` as for a wrong password.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        username = username or kwargs.get(get_user_model().USERNAME_FIELD)
        if not username or password is None:
            return None
        ip_address = client_address(request)
        attempt = login_attempt_claim(username=username, ip_address=ip_address)
        if attempt is None:
            raise PermissionDenied
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            login_attempt_failed(username=username, ip_address=ip_address, attempt=attempt)
        else:
            login_attempts_clear(username=username, ip_address=ip_address)
        return user

    def get_all_permissions(self, user_obj, obj=None):
        """Loaded with the user's roles in one query (``org.access.access_load``)."""
        loads = obj is None and user_obj.is_active and not user_obj.is_superuser
        if loads and not user_obj.is_anonymous and not hasattr(user_obj, "_perm_cache"):
            access_load(user_obj)
        return super().get_all_permissions(user_obj, obj)
