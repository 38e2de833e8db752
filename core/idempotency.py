"""``Idempotency-Key`` on API POSTs: a handheld that retries never books twice (DESIGN "API").

The key is claimed in the same database transaction as the work: the whole request runs
inside it, so a crash loses both or neither. The same key with the same body replays the
stored response; with another body it is refused with 422. A concurrent duplicate waits on
the key's unique index until the first commits, then replays its response.

Only final outcomes are kept (issue #12 defect 5): a 2xx, and the refusals the same body
gets again whatever happens meanwhile: 400 (invalid), 404 (no such object or route), 405
(method), 413 (too big) and 422 (key reused). A 401, 403, 409 (state or race), 429
(throttled) or 5xx may change on retry: the transaction is rolled back, the key released,
and a retry runs the work again. A deadlock anywhere in the request runs it again at once
(``core.transactions``): this transaction is the outermost one.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, connection, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.api.exceptions import TOO_BIG
from core.models import IdempotencyKey
from core.transactions import RetryableErrorSeen, atomic_retried

HEADER = "HTTP_IDEMPOTENCY_KEY"
MAX_KEY_LENGTH = 100
KEY_REUSED = _("This Idempotency-Key was used for a different request.")
KEY_TOO_LONG = _("The Idempotency-Key may have at most 100 characters.")
REPLAYED_HEADER = "Idempotent-Replayed"
FINAL_REFUSALS = frozenset({400, 404, 405, 413, 422})


def is_final(status_code):
    """Would the same request get the same answer later? (see the module docstring)"""
    return 200 <= status_code < 300 or status_code in FINAL_REFUSALS


def caller_scope(request):
    """Who is calling: the session user, else a hash of the credentials sent."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    credentials = request.META.get("HTTP_AUTHORIZATION", "")
    return "auth:" + hashlib.sha256(credentials.encode()).hexdigest()[:58]


def body_hash(request):
    return hashlib.sha256(
        request.method.encode() + request.path.encode() + request.body
    ).hexdigest()


def replay(claim):
    response = HttpResponse(
        bytes(claim.response_body or b""),
        status=claim.status_code,
        content_type=claim.content_type or "application/json",
    )
    response[REPLAYED_HEADER] = "true"
    return response


def refuse(message, status):
    return JsonResponse({"detail": str(message)}, status=status)


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.META.get(HEADER, "").strip()
        if request.method != "POST" or not key or not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(key) > MAX_KEY_LENGTH:
            return refuse(KEY_TOO_LONG, 400)
        return self.claimed_response(request, key)

    def claimed_response(self, request, key):
        try:
            scope, digest = caller_scope(request), body_hash(request)
        except RequestDataTooBig:  # over DATA_UPLOAD_MAX_MEMORY_SIZE: refused, nothing kept
            return refuse(TOO_BIG, 413)
        return atomic_retried(lambda: self.respond_once(request, scope, key, digest))

    def respond_once(self, request, scope, key, digest):
        claim = self.claim(request, scope, key, digest)
        if claim.body_hash != digest:
            return refuse(KEY_REUSED, 422)
        if claim.status_code is not None:
            return replay(claim)
        seen = RetryableErrorSeen()
        with connection.execute_wrapper(seen):
            response = self.get_response(request)
        if seen.error is not None:  # the view answered 500: roll back, run it all again
            raise seen.error
        if not is_final(response.status_code):
            transaction.set_rollback(True)  # release the key: a retry runs the work again
            return response
        claim.status_code = response.status_code
        claim.content_type = response.get("Content-Type", "")
        claim.response_body = response.content
        claim.save(update_fields=["status_code", "content_type", "response_body"])
        return response

    @staticmethod
    def claim(request, scope, key, digest):
        existing = IdempotencyKey.objects.select_for_update().filter(scope=scope, key=key)
        claim = existing.first()
        if claim is not None:
            return claim
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(
                    scope=scope,
                    key=key,
                    method=request.method,
                    path=request.path[:300],
                    body_hash=digest,
                )
        except IntegrityError:  # a concurrent duplicate committed first
            return existing.get()


def idempotency_keys_purge(*, now=None):
    """Forget keys older than ``IDEMPOTENCY_KEY_TTL_HOURS`` (at least 24 h); returns the count."""
    hours = max(settings.IDEMPOTENCY_KEY_TTL_HOURS, 24)
    cutoff = (now or timezone.now()) - timedelta(hours=hours)
    deleted, _per_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
