"""Input serializers only parse (codes → rows); output serializers render. The rules live
in ``returns.services``."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import CodeField, QuantityInput
from inventory.api.fields import resolve_lot
from inventory.api.serializers import ScannedItemField, ScannedLocationField
from inventory.scanning import resolved
from materials.models import Location, Material
from org.api.permissions import HidesCosts
from returns.models import (
    Condition,
    ReasonCode,
    ReplacementCitation,
    ReplacementDebt,
    ReplenishLine,
    ReplenishRequest,
    ReplenishState,
    RequestKind,
    ReturnLine,
    ReturnRequest,
    ReturnState,
    ShortageSlip,
    ShortageState,
    Verdict,
)
from workorders.models import WorkOrder

MATERIALS = Material.objects.select_related("uom", "warehouse_category")
CODE_OR_MATERIAL = _("Scan a code or give the material.")
NOT_A_RETURN_SLIP = _("%(code)s is not a return slip.")
RETURN_LINES = ReturnLine.objects.select_related("request", "material")


def Qty(**kwargs):  # noqa: N802 - a field factory
    return serializers.DecimalField(max_digits=16, decimal_places=4, **kwargs)


def WorkOrderField(**kwargs):  # noqa: N802 - a field factory
    return serializers.SlugRelatedField(
        slug_field="number", queryset=WorkOrder.objects.all(), **kwargs
    )


def SerialsField():  # noqa: N802 - a field factory
    return serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list, max_length=1000
    )


def SubmitField():  # noqa: N802 - a field factory
    return serializers.BooleanField(
        default=False,
        help_text="Submit at once: created and submitted in one transaction, or neither.",
    )


@extend_schema_field(OpenApiTypes.STR)
class ChoiceCode(serializers.CharField):
    """A choice's code documented as a string with its values in the description.

    A named enum for ``state``/``kind`` would collide with other apps' enums of that name
    (an ``ENUM_NAME_OVERRIDES`` entry per choice set would allow real enums here).
    """


def choice_code(choices):
    return ChoiceCode(read_only=True, help_text=", ".join(choices.values))


# ---------------------------------------------------------------------------- reasons


class ReasonCodeSerializer(serializers.ModelSerializer):
    kind = choice_code(RequestKind)

    class Meta:
        model = ReasonCode
        fields = [
            "id",
            "kind",
            "code",
            "name",
            "name_zh",
            "responsible_party",
            "points_small",
            "points_large",
            "amount_band",
            "defect_kind",
            "needs_technical",
            "is_active",
        ]


# ---------------------------------------------------------------------------- returns


class ReturnLineSerializer(serializers.ModelSerializer):
    material = serializers.CharField(source="material.code")
    material_name = serializers.CharField(source="material.name")
    lot = serializers.CharField(source="lot.batch_no", default=None)
    location = serializers.CharField(source="location.code", default=None)

    class Meta:
        model = ReturnLine
        fields = [
            "id",
            "material",
            "material_name",
            "lot",
            "serials",
            "quantity",
            "condition",
            "excess_explanation",
            "verdict",
            "defect_rate",
            "qc_note",
            "received_qty",
            "foreign_qty",
            "location",
            "receive_note",
        ]


class ReturnRequestSerializer(serializers.ModelSerializer):
    """The return slip (R-R2)."""

    state = choice_code(ReturnState)
    work_order = serializers.CharField(source="work_order.number")
    product = serializers.CharField(source="work_order.product.code")
    order_qty = Qty(source="work_order.planned_qty")
    workshop = serializers.CharField(source="work_order.workshop.code")
    warehouse_category = serializers.CharField(source="warehouse_category.code", default=None)
    reason = serializers.CharField(source="reason.code")
    reason_name = serializers.CharField(source="reason.name")
    applicant = serializers.CharField(source="applicant.username")
    inspected_by = serializers.CharField(source="inspected_by.username", default=None)
    received_by = serializers.CharField(source="received_by.username", default=None)
    posted_by = serializers.CharField(source="posted_by.username", default=None)
    confirmed_by = serializers.CharField(source="confirmed_by.username", default=None)
    lines = ReturnLineSerializer(many=True)

    class Meta:
        model = ReturnRequest
        fields = [
            "id",
            "number",
            "state",
            "work_order",
            "product",
            "order_qty",
            "workshop",
            "warehouse_category",
            "reason",
            "reason_name",
            "explanation",
            "applicant",
            "rejection_reason",
            "created_at",
            "submitted_at",
            "reviewed_at",
            "inspected_by",
            "inspected_at",
            "received_by",
            "received_at",
            "posted_by",
            "posted_at",
            "confirmed_by",
            "confirmed_at",
            "updated_at",
            "lines",
        ]


class ReturnLineInput(serializers.Serializer):
    material = CodeField(MATERIALS)
    lot = serializers.CharField(
        max_length=64, required=False, allow_blank=True, help_text="Batch number."
    )
    serials = SerialsField()
    quantity = QuantityInput()
    condition = serializers.ChoiceField(Condition.choices, default=Condition.GOOD)
    excess_explanation = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )

    def validate(self, attrs):
        return resolve_lot(attrs)


class ReturnLineAddInput(ReturnLineInput):
    """A line added by scanning its label (``code``), or given by material and lot."""

    code = ScannedItemField(required=False)
    material = CodeField(MATERIALS, required=False)
    quantity = QuantityInput(
        required=False, allow_null=True, default=None, help_text="Empty: the label's quantity."
    )

    def validate(self, attrs):
        item = attrs.pop("code", None)
        if item is None:
            if "material" not in attrs:
                raise serializers.ValidationError({"material": CODE_OR_MATERIAL})
            if attrs["quantity"] is None:
                raise serializers.ValidationError({"quantity": self.error_messages["required"]})
            return resolve_lot(attrs)
        return {
            **attrs,
            "material": item.material,
            "lot": item.lot,
            "serials": list(item.serials) or attrs["serials"],
            "quantity": item.quantity_or(attrs["quantity"]),
        }


class ReturnCreateInput(serializers.Serializer):
    work_order = WorkOrderField()
    reason = CodeField(ReasonCode.objects.filter(kind=RequestKind.RETURN))
    explanation = serializers.CharField(required=False, allow_blank=True, default="")
    lines = ReturnLineInput(many=True, allow_empty=False, max_length=200)
    submit = SubmitField()


class ReviewInput(serializers.Serializer):
    approve = serializers.BooleanField(default=True)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RejectInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class LineQuantityInput(serializers.Serializer):
    """A line's new quantity on a draft or rejected request (issue #15)."""

    quantity = QuantityInput()


class VerdictInput(serializers.Serializer):
    line_id = serializers.PrimaryKeyRelatedField(queryset=RETURN_LINES, source="line")
    verdict = serializers.ChoiceField(Verdict.choices)
    defect_rate = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True, default=None
    )
    qc_note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class QcVerdictInput(serializers.Serializer):
    lines = VerdictInput(many=True, allow_empty=False, max_length=200, source="verdicts")


class ReturnReceiveLineInput(serializers.Serializer):
    line_id = serializers.PrimaryKeyRelatedField(queryset=RETURN_LINES, source="line")
    received_qty = QuantityInput(required=False, allow_null=True, default=None)
    foreign_qty = QuantityInput(required=False, default=0)
    location = CodeField(
        Location.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Empty: the put-away rule (original location or the QC area).",
    )
    receive_note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )


class ReturnReceiveInput(serializers.Serializer):
    lines = ReturnReceiveLineInput(many=True, required=False, default=list, max_length=200)


class ReceiveScanLineInput(serializers.Serializer):
    code = ScannedItemField()
    quantity = QuantityInput(
        required=False,
        allow_null=True,
        default=None,
        help_text="What the keeper counted; empty: the label's quantity (1 for a serial).",
    )
    foreign_qty = QuantityInput(required=False, default=0)
    location = ScannedLocationField(
        required=False, allow_null=True, default=None, help_text="Empty: the put-away rule."
    )
    receive_note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )


class ReturnReceiveScanInput(serializers.Serializer):
    """The keeper scans the slip, then each line's label with the counted quantity; every
    line must be scanned. Counts of one line add up (several boxes of one lot)."""

    slip = serializers.CharField(max_length=200, help_text="The scanned slip number (RT-…).")
    lines = ReceiveScanLineInput(many=True, allow_empty=False, max_length=500)
    post = serializers.BooleanField(default=True, help_text="Post to the ledger after receipt.")

    def validate_slip(self, code):
        """The slip by its number in one query; any other code is resolved for its message
        (unknown, or not a return slip)."""
        slip = self.context["queryset"].filter(number=code.strip()).first()
        if slip:
            return slip
        resolved(code, "slip")  # an unknown code: 400 "Nothing is known by the code …"
        raise serializers.ValidationError(NOT_A_RETURN_SLIP % {"code": code})

    def validate(self, attrs):
        return {**attrs, "return_request": attrs.pop("slip")}


# ---------------------------------------------------------------------------- replenishments


class DebtSerializer(serializers.ModelSerializer):
    """R-P5: what the citation replaced before its return was posted."""

    open = serializers.BooleanField(source="is_open")

    class Meta:
        model = ReplacementDebt
        fields = ["quantity", "cleared_qty", "open", "opened_at", "cleared_at"]


class CitationSerializer(serializers.ModelSerializer):
    return_line_id = serializers.IntegerField()
    return_number = serializers.CharField(source="return_line.request.number")
    debt = serializers.SerializerMethodField()

    class Meta:
        model = ReplacementCitation
        fields = ["return_line_id", "return_number", "quantity", "debt"]

    @extend_schema_field(DebtSerializer(allow_null=True))
    def get_debt(self, citation):
        debt = getattr(citation, "debt", None)
        return DebtSerializer(debt).data if debt is not None else None


class ReplenishLineSerializer(serializers.ModelSerializer):
    material = serializers.CharField(source="material.code")
    material_name = serializers.CharField(source="material.name")
    citations = CitationSerializer(many=True)

    class Meta:
        model = ReplenishLine
        fields = [
            "id",
            "material",
            "material_name",
            "quantity",
            "issued_qty",
            "short_qty",
            "citations",
        ]


class ReplenishRequestSerializer(HidesCosts, serializers.ModelSerializer):
    cost_fields = ("amount",)
    state = choice_code(ReplenishState)
    work_order = serializers.CharField(source="work_order.number")
    product = serializers.CharField(source="work_order.product.code")
    order_qty = Qty(source="work_order.planned_qty")
    workshop = serializers.CharField(source="work_order.workshop.code")
    reason = serializers.CharField(source="reason.code")
    reason_name = serializers.CharField(source="reason.name")
    applicant = serializers.CharField(source="applicant.username")
    issued_by = serializers.CharField(source="issued_by.username", default=None)
    lines = ReplenishLineSerializer(many=True)

    class Meta:
        model = ReplenishRequest
        fields = [
            "id",
            "number",
            "state",
            "work_order",
            "product",
            "order_qty",
            "workshop",
            "reason",
            "reason_name",
            "explanation",
            "applicant",
            "amount",
            "rejection_reason",
            "created_at",
            "submitted_at",
            "approved_at",
            "issued_by",
            "issued_at",
            "updated_at",
            "lines",
        ]


class CitationInput(serializers.Serializer):
    return_line_id = serializers.PrimaryKeyRelatedField(queryset=RETURN_LINES, source="return_line")
    quantity = QuantityInput()


class ReplenishLineInput(serializers.Serializer):
    material = CodeField(MATERIALS)
    quantity = QuantityInput()
    citations = CitationInput(many=True, required=False, default=list, max_length=200)


class ReplenishCreateInput(serializers.Serializer):
    work_order = WorkOrderField()
    reason = CodeField(ReasonCode.objects.filter(kind=RequestKind.REPLENISH))
    explanation = serializers.CharField(required=False, allow_blank=True, default="")
    lines = ReplenishLineInput(many=True, allow_empty=False, max_length=200)
    submit = SubmitField()


# ---------------------------------------------------------------------------- shortages


class ShortageSlipSerializer(serializers.ModelSerializer):
    state = choice_code(ShortageState)
    material = serializers.CharField(source="material.code")
    replenish_request = serializers.CharField(source="replenish_line.request.number")
    work_order = serializers.CharField(source="replenish_line.request.work_order.number")
    closed_by = serializers.CharField(source="closed_by.username", default=None)

    class Meta:
        model = ShortageSlip
        fields = [
            "id",
            "number",
            "state",
            "material",
            "quantity",
            "replenish_request",
            "work_order",
            "opened_at",
            "closed_at",
            "closed_by",
        ]
