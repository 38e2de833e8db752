"""What every page view shares: showing service errors (scoping is ``org.access``)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError

from core.errors import StateConflict


def service_failed(request, error, *forms):
    """Show a service's error: field messages next to the field of the first form that has
    it (formsets too, as their non-form errors), the rest at the top of the page."""
    if isinstance(error, (StateConflict, PermissionDenied)):
        messages.error(request, str(error))
        return
    fields = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for field, texts in fields.items():
        target = next((f for f in forms if field and field in getattr(f, "fields", {})), None)
        if target is not None:
            target.add_error(field, ValidationError(texts))
            continue
        formset = next((f for f in forms if hasattr(f, "non_form_errors")), None)
        if formset is not None and formset.is_bound:
            formset.non_form_errors().extend(texts)
        elif forms:
            forms[0].add_error(None, texts)
        else:
            for text in texts:
                messages.error(request, text)


SERVICE_ERRORS = (ValidationError, StateConflict, PermissionDenied)


def service_refused(request, error, *forms):
    """``service_failed``, then the page's HTTP status: 409 for a wrong state, else 400."""
    service_failed(request, error, *forms)
    return 409 if isinstance(error, StateConflict) else 400
