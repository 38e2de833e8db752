"""What the page forms of every app share about scanned stock codes."""

from django.core.exceptions import ValidationError


def one_field(scan, code):
    """A scan's field-keyed error as the messages of the form field being cleaned."""
    try:
        return scan(code)
    except ValidationError as error:
        raise ValidationError(error.messages) from error
