"""Object scope in the services too (issue #7, defence in depth): a person who does not reach
a request — not theirs, not of their workshops, not of a workshop they approve for — is
refused by the service itself with the 404 of an unknown id, and nothing is written."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.http import Http404

from approvals.models import ApprovalStep, StepState, Tier
from approvals.services import approval_decide, request_scope_require
from audit.models import AuditEvent
from inventory.models import LedgerEntry
from org.access import OUT_OF_SCOPE, not_found
from returns.models import ReasonCode, ReplenishRequest, RequestKind, ReturnRequest, ReturnState
from returns.services.replenish import replenish_create
from returns.services.return_drafting import return_create, return_review, return_submit
from returns.services.return_posting import return_post
from returns.services.return_qc import return_qc_verdict
from returns.services.return_receipt import return_receive
from tests.approvals.builders import delegate
from tests.builders import with_roles
from tests.factories import UserFactory, WorkshopFactory
from tests.returns.builders import draft_return, line, pending_step, tier_holder

pytestmark = pytest.mark.django_db


def writes():
    return AuditEvent.objects.count(), LedgerEntry.objects.count()


def with_perms(username, *codenames, workshops=()):
    """A user holding ``codenames`` directly, not through a plant-wide role: their reach is
    their workshops."""
    user = UserFactory(username=username)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return with_roles(user, workshops=workshops)


@pytest.fixture
def elsewhere(db):
    return WorkshopFactory(code="WS2")


@pytest.fixture
def submitted(clerk, work_order, tube, lot):
    request = draft_return(work_order, clerk, [line(tube, 5, lot=lot)])
    return return_submit(return_request=request, actor=clerk)


@pytest.fixture
def reviewed(submitted, workshop):
    return return_review(return_request=submitted, actor=tier_holder("supervisor", workshop))


def test_deciding_a_step_of_another_workshop_is_404_and_decides_nothing(submitted, elsewhere):
    step = pending_step(submitted)
    stranger = tier_holder(Tier.SUPERVISOR, elsewhere)  # the right tier, the wrong workshop
    before = writes()
    for decide, unknown in (
        (lambda: approval_decide(step=step, actor=stranger, approve=True), ApprovalStep),
        (
            lambda: return_review(
                return_request=submitted, actor=stranger, approve=False, comment="no"
            ),
            ReturnRequest,
        ),
    ):
        with pytest.raises(Http404) as error:
            decide()
        assert str(error.value) == str(not_found(unknown))
    step.refresh_from_db()
    assert (step.state, step.decided_by) == (StepState.PENDING, None)
    assert ReturnRequest.objects.get(pk=submitted.pk).state == ReturnState.SUBMITTED
    assert writes() == before


def test_a_qc_verdict_out_of_scope_is_404_and_records_nothing(reviewed, elsewhere, workshop):
    verdicts = [{"line": ln, "verdict": "good"} for ln in reviewed.lines.all()]
    stranger = with_perms("qc-ws2", "give_qc_verdict", workshops=[elsewhere])
    before, lines = writes(), list(reviewed.lines.values_list("verdict", "qc_note"))
    with pytest.raises(Http404):
        return_qc_verdict(return_request=reviewed, verdicts=verdicts, actor=stranger)
    assert writes() == before
    assert ReturnRequest.objects.get(pk=reviewed.pk).state == ReturnState.REVIEWED
    assert list(reviewed.lines.values_list("verdict", "qc_note")) == lines
    member = with_perms("qc-ws1", "give_qc_verdict", workshops=[workshop])
    done = return_qc_verdict(return_request=reviewed, verdicts=verdicts, actor=member)
    assert done.state == ReturnState.INSPECTED


def test_posting_out_of_scope_is_404_and_books_nothing(reviewed, qc, user, elsewhere):
    verdicts = [{"line": ln, "verdict": "good"} for ln in reviewed.lines.all()]
    request = return_qc_verdict(return_request=reviewed, verdicts=verdicts, actor=qc)
    request = return_receive(return_request=request, lines=[], actor=user)
    stranger = with_perms("poster-ws2", "post_return", workshops=[elsewhere])
    before = writes()
    with pytest.raises(Http404):
        return_post(return_request=request, actor=stranger)
    assert writes() == before  # the ledger entries written before the refusal rolled back
    assert ReturnRequest.objects.get(pk=request.pk).state == ReturnState.RECEIVED


def test_who_reaches_a_request(submitted, workshop, elsewhere, clerk):
    """The applicant, members of its workshop, plant-wide roles, approvers of its workshop
    (also by delegation) and the system; nobody else."""
    stand_in = UserFactory(username="stand-in")
    delegate(tier_holder(Tier.WORKSHOP_DIRECTOR, workshop), stand_in)
    reached = [
        None,
        clerk,
        with_roles(UserFactory(username="member"), workshops=[workshop]),
        with_roles(UserFactory(username="keeper-any"), "keeper"),
        tier_holder(Tier.PRODUCTION_MANAGER),  # plant-wide tier
        stand_in,
    ]
    for actor in reached:
        request_scope_require(request=submitted, actor=actor)
    strangers = [
        with_roles(UserFactory(username="clerk-ws2"), "clerk", workshops=[elsewhere]),
        tier_holder(Tier.WORKSHOP_DIRECTOR, elsewhere),
    ]
    for actor in strangers:
        with pytest.raises(Http404):
            request_scope_require(request=submitted, actor=actor)


def test_the_refusal_reads_like_an_unknown_id_in_the_api(api):
    unknown = api.get("/api/v1/returns/999999/")
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == str(not_found(ReturnRequest))


def test_a_request_is_raised_only_on_a_work_order_of_the_applicants_workshops(
    work_order, tube, lot, elsewhere
):
    """Creation is checked by the service as well as the page: a clerk of another workshop
    gets the 400 of an unknown work order, and no slip is written."""
    stranger = with_roles(UserFactory(username="clerk-ws2"), "clerk", workshops=[elsewhere])
    before = writes(), ReturnRequest.objects.count(), ReplenishRequest.objects.count()
    for create, kind in (
        (return_create, RequestKind.RETURN),
        (replenish_create, RequestKind.REPLENISH),
    ):
        with pytest.raises(ValidationError) as error:
            create(
                work_order=work_order,
                reason=ReasonCode.objects.filter(kind=kind).first(),
                lines=[line(tube, 1, lot=lot)],
                applicant=stranger,
            )
        assert error.value.message_dict == {"work_order": [str(OUT_OF_SCOPE)]}
    assert (writes(), ReturnRequest.objects.count(), ReplenishRequest.objects.count()) == before
