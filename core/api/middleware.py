"""Under ``/api/`` every error answer is JSON, whoever produced it.

DRF renders its own errors as JSON, but some come from outside a DRF view: Django's
resolver (an unknown ``/api/`` path), a middleware, an uncaught exception (handler500 or,
with DEBUG, the technical page), or the browsable API's HTML. This middleware sits first in
``MIDDLEWARE``, so it sees every one of them after Django turned it into a response, and
replaces a non-JSON error body with ``{"detail": …}`` in the caller's language. A 5xx also
carries the request's id, sent as ``X-Request-Id`` on every API answer and written on the
log line that holds the traceback (``core.logging.RequestIdFilter``). Pages keep HTML.

The id is the caller's ``X-Request-Id`` when it sends a plain one (a proxy's trace id), else
a new one; it is bound in ``core.request_id`` for the whole request, so log lines, the audit
event and the Celery tasks the request causes carry it too, and every answer (pages
included) sends it back.
"""

from django.http import JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions

from core.request_id import REQUEST_ID_HEADER, accepted_or_new, bound

API_PREFIX = "/api/"
SERVER_ERROR = _("An unexpected error occurred; quote request id %(request_id)s to support.")
REQUEST_FAILED = _("The request failed (HTTP %(status)s).")
# What Django itself answers outside DRF: SuspiciousOperation, PermissionDenied, Http404.
MESSAGES = {
    400: exceptions.ParseError.default_detail,
    403: exceptions.PermissionDenied.default_detail,
    404: exceptions.NotFound.default_detail,
}


def is_json(response) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def error_body(status: int, request_id: str) -> dict:
    if status >= 500:
        return {"detail": str(SERVER_ERROR % {"request_id": request_id}), "request_id": request_id}
    return {"detail": str(MESSAGES.get(status, REQUEST_FAILED % {"status": status}))}


class ApiErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = accepted_or_new(request.headers.get(REQUEST_ID_HEADER))
        with bound(request.request_id):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id
        if not request.path.startswith(API_PREFIX):
            return response
        if response.status_code >= 400 and not is_json(response):
            language = translation.get_language_from_request(request)
            with translation.override(language):
                body = error_body(response.status_code, request.request_id)
            json_response = JsonResponse(body, status=response.status_code)
            if "Allow" in response:  # a 405 names the methods that are allowed
                json_response["Allow"] = response["Allow"]
            response = json_response
            response[REQUEST_ID_HEADER] = request.request_id
        return response
