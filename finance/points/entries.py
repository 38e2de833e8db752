"""Point entries (R-J3): written only here, one per source document and behaviour, each
with the version and the cell of the table it was written under, audited."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from core.errors import StateConflict
from core.transactions import atomic_service
from finance.models import Behaviour, CellKind, EntryOrigin, PointEntry, PointRule
from finance.points.scheme import rule_for, scheme_active
from org.access import permission_require, scope_require
from org.models import Workshop

ALREADY_RECORDED = _("%(behaviour)s is already recorded for %(source)s.")
NOTE_OR_EVIDENCE = _("Give a note or attach the evidence.")
POINTS_REQUIRED = _("The table leaves this cell to management: give the points.")
SOURCE_REQUIRED = _("Name the document the points are for.")
SUPERVISOR_SOURCE = "record"


@dataclass(frozen=True)
class Event:
    """What the points are for: a source document, who and where, and the amount."""

    source_type: str
    source_number: str
    behaviour: str
    month: date
    amount: Decimal | None = None
    used: bool = True
    workshop: Workshop | None = None
    person: User | None = None
    team: str = ""


def month_of(moment=None) -> date:
    return timezone.localdate(moment).replace(day=1)


def signed_points(rule: PointRule, points: int | None) -> int:
    """The cell's points with their sign (penalties negative, rewards positive); where the
    cell leaves the number to management, the size given with the cell's sign; where
    production bears the cost, none."""
    if rule.points is not None:
        return rule.signed_points()
    if rule.cell == CellKind.PRODUCTION_BEARS:
        return 0
    size = abs(int(points or 0))
    return size if rule.cell == CellKind.REWARD else -size


def point_entry_write(
    *,
    event: Event,
    origin: str,
    actor: User | None,
    rule: PointRule | None = None,
    points: int | None = None,
    note: str = "",
    evidence: UploadedFile | None = None,
    device: str = "",
) -> tuple[PointEntry, bool]:
    """The entry of ``event`` (created, or the one already there: exactly one per source
    document and behaviour). Runs inside the caller's transaction."""
    existing = PointEntry.objects.filter(
        source_type=event.source_type,
        source_number=event.source_number,
        behaviour=event.behaviour,
    ).first()
    if existing is not None:
        return existing, False
    if rule is None:
        rule = rule_for(
            scheme=scheme_active(), behaviour=event.behaviour, amount=event.amount, used=event.used
        )
    entry = PointEntry(
        scheme_id=rule.scheme_id,
        rule=rule,
        behaviour=event.behaviour,
        department=rule.department,
        cell=rule.cell,
        points=signed_points(rule, points),
        amount=event.amount,
        month=event.month,
        workshop=event.workshop,
        team=event.team,
        person=event.person,
        origin=origin,
        source_type=event.source_type,
        source_number=event.source_number,
        note=note,
        created_by=actor,
    )
    if evidence is not None:
        entry.evidence = evidence
    entry.save()
    audit_record(
        actor=actor,
        device=device,
        action="points.record",
        obj=entry,
        after={
            "source": f"{entry.source_type}:{entry.source_number}",
            "behaviour": entry.behaviour,
            "cell": rule.band_label(),
            "points": entry.points,
            "scheme": rule.scheme.version,
            "origin": origin,
        },
    )
    return entry, True


@atomic_service
def point_entry_record(
    *,
    behaviour: str,
    source_number: str,
    workshop: Workshop,
    actor: User,
    amount: Decimal | None = None,
    used: bool = True,
    person: User | None = None,
    team: str = "",
    points: int | None = None,
    note: str = "",
    evidence: UploadedFile | None = None,
    device: str = "",
) -> PointEntry:
    """A supervisor records someone's behaviour with evidence (a note or an attachment,
    R-J3): the cell comes from the active table; where it leaves the number to management
    the supervisor gives it."""
    permission_require(actor, "finance.add_pointentry", _("record points"))
    scope_require(actor, workshop.pk, "workshop")
    source_number = (source_number or "").strip()
    if not source_number:
        raise ValidationError({"source_number": [SOURCE_REQUIRED]})
    if not (note or "").strip() and evidence is None:
        raise ValidationError({"note": [NOTE_OR_EVIDENCE]})
    if behaviour not in Behaviour.values:
        raise ValidationError({"behaviour": [_("Choose a behaviour of the table.")]})
    rule = rule_for(scheme=scheme_active(), behaviour=behaviour, amount=amount, used=used)
    if rule.points is None and rule.cell != CellKind.PRODUCTION_BEARS and points is None:
        raise ValidationError({"points": [POINTS_REQUIRED]})
    event = Event(
        source_type=SUPERVISOR_SOURCE,
        source_number=source_number,
        behaviour=behaviour,
        month=month_of(),
        amount=amount,
        used=used,
        workshop=workshop,
        person=person,
        team=team,
    )
    entry, created = point_entry_write(
        event=event,
        origin=EntryOrigin.SUPERVISOR,
        actor=actor,
        rule=rule,
        points=points,
        note=note.strip(),
        evidence=evidence,
        device=device,
    )
    if not created:
        raise StateConflict(
            ALREADY_RECORDED,
            params={"behaviour": Behaviour(behaviour).label, "source": source_number},
        )
    return entry
