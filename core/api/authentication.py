"""``Authorization: Token <key>`` for handhelds and the ERP, checked against stored hashes."""

import hashlib

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, throttling

from core.api.token_scope import OUT_OF_SCOPE, token_may_use
from core.models import ApiToken

INVALID_TOKEN = _("Invalid or revoked token.")
LAST_USED_RESOLUTION = 60  # seconds: don't write on every request


class ApiTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=api_key_hash(key), revoked_at__isnull=True)
            .first()
        )
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
