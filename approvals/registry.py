"""What happens to a request when its last step is approved or any step rejected.

The returns app registers its request models here (``AppConfig.ready``), so approvals
never imports the services that depend on it.
"""

HANDLERS = {}


def register(model, *, approved, rejected):
    """``approved(request, actor, device)`` / ``rejected(request, actor, device, comment)``."""
    HANDLERS[model._meta.label_lower] = (approved, rejected)


def handlers_for(request):
    return HANDLERS[request._meta.label_lower]
