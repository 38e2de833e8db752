"""R-A4 (sharpened, seed 003 §5.9.3): who signs a defect replenishment, when the deputy GM
(常务副总) signs too, the large-quantity threshold (data, on by default at 500), defect returns'
workshop director (seed 002 领料退料补料 §3.2.2.2), and publishing keeps R-A5's checks.

Each case names the exact list of tiers; ratios are tiny (1 of 1,000,000 needed) so that the
matrix asks for the workshop director alone and only R-A4 adds the rest.
"""

from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from approvals.models import ApprovalStep, MatrixCell, OrderBand, PolicyVersion, Tier
from approvals.policy import policy_publish
from approvals.routing import active_policy, replenish_route, return_chain
from returns.models import RequestKind
from tests.approvals.builders import (
    client_for,
    open_steps,
    policy_data,
    reason,
    replenish_request,
    work_order,
)

pytestmark = pytest.mark.django_db

WD, PM = Tier.WORKSHOP_DIRECTOR, Tier.PRODUCTION_MANAGER
MC, MCS, DGM = Tier.MATERIAL_CONTROL, Tier.MC_SUPERVISOR, Tier.DEPUTY_GM
SUPERVISOR, TECHNICAL = Tier.SUPERVISOR, Tier.TECHNICAL
NEEDED = 1_000_000


def chain(code=None, *, qty=1, amount=None):
    found = reason(RequestKind.REPLENISH, code) if code else None
    route = replenish_route(
        approval_class="A",
        order_qty=1000,
        required_qty=NEEDED,
        replenish_qty=Decimal(qty),
        reason=found,
        amount=None if amount is None else Decimal(amount),
    )
    return route.chain


@pytest.mark.parametrize(
    "code, qty, amount, tiers",
    [
        # process defect: production manager, then material controller signs, MC supervisor
        ("OPERATOR_SCRAP", 1, None, [WD, PM, MC, MCS]),
        # supplier defect: material controller confirms, MC supervisor approves
        ("MATERIAL_DEFECT", 1, None, [WD, MC, MCS]),
        # valuable: above the policy's 1,000 yuan
        ("OPERATOR_SCRAP", 1, "1000.01", [WD, PM, MC, MCS, DGM]),
        ("OPERATOR_SCRAP", 1, "1000", [WD, PM, MC, MCS]),  # at the threshold: not above
        ("MATERIAL_DEFECT", 1, "5000", [WD, MC, MCS, DGM]),
        # large: above the seeded 500 units
        ("OPERATOR_SCRAP", 501, None, [WD, PM, MC, MCS, DGM]),
        ("OPERATOR_SCRAP", 500, None, [WD, PM, MC, MCS]),
        ("MATERIAL_DEFECT", 501, None, [WD, MC, MCS, DGM]),
        # not a defect: the matrix, and the deputy GM for valuable or large ones
        ("OVER_QUOTA", 1, None, [WD]),
        ("OVER_QUOTA", 501, None, [WD, DGM]),
        ("OVER_QUOTA", 1, "1500", [WD, DGM]),
    ],
)
def test_replenishment_signers(code, qty, amount, tiers):
    assert chain(code, qty=qty, amount=amount) == tiers


def test_the_seeded_policy_has_the_large_quantity_rule_on():
    assert active_policy().large_quantity == Decimal(500)


def test_an_administrator_changes_or_turns_off_the_large_quantity_rule(user):
    policy_publish(version_data=policy_data(large_quantity=Decimal(1000)), actor=user)
    assert (chain("OVER_QUOTA", qty=1000), chain("OVER_QUOTA", qty=1001)) == ([WD], [WD, DGM])
    policy_publish(version_data=policy_data(large_quantity=None), actor=user)
    assert chain("OVER_QUOTA", qty=10_000) == [WD]  # 1 %: the director's limit
    assert active_policy().version == 3


def test_a_version_published_without_a_large_quantity_has_the_rule_on(user, admin):
    policy = policy_publish(version_data=policy_data(), actor=user)
    assert policy.large_quantity == Decimal(500)
    response = client_for(admin).post(
        "/api/v1/approval-policies/", policy_data(is_active=False), format="json"
    )
    assert response.status_code == 201, response.json()
    assert Decimal(response.json()["large_quantity"]) == Decimal(500)


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"large_quantity": Decimal(0)}, "large_quantity"),
        ({"large_quantity": Decimal(-5)}, "large_quantity"),
        ({"valuable_amount": Decimal(-1)}, "valuable_amount"),
    ],
)
def test_publishing_refuses_bad_thresholds_and_writes_nothing(user, overrides, field):
    before = (PolicyVersion.objects.count(), OrderBand.objects.count(), MatrixCell.objects.count())
    with pytest.raises(ValidationError) as error:
        policy_publish(version_data=policy_data(**overrides), actor=user)
    assert field in error.value.message_dict
    after = (PolicyVersion.objects.count(), OrderBand.objects.count(), MatrixCell.objects.count())
    assert after == before and active_policy().version == 1


def test_publishing_with_a_threshold_still_checks_the_whole_matrix(user):
    """R-A5: the large-quantity threshold does not bypass the matrix checks."""
    data = policy_data(large_quantity=Decimal(800))
    data["cells"] = data["cells"][1:]
    with pytest.raises(ValidationError, match="has no workshop director limit"):
        policy_publish(version_data=data, actor=user)
    assert PolicyVersion.objects.count() == 1


def test_a_used_version_is_never_edited_and_routes_decided_steps_unchanged(user):
    """The data migration (approvals 0006) on a database whose routing version a decision
    already used: that version keeps no rule, a copy with 500 is published after it, and an
    unused draft gets 500 in place (R-A5)."""
    migration = import_module("approvals.migrations.0007_large_quantity_on_by_default")
    PolicyVersion.objects.update(large_quantity=None)
    [step] = open_steps(replenish_request(user, work_order(user)), [WD])
    draft = policy_publish(version_data=policy_data(is_active=False), actor=user)
    PolicyVersion.objects.filter(pk=draft.pk).update(large_quantity=None)

    migration.large_quantity_on(apps, None)

    step = ApprovalStep.objects.get(pk=step.pk)
    assert (step.policy.version, step.policy.large_quantity) == (1, None)
    draft.refresh_from_db()
    assert (draft.version, draft.is_active, draft.large_quantity) == (2, False, Decimal(500))
    routing = active_policy()
    assert (routing.version, routing.large_quantity) == (3, Decimal(500))
    assert routing.cells.count() == step.policy.cells.count() == 36
    assert list(routing.bands.values_list("code", "upper_bound")) == list(
        step.policy.bands.values_list("code", "upper_bound")
    )
    assert chain("OVER_QUOTA", qty=501) == [WD, DGM]
    migration.large_quantity_on(apps, None)  # run twice: nothing more
    assert PolicyVersion.objects.count() == 3


@pytest.mark.parametrize(
    "code, tiers",
    [
        ("LEFTOVER", [SUPERVISOR]),
        ("SUPPLIER_DEFECT", [SUPERVISOR, WD]),  # 班组长签字、车间主任审核
        ("PROCESS_DEFECT", [SUPERVISOR, WD]),
        ("BOM_CHANGE", [SUPERVISOR, TECHNICAL]),
    ],
)
def test_return_signers(code, tiers):
    assert return_chain(reason(RequestKind.RETURN, code)) == tiers
