"""Scenario builders for returns and replenishments; they call the real services."""

from decimal import Decimal

from django.contrib.auth import get_user_model

from approvals.models import StepState, TierAssignment
from approvals.services import approval_decide, steps_of
from returns.models import ReasonCode
from returns.services.issuing import replenish_issue
from returns.services.replenish import replenish_create, replenish_submit
from returns.services.return_drafting import return_create, return_submit
from returns.services.return_posting import return_post
from returns.services.return_qc import return_qc_verdict
from returns.services.return_receipt import return_receive
from tests.builders import with_roles
from tests.factories import UserFactory


def reason(code):
    return ReasonCode.objects.get(code=code)


def keeper_user():
    """A warehouse keeper (segregation of duties: never the applicant)."""
    user, _created = get_user_model().objects.get_or_create(username="keeper-on-duty")
    return with_roles(user, "keeper")


def tier_holder(tier, workshop=None):
    """A user holding ``tier`` (for ``workshop``, or plant-wide)."""
    user = UserFactory(username=f"{tier}-{workshop.code if workshop else 'plant'}")
    TierAssignment.objects.get_or_create(user=user, tier=tier, workshop=workshop)
    return user


def pending_step(request):
    return steps_of(request).filter(state=StepState.PENDING).first()


def approve_all(request):
    """Approve every step of the current round, each by a holder of its tier."""
    decided = []
    while (step := pending_step(request)) is not None:
        approval_decide(step=step, actor=tier_holder(step.tier), approve=True)
        decided.append(step.tier)
    return decided


def line(material, quantity, lot=None, **extra):
    return {"material": material, "lot": lot, "quantity": Decimal(quantity), **extra}


def cite(return_request, quantity):
    """A replenishment line's citation of a one-line return slip (R-P2)."""
    return {"return_line": return_request.lines.get(), "quantity": Decimal(quantity)}


def workshop_member(work_order, user):
    """Requests are raised by people of the work order's workshop (issue #7 scope)."""
    work_order.workshop.members.add(user)
    return user


def draft_return(work_order, applicant, lines, code="LEFTOVER", **kwargs):
    workshop_member(work_order, applicant)
    return return_create(
        work_order=work_order, reason=reason(code), lines=lines, applicant=applicant, **kwargs
    )


def replenishment(work_order, applicant, lines, code="OVER_QUOTA"):
    workshop_member(work_order, applicant)
    return replenish_create(
        work_order=work_order, reason=reason(code), lines=lines, applicant=applicant
    )


def issued_replenishment(work_order, applicant, material, quantity, code="OVER_QUOTA"):
    """Create, submit, approve every step and issue (short when stock is missing)."""
    request = replenishment(work_order, applicant, [line(material, quantity)], code=code)
    request = replenish_submit(replenish_request=request, actor=applicant)
    approve_all(request)
    return replenish_issue(replenish_request=request, actor=keeper_user())


def posted_return(work_order, lines, *, applicant, qc, keeper, verdict, code, defect_rate=None):
    """A return slip taken through review (by a supervisor of the workshop, and a defect
    return by its workshop director too, R-A4), QC, receipt and posting."""
    request = draft_return(work_order, applicant, lines, code=code)
    request = return_submit(return_request=request, actor=applicant)
    while (step := pending_step(request)) is not None:
        approval_decide(step=step, actor=tier_holder(step.tier, work_order.workshop), approve=True)
    verdicts = [
        {"line": ln, "verdict": verdict, "defect_rate": defect_rate} for ln in request.lines.all()
    ]
    request = return_qc_verdict(return_request=request, verdicts=verdicts, actor=qc)
    request = return_receive(return_request=request, lines=[], actor=keeper)
    return return_post(return_request=request, actor=keeper)


def short_replenishment(*, shelf, workshop, clerk, admin, keeper):
    """R-P4: a replenishment of 20 BOLT, approved, when 5 are in stock: the ``keeper``
    issues 5 and a shortage slip of 15 is opened. Returns the request."""
    from tests.builders import receive, released_work_order
    from tests.factories import MaterialFactory
    from workorders.services.issuing import IssueLine, work_order_issue

    bolt = MaterialFactory(code="BOLT")
    receive(bolt, shelf, 10, admin)
    work_order = released_work_order(
        admin, components=[(bolt, 1, 0)], number="WO-B", workshop=workshop
    )
    work_order_issue(work_order=work_order, actor=admin, lines=[IssueLine(bolt, 5, shelf)])
    request = replenishment(work_order, clerk, [line(bolt, 20)])
    approve_all(replenish_submit(replenish_request=request, actor=clerk))
    replenish_issue(replenish_request=request, actor=keeper)
    request.refresh_from_db()
    return request
