"""``manage.py check`` (run by migrate, runserver and make stack) refuses malformed audit keys
before a process could fail on its first audited write."""

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from audit.keys import audit_keys


@register()
def audit_keys_check(app_configs, **kwargs):
    try:
        audit_keys()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="audit.E001")]
    return []
