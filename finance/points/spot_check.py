"""The GM office's spot check (R-J4, seed 002 §4.3.6, §4.4): from the month-end's flagged
replenishments the GM office proposes penalties or rewards per the table; the executive GM
and then the GM approve them in their approval inbox; only an approved proposal becomes a
point entry and counts in the month's totals."""

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.models import Tier
from approvals.registry import register
from approvals.services import approval_steps_open
from audit.services import audit_record
from core.errors import StateConflict
from core.transactions import atomic_service
from finance.models import (
    Behaviour,
    CellKind,
    EntryOrigin,
    MonthEnd,
    ProposalState,
    SpotCheckProposal,
)
from finance.points.entries import POINTS_REQUIRED, Event, point_entry_write, signed_points
from finance.points.scheme import rule_for, scheme_active
from org.access import permission_require

SPOT_CHECK_TIERS = [Tier.EXECUTIVE_GM, Tier.GM]
NOT_FLAGGED = _("%(number)s is not a flagged replenishment of %(month)s.")
NO_WORKSHOP = _("%(number)s names no workshop: its approvers cannot be found.")
ALREADY_PROPOSED = _("%(behaviour)s is already proposed for %(number)s.")
NOT_PENDING = _("This proposal was already decided (%(state)s).")
FINDING_REQUIRED = _("Write down what the spot check found.")


def proposal_locked(proposal: SpotCheckProposal) -> SpotCheckProposal:
    proposal = SpotCheckProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.state != ProposalState.PENDING:
        raise StateConflict(NOT_PENDING, params={"state": proposal.get_state_display()})
    return proposal


@atomic_service
def spot_check_propose(
    *,
    month_end: MonthEnd,
    document_number: str,
    behaviour: str,
    note: str,
    actor: User,
    person: User | None = None,
    points: int | None = None,
    device: str = "",
) -> SpotCheckProposal:
    """The GM office proposes a penalty or reward for a flagged replenishment of the
    month: the cell comes from the active table by the document's amount; where the cell
    leaves the number to management the reviewer gives it. Opens the executive GM's and the
    GM's approval steps."""
    permission_require(actor, "finance.propose_points", _("propose penalties and rewards"))
    if behaviour not in Behaviour.values:
        raise ValidationError({"behaviour": [_("Choose a behaviour of the table.")]})
    if not (note or "").strip():
        raise ValidationError({"note": [FINDING_REQUIRED]})
    document = (
        month_end.documents.filter(number=document_number, flagged=True)
        .select_related("workshop")
        .first()
    )
    params = {"number": document_number, "month": str(month_end)}
    if document is None:
        raise ValidationError({"document_number": [NOT_FLAGGED % params]})
    if document.workshop is None:
        raise StateConflict(NO_WORKSHOP, params=params)
    rule = rule_for(scheme=scheme_active(), behaviour=behaviour, amount=document.amount)
    if rule.points is None and rule.cell != CellKind.PRODUCTION_BEARS and points is None:
        raise ValidationError({"points": [POINTS_REQUIRED]})
    taken = SpotCheckProposal.objects.select_for_update().filter(
        document_number=document_number,
        behaviour=behaviour,
        state__in=[ProposalState.PENDING, ProposalState.APPROVED],
    )
    if taken.exists():
        raise StateConflict(
            ALREADY_PROPOSED, params={**params, "behaviour": Behaviour(behaviour).label}
        )
    proposal = SpotCheckProposal.objects.create(
        month=month_end.month,
        document_number=document_number,
        document_amount=document.amount,
        workshop=document.workshop,
        rule=rule,
        behaviour=behaviour,
        department=rule.department,
        points=signed_points(rule, points),
        person=person,
        note=note.strip(),
        proposed_by=actor,
    )
    approval_steps_open(
        request=proposal,
        tiers=SPOT_CHECK_TIERS,
        workshop=document.workshop,
        requester=actor,
        context={"cell": rule.band_label(), "points": proposal.points},
    )
    audit_record(
        actor=actor,
        device=device,
        action="points.propose",
        obj=proposal,
        after={
            "document": document_number,
            "behaviour": behaviour,
            "cell": rule.band_label(),
            "points": proposal.points,
            "scheme": rule.scheme.version,
        },
    )
    return proposal


def proposal_approved(proposal: SpotCheckProposal, actor: User | None, device: str) -> None:
    """Approval handler: the GM approved the last step; the proposal becomes a point entry
    of its month (R-J4)."""
    proposal = proposal_locked(proposal)
    event = Event(
        source_type="spot_check",
        source_number=proposal.document_number,
        behaviour=proposal.behaviour,
        month=proposal.month,
        amount=proposal.document_amount,
        workshop=proposal.workshop,
        person=proposal.person,
    )
    entry, _created = point_entry_write(
        event=event,
        origin=EntryOrigin.SPOT_CHECK,
        actor=actor,
        rule=proposal.rule,
        points=abs(proposal.points),
        note=proposal.note,
        device=device,
    )
    proposal.state, proposal.decided_at, proposal.entry = (
        ProposalState.APPROVED,
        timezone.now(),
        entry,
    )
    proposal.save(update_fields=["state", "decided_at", "entry"])
    audit_record(
        actor=actor,
        device=device,
        action="points.proposal_approve",
        obj=proposal,
        after={"entry": entry.pk, "points": entry.points},
    )


def proposal_rejected(
    proposal: SpotCheckProposal, actor: User | None, device: str, comment: str
) -> None:
    """Approval handler: a step was rejected; nothing counts."""
    proposal = proposal_locked(proposal)
    proposal.state, proposal.decided_at = ProposalState.REJECTED, timezone.now()
    proposal.save(update_fields=["state", "decided_at"])
    audit_record(
        actor=actor,
        device=device,
        action="points.proposal_reject",
        obj=proposal,
        after={"comment": comment},
    )


def proposal_rows(ids: list[int]) -> dict[int, dict[str, Any]]:
    """What the approval inbox shows of proposals (``approvals.registry``), as plain rows
    shaped like a request's: the finding as the explanation, the behaviour as the reason."""
    rows = {}
    proposals = SpotCheckProposal.objects.filter(pk__in=ids).select_related(
        "proposed_by", "person", "rule"
    )
    for proposal in proposals:
        behaviour = Behaviour(proposal.behaviour).label
        who = proposal.person.get_username() if proposal.person else ""
        rows[proposal.pk] = {
            "kind": "spot_check",
            "id": proposal.pk,
            "number": None,
            "label": _("Spot check of %(number)s") % {"number": proposal.document_number},
            "state": proposal.state,
            "work_order": {"number": proposal.document_number, "planned_qty": Decimal(0)},
            "reason": {"code": proposal.behaviour, "name": str(behaviour), "name_zh": ""},
            "applicant": proposal.proposed_by.get_username(),
            "explanation": (
                f"{proposal.rule.band_label()}: {proposal.points:+d} "
                f"{proposal.get_department_display()} {who} — {proposal.note}"
            ),
            "amount": proposal.document_amount,
            "lines": [],
            "attachments": [],
        }
    return rows


def register_approvals() -> None:
    """Called from ``finance.apps.FinanceConfig.ready``."""
    register(
        SpotCheckProposal,
        kind="spot_check",
        label=_("GM office spot check"),
        approved=proposal_approved,
        rejected=proposal_rejected,
        rows=proposal_rows,
    )
