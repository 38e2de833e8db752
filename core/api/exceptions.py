"""One exception handler for the whole API: 400 with field messages (and the first one as
``detail``), 409 for wrong state, 413 for a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``.
``core.api.schema`` documents these bodies."""

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import StateConflict

NON_FIELD = "non_field_errors"
TOO_BIG = _("The request body is too large.")


def validation_error_payload(error):
    """Django ValidationError -> ``{"field": ["message", ...]}`` (messages already translated)."""
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
    return {NON_FIELD: [str(m) for m in error.messages]}


def first_message(errors):
    """The first message in DRF's nested error structure (dicts and lists of them)."""
    if isinstance(errors, dict):
        errors = list(errors.values())
    if isinstance(errors, list):
        return next((m for m in map(first_message, errors) if m), "")
    return str(errors)


def with_detail(payload):
    if not isinstance(payload, dict):
        payload = {NON_FIELD: payload}
    if "detail" not in payload:
        payload["detail"] = first_message(payload)
    return payload


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        return Response(
            with_detail(validation_error_payload(exc)), status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, StateConflict):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RequestDataTooBig):
        return Response({"detail": str(TOO_BIG)}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        response.data = with_detail(response.data)
    return response
