from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework import serializers

from approvals.models import (
    DEFAULT_LARGE_QUANTITY,
    Delegation,
    MatrixCell,
    OrderBand,
    PolicyVersion,
    StepState,
    Tier,
    TierAssignment,
)
from approvals.registry import kind_choices, replenish_reasons
from core.api.fields import CodeField, QuantityInput
from materials.models import ApprovalClass
from org.api.permissions import HidesCosts
from org.models import Workshop

MAX_BULK = 200


def MoneyInput(**kwargs):  # noqa: N802 - a field factory
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


def UsernameField(**kwargs):  # noqa: N802 - a field factory
    return serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.all(), **kwargs
    )


# ------------------------------------------------------------------ routing preview


class PreviewQuery(serializers.Serializer):
    approval_class = serializers.ChoiceField(ApprovalClass.choices)
    order_qty = QuantityInput(min_value=0)
    required_qty = QuantityInput(min_value=0)
    replenish_qty = QuantityInput(min_value=0)
    reason = CodeField(replenish_reasons(), required=False)
    amount = MoneyInput(min_value=0, required=False)
    prior_qty = QuantityInput(
        min_value=0,
        required=False,
        default=0,
        help_text="Already replenished or pending on the work order for this material: the "
        "ratio is cumulative (R-A2).",
    )


class CellSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(Tier.choices)
    max_ratio = serializers.CharField(allow_null=True, help_text="Fraction; null above all.")


class RouteSerializer(serializers.Serializer):
    """``approvals.routing.Route.as_dict()``."""

    ratio = serializers.CharField(
        help_text="(prior + replenish) ÷ required, 4 decimal places: the order's running total "
        "that routes (R-A2)"
    )
    request_ratio = serializers.CharField(help_text="replenish ÷ required: this request's share")
    request_qty = serializers.CharField()
    prior_qty = serializers.CharField(help_text="already replenished or pending on the order")
    cumulative_qty = serializers.CharField(help_text="prior + this request")
    required_qty = serializers.CharField()
    order_band = serializers.CharField()
    approval_class = serializers.ChoiceField(ApprovalClass.choices)
    chain = serializers.ListField(child=serializers.CharField(), help_text="Tiers, in order.")
    policy_version = serializers.IntegerField()
    cell = CellSerializer()


# ------------------------------------------------------------------ inbox


class RequestLineSerializer(serializers.Serializer):
    material = serializers.CharField(source="material.code")
    material_name = serializers.CharField(source="material.name")
    quantity = serializers.DecimalField(max_digits=16, decimal_places=4)


class RequestSummarySerializer(HidesCosts, serializers.Serializer):
    """A request as ``approvals.registry.request_rows`` reads it (a dict)."""

    cost_fields = ("amount",)
    kind = serializers.ChoiceField(kind_choices())
    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    state = serializers.CharField()
    work_order = serializers.CharField(source="work_order.number")
    planned_qty = serializers.DecimalField(
        source="work_order.planned_qty", max_digits=16, decimal_places=4
    )
    reason = serializers.CharField(source="reason.code")
    reason_name = serializers.CharField(source="reason.name")
    applicant = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    lines = RequestLineSerializer(many=True)


class DecidedStepSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    round = serializers.IntegerField()
    sequence = serializers.IntegerField()
    tier = serializers.ChoiceField(Tier.choices)
    state = serializers.ChoiceField(StepState.choices)
    decided_by = serializers.CharField(allow_null=True)
    on_behalf_of = serializers.CharField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    comment = serializers.CharField()


class ApprovalStepSerializer(serializers.Serializer):
    """A step with what its approver needs to decide it (``approvals.selectors.step_rows``)."""

    id = serializers.IntegerField()
    tier = serializers.ChoiceField(Tier.choices)
    state = serializers.ChoiceField(StepState.choices)
    round = serializers.IntegerField()
    sequence = serializers.IntegerField()
    workshop = serializers.CharField(allow_null=True)
    requester = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.SerializerMethodField()
    policy_version = serializers.IntegerField(allow_null=True)
    context = serializers.JSONField(help_text="Routing context: ratio, band, class, matrix cell.")
    request = RequestSummarySerializer()
    history = DecidedStepSerializer(many=True, help_text="Decided steps of the request.")
    decided_at = serializers.DateTimeField(allow_null=True)

    def get_overdue(self, step) -> bool:
        return step["due_at"] is not None and step["due_at"] < timezone.now()


class DecisionInput(serializers.Serializer):
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class BulkApproveInput(DecisionInput):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        allow_empty=False,
        max_length=MAX_BULK,
    )


class BulkResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ok = serializers.BooleanField()
    error = serializers.CharField(allow_null=True)


# ------------------------------------------------------------------ policies


class BandSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderBand
        fields = ["code", "upper_bound"]


class MatrixCellSerializer(serializers.ModelSerializer):
    band = serializers.CharField(source="band.code")

    class Meta:
        model = MatrixCell
        fields = ["approval_class", "band", "tier", "max_ratio"]


class PolicyVersionSerializer(HidesCosts, serializers.ModelSerializer):
    """The valuable-amount threshold (R-A4) is money: only for those who see costs."""

    cost_fields = ("valuable_amount",)
    bands = BandSerializer(many=True)
    cells = MatrixCellSerializer(many=True)

    class Meta:
        model = PolicyVersion
        fields = [
            "id",
            "version",
            "is_active",
            "valuable_amount",
            "large_quantity",
            "sla_hours",
            "note",
            "created_at",
            "bands",
            "cells",
        ]


class BandInput(serializers.Serializer):
    code = serializers.CharField(max_length=16)
    upper_bound = QuantityInput(min_value=0, allow_null=True, default=None)


class CellInput(serializers.Serializer):
    approval_class = serializers.ChoiceField(ApprovalClass.choices)
    band = serializers.CharField(max_length=16)
    tier = serializers.ChoiceField(Tier.choices)
    max_ratio = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=0, max_value=1, help_text="0.01 is 1 %."
    )


class PolicyInput(serializers.Serializer):
    """A whole new version: every band and every limit (R-A5)."""

    is_active = serializers.BooleanField(default=True)
    valuable_amount = MoneyInput(min_value=0)
    large_quantity = QuantityInput(
        min_value=0,
        required=False,
        allow_null=True,
        default=DEFAULT_LARGE_QUANTITY,
        help_text="Omitted: 500 (the rule is on by default, R-A4); null: no large-quantity rule.",
    )
    sla_hours = serializers.IntegerField(min_value=1, default=24)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    bands = BandInput(many=True, allow_empty=False, max_length=20)
    cells = CellInput(many=True, max_length=500)


# ------------------------------------------------------------------ who holds which tier


class TierAssignmentSerializer(serializers.ModelSerializer):
    user = UsernameField()
    workshop = CodeField(Workshop.objects.all(), required=False, allow_null=True)

    class Meta:
        model = TierAssignment
        fields = ["id", "user", "tier", "workshop"]
        # The model's constraints are checked by full_clean in the audited save; DRF's
        # unique-together validator would make the (optional) workshop required.
        validators = []


class DelegationSerializer(serializers.ModelSerializer):
    principal = UsernameField()
    delegate = UsernameField()

    class Meta:
        model = Delegation
        fields = ["id", "principal", "delegate", "starts", "ends", "note"]
