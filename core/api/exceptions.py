"""One exception handler for the whole API: 400 with field messages, 409 for wrong state."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import StateConflict

NON_FIELD = "non_field_errors"


def validation_error_payload(error):
    """Django ValidationError -> ``{"field": ["message", ...]}`` (messages already translated)."""
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
    return {NON_FIELD: [str(m) for m in error.messages]}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        payload = validation_error_payload(exc)
        payload["detail"] = next(iter(payload.values()))[0]
        return Response(payload, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, StateConflict):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)
