"""What approvals knows of the requests it routes and decides, all registered by the returns
app (``AppConfig.ready``), so approvals never imports the app above it:

- each request model with its kind, its label, what happens when its last step is approved or
  any step rejected, and the queryset a decision needs (lines, attachments);
- the replenish reasons (looked up by code) and the tiers a reason adds to a replenishment's
  chain (R-A4).
"""

HANDLERS = {}  # "app.model" -> (approved, rejected)
MODELS = {}  # kind -> request model, in registration order
LABELS = {}  # kind -> label
QUERYSETS = {}  # kind -> () -> the model's queryset with what a decision needs
REASONS = {}  # "replenish" -> () -> replenish reasons; "extra_tiers" -> reason -> tiers


def register(model, *, kind, label, approved, rejected, queryset):
    """``approved(request, actor, device)`` / ``rejected(request, actor, device, comment)``."""
    HANDLERS[model._meta.label_lower] = (approved, rejected)
    MODELS[kind] = model
    LABELS[kind] = label
    QUERYSETS[kind] = queryset


def register_reasons(*, replenish, extra_tiers):
    """``replenish()``: the replenish reasons; ``extra_tiers(reason)``: the tiers the reason
    adds to a replenishment's matrix chain."""
    REASONS.update(replenish=replenish, extra_tiers=extra_tiers)


def handlers_for(request):
    return HANDLERS[request._meta.label_lower]


def kind_choices():
    return list(LABELS.items())


def request_kind(request):
    return next(kind for kind, model in MODELS.items() if isinstance(request, model))


def decision_querysets():
    return [queryset() for queryset in QUERYSETS.values()]


def replenish_reasons():
    return REASONS["replenish"]()


def extra_tiers(reason):
    return REASONS["extra_tiers"](reason) if reason is not None else []
