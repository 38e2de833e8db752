"""``manage.py check`` (run by migrate, runserver and make stack) refuses malformed audit keys
and stream counts before a process could fail on its first audited write."""

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from audit.keys import audit_keys

MAX_STREAMS = 1024  # each stream is verified and anchored on its own, daily


@register()
def audit_keys_check(app_configs, **kwargs):
    try:
        audit_keys()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="audit.E001")]
    return []


@register()
def audit_streams_check(app_configs, **kwargs):
    if not 1 <= settings.AUDIT_STREAMS <= MAX_STREAMS:
        return [Error(f"AUDIT_STREAMS must be from 1 to {MAX_STREAMS}.", id="audit.E002")]
    return []
