"""What each kind of API token may do, declared by the API views themselves (issue #12).

A view names, per token kind, the viewset actions (``list``, ``retrieve``, ``upsert``,
``submit``…) or, on a plain ``APIView``, the HTTP methods that such a token may use:

    token_scope = TokenScope(integration=READ | {"upsert"}, device=READ)

A view without ``token_scope`` is closed to every token; sessions are not affected. So a new
endpoint is refused to the ERP and to handhelds until its author says otherwise, and the
method counts, not only the route: the ERP reading ``/materials/{id}/`` may not DELETE it.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from core.models import TokenKind

READ = frozenset({"list", "retrieve"})

OUT_OF_SCOPE = {
    TokenKind.INTEGRATION: _(
        "An ERP integration token may not use this endpoint with this method."
    ),
    TokenKind.DEVICE: _("A handheld device token may not use this endpoint with this method."),
}


@dataclass(frozen=True)
class TokenScope:
    """Per token kind, the actions (viewsets) or methods (plain views) it may use."""

    integration: frozenset[str] = field(default_factory=frozenset)
    device: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self):
        for kind in TokenKind.values:  # a plain set or tuple in a declaration is fine too
            object.__setattr__(self, kind, frozenset(getattr(self, kind)))

    def allowed(self, kind: str) -> frozenset[str]:
        return getattr(self, kind, frozenset())


CLOSED = TokenScope()


def served_actions(view) -> dict[str, str]:
    """HTTP method → what the token scope names for it, for the route being dispatched.

    A viewset route knows its own method → action map (``/materials/{id}/`` and
    ``/materials/`` share a class but not the map); a plain view names its methods."""
    action_map = getattr(view, "action_map", None)
    if action_map is not None:
        return {method: name for method, name in action_map.items() if method != "head"}
    return {
        method: method
        for method in view.http_method_names
        if method not in ("head", "options") and hasattr(view, method)
    }


def token_may_use(view, kind: str, method: str) -> bool:
    """HEAD follows GET; OPTIONS describes a route, so it is open where any method is."""
    allowed = getattr(view, "token_scope", CLOSED).allowed(kind)
    served = served_actions(view)
    method = method.lower()
    if method == "options":
        return any(name in allowed for name in served.values())
    return served.get("get" if method == "head" else method) in allowed
