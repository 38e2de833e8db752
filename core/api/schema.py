"""OpenAPI: the error answers every endpoint may give, documented in one place.

The bodies are what ``core.api.exceptions.exception_handler`` (and the Idempotency-Key and
API error middlewares) really send: ``{"detail": …}``, plus the field messages on a 400.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from core.excel import XLSX

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in the user's language.")


class ValidationErrorSerializer(serializers.Serializer):
    """``{"field": ["message", …], …, "detail": "first message"}``; nested inputs nest."""

    detail = serializers.CharField(help_text="The first message, for a one-line display.")
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        ref_name = "ValidationError"


class ServerErrorSerializer(serializers.Serializer):
    """What ``core.api.middleware.ApiErrorMiddleware`` answers for an unexpected error."""

    detail = serializers.CharField(help_text="An apology naming the request id.")
    request_id = serializers.CharField(
        help_text="Also in the X-Request-Id header and on the logged traceback."
    )

    class Meta:
        ref_name = "ServerError"


def error(serializer, description):
    return OpenApiResponse(response=serializer, description=description)


ERRORS = {
    "400": error(ValidationErrorSerializer, "Invalid input; nothing was written."),
    "401": error(ErrorSerializer, "Not authenticated, or an unknown or revoked token."),
    "403": error(ErrorSerializer, "Not allowed for this user."),
    "404": error(ErrorSerializer, "No such object (or not visible to this user)."),
    "409": error(ErrorSerializer, "The object is in the wrong state for this action."),
    "413": error(ErrorSerializer, "The request body is too large."),
    "422": error(ErrorSerializer, "The Idempotency-Key was used for a different request."),
    "429": error(ErrorSerializer, "Too many requests for this API token."),
    "500": error(ServerErrorSerializer, "An unexpected error; its request id finds it in the log."),
}

# A download endpoint's 200 answer: ``@extend_schema(responses=WORKBOOK_RESPONSE)``.
WORKBOOK_RESPONSE = {
    (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description=_("The Excel workbook (xlsx)."))
}


class AutoSchema(BaseAutoSchema):
    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        # ``source="lot.batch_no", default=None`` renders null when there is no lot.
        if direction == "response" and getattr(field, "default", False) is None:
            meta["nullable"] = True
        return meta

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self.error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(ERRORS[code], code)
        return responses

    def error_codes(self):
        # Query parameters (filters, pages, cursors) are validated too: 400, or 404 for a
        # page or cursor that does not exist.
        takes_query = self._is_list_view() or not hasattr(self.view, "action")
        codes = ["400"] if self.method in WRITES or takes_query else []
        if not any(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            codes += ["401", "403"]
        if "{" in self.path or self._is_list_view():
            codes.append("404")
        if self.method in WRITES:
            codes += ["409", "413"]
        if self.method == "POST":
            codes.append("422")
        return [*codes, "429", "500"]
