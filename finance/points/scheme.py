"""Reading the points table (R-J3): the active version, the cell for a behaviour and an
amount, the behaviours a reason stands for; and a new version by an administrator."""

from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Max, Subquery
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core.errors import StateConflict
from core.transactions import atomic_service
from finance.models import BandKind, PointRule, PointScheme, ReasonBehaviour
from org.access import permission_require

NO_SCHEME = _("No points scheme is active.")
NO_CELL = _("The points table has no cell for %(behaviour)s and %(amount)s yuan.")


def scheme_current() -> PointScheme | None:
    """The newest active version (R-A5 alike: data, versioned), or None."""
    return PointScheme.objects.filter(is_active=True).order_by("-version").first()


def scheme_active() -> PointScheme:
    """The newest active version; refused when there is none."""
    scheme = scheme_current()
    if scheme is None:
        raise StateConflict(NO_SCHEME)
    return scheme


def rule_for(
    *, scheme: PointScheme, behaviour: str, amount: Decimal | None, used: bool = True
) -> PointRule:
    """The cell of ``behaviour`` for ``amount`` (yuan): material that came back unused
    takes the row's "unused" cell where it has one; otherwise the amount band that holds
    the amount (bands include their upper bound: 1,000.00 is "≤ 1,000", 1,000.01 is
    "> 1,000"); a row of one cell (each occurrence, not in time) takes that cell."""
    rules = [rule for rule in scheme.rules.all() if rule.behaviour == behaviour]
    unused = [rule for rule in rules if rule.band == BandKind.UNUSED]
    if not used and unused:
        return unused[0]
    banded = [rule for rule in rules if rule.band != BandKind.UNUSED]
    if len(banded) == 1 and banded[0].above is None and banded[0].up_to is None:
        return banded[0]
    amount = Decimal(amount or 0)
    for rule in banded:
        if rule.contains(amount):
            return rule
    raise StateConflict(NO_CELL, params={"behaviour": behaviour, "amount": amount})


def mappings_current(*, kind: str, reason_code: str, triggers: list[str]) -> list[ReasonBehaviour]:
    """The active version's mappings of ``reason_code`` on ``triggers`` (an empty code in
    the mapping matches every reason of the kind), each with its scheme, in one query; none
    without an active version."""
    newest = PointScheme.objects.filter(is_active=True).order_by("-version").values("pk")[:1]
    return list(
        ReasonBehaviour.objects.filter(
            scheme=Subquery(newest),
            kind=kind,
            trigger__in=triggers,
            reason_code__in=[reason_code, ""],
        )
        .select_related("scheme")
        .order_by("behaviour")
    )


@atomic_service
def point_scheme_copy(*, scheme: PointScheme, name: str, actor: User) -> PointScheme:
    """A new version with the cells and mappings of ``scheme``, active at once (the older
    versions are set inactive); the administrator then edits its cells. Point entries keep
    the version they were written under."""
    permission_require(actor, "finance.add_pointscheme", _("edit the points table"))
    PointScheme.objects.select_for_update().filter(is_active=True).update(is_active=False)
    version = (PointScheme.objects.aggregate(last=Max("version"))["last"] or 0) + 1
    copy = PointScheme.objects.create(
        version=version,
        name=name or scheme.name,
        leftover_deadline_hours=scheme.leftover_deadline_hours,
        note=scheme.note,
        created_by=actor,
    )
    rules = list(scheme.rules.all())
    for rule in rules:
        rule.pk, rule.scheme = None, copy
    PointRule.objects.bulk_create(rules)
    mappings = list(scheme.mappings.all())
    for mapping in mappings:
        mapping.pk, mapping.scheme = None, copy
    ReasonBehaviour.objects.bulk_create(mappings)
    audit_record(
        actor=actor,
        action="points.scheme_copy",
        obj=copy,
        before={"version": scheme.version},
        after={"version": copy.version, "rules": len(rules), "mappings": len(mappings)},
    )
    return copy
