"""``Authorization: Token <key>`` for handhelds and the ERP, checked against stored hashes."""

import hashlib
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import CharField, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, throttling

from core.api.token_scope import OUT_OF_SCOPE, token_may_use
from core.models import ApiToken

INVALID_TOKEN = _("Invalid or revoked token.")
LAST_USED_RESOLUTION = 60  # seconds: don't write on every request


def access_cache(user: AbstractBaseUser, rows: Iterable[tuple]) -> None:
    """Cache on ``user``, for the request, what ``ModelBackend`` caches (``_perm_cache`` and
    its two parts, so ``has_perm`` asks no more) and the names of the user's groups
    (``_group_names``, whence ``org.access.user_roles`` takes the roles), from rows of
    (group name, app label, codename); a group name of None marks a permission given to
    the user directly, a codename of None a group without permissions."""
    by_group, by_user, groups = set(), set(), set()
    for group, app_label, codename in rows:
        if group is not None:
            groups.add(group)
        if codename:
            (by_user if group is None else by_group).add(f"{app_label}.{codename}")
    user._group_names = frozenset(groups)
    user._user_perm_cache, user._group_perm_cache = by_user, by_group
    user._perm_cache = by_user | by_group


def token_with_access(key_hash: str) -> ApiToken | None:
    """The live token of ``key_hash`` with its user, and the user's groups and permissions
    cached on it (``access_cache``), in one query (issue #17: was the token, then the
    permissions and roles): the token and user columns on every row of the union of the
    user's group permissions and own permissions (outer joins: at least one row each).
    The caches are left out for a superuser, to whom Django grants every permission."""
    user_model = get_user_model()
    token_fields = [f.attname for f in ApiToken._meta.concrete_fields]
    user_fields = [f.attname for f in user_model._meta.concrete_fields]
    columns = [*token_fields, *(f"user__{name}" for name in user_fields)]
    live = ApiToken.objects.filter(key_hash=key_hash, revoked_at__isnull=True).order_by()
    by_group = live.values_list(
        *columns,
        "user__groups__name",
        "user__groups__permissions__content_type__app_label",
        "user__groups__permissions__codename",
    )
    own = live.values_list(
        *columns,
        Value(None, output_field=CharField()),
        "user__user_permissions__content_type__app_label",
        "user__user_permissions__codename",
    )
    rows = list(by_group.union(own, all=True))
    if not rows:
        return None
    width = len(token_fields)
    token = ApiToken.from_db(live.db, token_fields, rows[0][:width])
    user = user_model.from_db(live.db, user_fields, rows[0][width : width + len(user_fields)])
    token.user = user
    if not user.is_superuser:
        access_cache(user, (row[-3:] for row in rows))
    return token


class ApiTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        token = token_with_access(api_key_hash(key))
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).seconds > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        token = result[1]
        # Checked here rather than as a permission class: views replace their
        # permission_classes, every API view authenticates.
        view = request.parser_context.get("view")
        if view is None or not token_may_use(view, token.kind, request.method):
            raise exceptions.PermissionDenied(OUT_OF_SCOPE[token.kind])
        if not request._request.device_id:
            request._request.device_id = token.device_id
        return result


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """Each API token has its own request budget (``DEFAULT_THROTTLE_RATES['token']``)."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


def api_key_hash(raw_key):
    return hashlib.sha256(raw_key.encode()).hexdigest()
