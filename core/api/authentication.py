"""``Authorization: Token <key>`` for handhelds and the ERP, checked against stored hashes."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, throttling

from core.models import ApiToken, TokenKind
from core.roles import ERP_ROUTES
from core.services import api_key_hash

INVALID_TOKEN = _("Invalid or revoked token.")
OUT_OF_TOKEN_SCOPE = _("This token is for the ERP integration endpoints only.")
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
        if token.kind == TokenKind.INTEGRATION:
            match = request._request.resolver_match
            if match is None or match.url_name not in ERP_ROUTES:
                raise exceptions.PermissionDenied(OUT_OF_TOKEN_SCOPE)
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
