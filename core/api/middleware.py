"""Under ``/api/`` every error answer is JSON, whoever produced it.

DRF renders its own errors as JSON, but some come from outside a DRF view: Django's
resolver (an unknown ``/api/`` path), a middleware, an uncaught exception (handler500 or,
with DEBUG, the technical page), or the browsable API's HTML. This middleware sits first in
``MIDDLEWARE``, so it sees every one of them after Django turned it into a response, and
replaces a non-JSON error body with ``{"detail": …}`` in the caller's language. A 5xx also
carries the request's id, sent as ``X-Request-Id`` on every API answer and written on the
log line that holds the traceback (``core.logging.RequestIdFilter``). Pages keep HTML.
"""

import uuid

from django.http import JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions

API_PREFIX = "/api/"
REQUEST_ID_HEADER = "X-Request-Id"
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
        request.request_id = uuid.uuid4().hex
        response = self.get_response(request)
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
