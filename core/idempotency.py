"""``Idempotency-Key`` on API POSTs and on the scanning pages' POSTs: a handheld that
retries or a double tap never books twice (DESIGN "API", issue #16 item 2).

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

``once`` is the rule; the API's middleware and the pages' ``idempotent_page`` decorator
only differ in how a refusal and a replay look, and a page's redirect after the work (its
post/redirect/get) is a final outcome too, replayed to the same address.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.api.exceptions import TOO_BIG
from core.confirm import back_url
from core.models import IdempotencyKey
from core.transactions import RetryableErrorSeen, atomic_retried

HEADER = "HTTP_IDEMPOTENCY_KEY"
MAX_KEY_LENGTH = 100
KEY_REUSED = _("This Idempotency-Key was used for a different request.")
KEY_TOO_LONG = _("The Idempotency-Key may have at most 100 characters.")
REPLAYED_HEADER = "Idempotent-Replayed"
FINAL_REFUSALS = frozenset({400, 404, 405, 413, 422})
LOCATION_LENGTH = 2000  # core.models.IdempotencyKey.location
REDIRECTS = frozenset({301, 302, 303})
PAGE_FIELD = "idempotency_key"
ALREADY_DONE = _("That was sent twice: it was done once, not again.")


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


def refuse(request, message, status):
    return JsonResponse({"detail": str(message)}, status=status)


@dataclass(frozen=True)
class Outcomes:
    """What differs between the API and the pages around the one rule of ``once``: which
    responses are kept, how a refusal and a replay look."""

    final: Callable[[int], bool]
    refuse: Callable[[HttpRequest, object, int], HttpResponse]
    replay: Callable[[HttpRequest, IdempotencyKey], HttpResponse]
    digest: Callable[[HttpRequest], str] = body_hash


API = Outcomes(final=is_final, refuse=refuse, replay=lambda request, claim: replay(claim))


def once(request, key, respond, outcomes=API):
    """``respond(request)`` at most once per (caller, key): the same body again replays the
    first final outcome, another body is refused (422), a too long key too (400)."""
    if len(key) > MAX_KEY_LENGTH:
        return outcomes.refuse(request, KEY_TOO_LONG, 400)
    try:
        scope, digest = caller_scope(request), outcomes.digest(request)
    except RequestDataTooBig:  # over DATA_UPLOAD_MAX_MEMORY_SIZE: refused, nothing kept
        return outcomes.refuse(request, TOO_BIG, 413)
    return atomic_retried(lambda: respond_once(request, scope, key, digest, respond, outcomes))


def respond_once(request, scope, key, digest, respond, outcomes):
    claim = claimed(request, scope, key, digest)
    if claim.body_hash != digest:
        return outcomes.refuse(request, KEY_REUSED, 422)
    if claim.status_code is not None:
        return outcomes.replay(request, claim)
    seen = RetryableErrorSeen()
    with connection.execute_wrapper(seen):
        response = respond(request)
    if seen.error is not None:  # the view answered 500: roll back, run it all again
        raise seen.error
    if not outcomes.final(response.status_code):
        transaction.set_rollback(True)  # release the key: a retry runs the work again
        return response
    claim.status_code = response.status_code
    claim.content_type = response.get("Content-Type", "")
    claim.response_body = response.content
    claim.location = response.get("Location", "")[:LOCATION_LENGTH]
    claim.save(update_fields=["status_code", "content_type", "response_body", "location"])
    return response


def claimed(request, scope, key, digest):
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


class IdempotencyMiddleware:
    """The API's POSTs (``/api/``) with an ``Idempotency-Key`` header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.META.get(HEADER, "").strip()
        if request.method != "POST" or not key or not request.path.startswith("/api/"):
            return self.get_response(request)
        return once(request, key, self.get_response)


# ---------------------------------------------------------------------------- pages


def form_hash(request):
    """A form's fields, not its bytes: a browser sends the same form again with another
    multipart boundary."""
    fields = sorted((name, values) for name, values in request.POST.lists())
    return hashlib.sha256(
        request.method.encode() + request.path.encode() + repr(fields).encode()
    ).hexdigest()


def page_final(status_code):
    """A page answers a booking with a redirect (post/redirect/get): that is final too."""
    return is_final(status_code) or status_code in REDIRECTS


def page_refuse(request, message, status):
    """htmx shows the text; a plain form goes back to its page with the message."""
    if request.headers.get("HX-Request"):
        return HttpResponse(str(message), status=status, content_type="text/plain; charset=utf-8")
    messages.error(request, message)
    return HttpResponseRedirect(back_url(request), status=303)


def page_replay(request, claim):
    """A redirect goes where the first post went, saying nothing was booked again; any
    other outcome (a fragment, a page with its errors) is sent again as it was."""
    if not claim.location:
        return replay(claim)
    messages.info(request, ALREADY_DONE)
    response = HttpResponseRedirect(claim.location, status=claim.status_code)
    response[REPLAYED_HEADER] = "true"
    return response


PAGES = Outcomes(final=page_final, refuse=page_refuse, replay=page_replay, digest=form_hash)


def page_key(request):
    """The key of a page's POST: htmx sends the header, a form its hidden field."""
    return (request.META.get(HEADER) or request.POST.get(PAGE_FIELD) or "").strip()


def idempotent_page(view):
    """A page view whose POSTs book at most once per ``Idempotency-Key`` (header or the
    ``idempotency_key`` field that ``{% idempotency_key_field %}`` renders): a double tap or
    a retry gets the first outcome. Put it below the login/permission decorators, so only
    an allowed caller claims a key. A POST without a key runs as before."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = page_key(request) if request.method == "POST" else ""
        if not key:
            return view(request, *args, **kwargs)
        return once(request, key, lambda r: view(r, *args, **kwargs), PAGES)

    return wrapper


def idempotency_keys_purge(*, now=None):
    """Forget keys older than ``IDEMPOTENCY_KEY_TTL_HOURS`` (at least 24 h); returns the count."""
    hours = max(settings.IDEMPOTENCY_KEY_TTL_HOURS, 24)
    cutoff = (now or timezone.now()) - timedelta(hours=hours)
    deleted, _per_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
