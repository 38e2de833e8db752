"""``{% idempotency_key_field %}``: a fresh ``Idempotency-Key`` in every rendered form, so
the same form sent twice (a double tap, a browser's retry) books once (core.idempotency)."""

import uuid

from django import template
from django.utils.html import format_html

from core.idempotency import PAGE_FIELD

register = template.Library()


@register.simple_tag
def idempotency_key_field():
    return format_html('<input type="hidden" name="{}" value="{}">', PAGE_FIELD, uuid.uuid4())
