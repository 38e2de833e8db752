"""Violations the system sees write point entries by themselves (R-J3, R-W5): finance
listens to ``returns.signals.request_state_changed`` (sent inside the request's
transaction, the slip locked), so an entry commits or rolls back with its event.

- a posted return or issued replenishment whose reason stands for a behaviour (``posted``),
  e.g. wrong material issued and reversed by a return (规格不符 → 核对不严, 仓储部);
- leftovers posted after the work order's completion + the scheme's deadline, 24 h
  (``late``, 退料不及时);
- a return the warehouse refused, mixed categories or an unclear reason (``refused``,
  手续不规范; seed 002 退(换)补料 4.2.4).

A replenishment issued without the approval authority (审核不严) cannot happen here:
``replenish_issue`` refuses a request its approvers have not approved, so no event exists.
"""

import logging
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import User

from audit.models import AuditEvent
from core.errors import StateConflict
from core.fields import MONEY
from finance.models import Behaviour, EntryOrigin, PointScheme, ReasonBehaviour, Trigger
from finance.points.entries import Event, month_of, point_entry_write
from finance.points.scheme import mappings_current, rule_for
from returns.models import (
    ReplenishRequest,
    RequestKind,
    ResponsibleParty,
    ReturnRequest,
    Verdict,
)

ZERO = Decimal(0)
logger = logging.getLogger(__name__)


def slip_lines(slip) -> list:
    """Read only once a mapping can write an entry: a slip that counts for nothing (the
    usual good return, on time) costs the one mapping query and no more."""
    return list(slip.lines.select_related("material"))


def slip_amount(lines, quantity_field: str) -> Decimal:
    """The slip's value at the materials' standard cost, in yuan."""
    total = ZERO
    for line in lines:
        total += (getattr(line, quantity_field) or ZERO) * line.material.standard_cost
    return total.quantize(MONEY)


def mapped(slip, *, kind: str, triggers: list[str]) -> dict[str, list[ReasonBehaviour]]:
    """The active version's mappings of the slip's reason, by trigger (one query)."""
    by_trigger: dict[str, list[ReasonBehaviour]] = {}
    for mapping in mappings_current(kind=kind, reason_code=slip.reason.code, triggers=triggers):
        by_trigger.setdefault(mapping.trigger, []).append(mapping)
    return by_trigger


def record(
    slip,
    *,
    mappings: list[ReasonBehaviour],
    source_type: str,
    source_number: str,
    amount: Decimal,
    used: bool,
    actor: User | None,
) -> None:
    """One entry per behaviour ``mappings`` (of one version) stand for."""
    if not mappings:
        return
    scheme = mappings[0].scheme
    for behaviour in sorted({mapping.behaviour for mapping in mappings}):
        try:
            rule = rule_for(scheme=scheme, behaviour=behaviour, amount=amount, used=used)
        except StateConflict:  # a gap an administrator left in the table: the posting goes on
            logger.warning("No points cell for %s, %s yuan (%s)", behaviour, amount, source_number)
            continue
        production = rule.department == ResponsibleParty.PRODUCTION
        event = Event(
            source_type=source_type,
            source_number=source_number,
            behaviour=behaviour,
            month=month_of(),
            amount=amount,
            used=used,
            workshop=slip.work_order.workshop,
            person=slip.applicant if production else None,
        )
        point_entry_write(event=event, origin=EntryOrigin.AUTOMATIC, actor=actor, rule=rule)


def leftovers_late(slip: ReturnRequest, deadline_hours: int) -> bool:
    """R-W5: posted more than ``deadline_hours`` after the work order's completion."""
    completed = slip.work_order.completed_at
    return bool(
        completed
        and slip.posted_at
        and slip.posted_at > completed + timedelta(hours=deadline_hours)
    )


def refusal_number(slip: ReturnRequest) -> str:
    """Each refusal of a slip is its own event: the slip's number and the refusal's count
    (its own audit event is written after this)."""
    earlier = AuditEvent.objects.filter(
        object_type=slip._meta.label_lower, object_id=str(slip.pk), action="return.refuse"
    ).count()
    return f"{slip.number}#{earlier + 1}"


def return_changed(slip: ReturnRequest, action: str, actor: User | None) -> None:
    if action == "post":
        by_trigger = mapped(slip, kind=RequestKind.RETURN, triggers=[Trigger.POSTED, Trigger.LATE])
        posted = by_trigger.get(Trigger.POSTED, [])
        late = [
            mapping
            for mapping in by_trigger.get(Trigger.LATE, [])
            if leftovers_late(slip, mapping.scheme.leftover_deadline_hours)
        ]
        if not posted and not late:  # the usual return: nothing to count, nothing more to read
            return
        lines = slip_lines(slip)
        common = {"amount": slip_amount(lines, "received_qty"), "actor": actor}
        used = any(line.verdict != Verdict.GOOD for line in lines)
        record(
            slip,
            mappings=posted,
            source_type="return",
            source_number=slip.number,
            used=used,
            **common,
        )
        record(
            slip,
            mappings=late,
            source_type="return_late",
            source_number=slip.number,
            used=False,
            **common,
        )
    elif action == "refuse":
        refused = mapped(slip, kind=RequestKind.RETURN, triggers=[Trigger.REFUSED])
        if refused:
            record(
                slip,
                mappings=refused[Trigger.REFUSED],
                source_type="return_refusal",
                source_number=refusal_number(slip),
                amount=slip_amount(slip_lines(slip), "quantity"),
                used=False,
                actor=actor,
            )


def on_request_state_changed(sender, slip, state, action, actor=None, **kwargs) -> None:
    """Receiver of ``returns.signals.request_state_changed`` (connected in
    ``finance.apps.FinanceConfig.ready``)."""
    if sender is ReturnRequest:
        return_changed(slip, action, actor)
    elif sender is ReplenishRequest and action == "issue":
        issued = mapped(slip, kind=RequestKind.REPLENISH, triggers=[Trigger.POSTED])
        if issued:
            record(
                slip,
                mappings=issued[Trigger.POSTED],
                source_type="replenish",
                source_number=slip.number,
                amount=slip_amount(slip_lines(slip), "issued_qty"),
                used=True,
                actor=actor,
            )


def on_leftover_declared(
    sender, work_order, line, quantity, allowance, over_allowance, declaration, actor=None, **_
) -> None:
    """Receiver of ``workorders.signals.leftover_declared`` (R-W6): leftovers declared
    consumed count as over-quota loss; above the line's normal loss allowance the
    workshop takes the table's over-quota cell for the value beyond it."""
    if not over_allowance:
        return
    scheme = PointScheme.objects.filter(is_active=True).order_by("-version").first()
    if scheme is None:
        return
    amount = ((quantity - allowance) * line.material.standard_cost).quantize(MONEY)
    try:
        rule = rule_for(scheme=scheme, behaviour=Behaviour.OVER_QUOTA, amount=amount)
    except StateConflict:
        logger.warning("No over-quota points cell for %s yuan (%s)", amount, work_order.number)
        return
    event = Event(
        source_type="leftover_declared",
        source_number=f"{work_order.number}#{declaration.pk}",
        behaviour=Behaviour.OVER_QUOTA,
        month=month_of(),
        amount=amount,
        workshop=work_order.workshop,
    )
    point_entry_write(event=event, origin=EntryOrigin.AUTOMATIC, actor=actor, rule=rule)
