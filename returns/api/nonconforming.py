"""``/api/v1/nonconforming/``: nonconforming-material records (R-R9), list and detail, and
the keeper's ``POST …/{id}/dispose/`` (the same service as the page)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action

from core.api.fields import CodeField, QuantityInput
from core.api.permissions import HasPerm
from core.api.token_scope import READ, TokenScope
from materials.models import Location
from org.api.permissions import WorkshopScoped
from returns.api.views import ServiceActionsMixin
from returns.models import Disposition, NonconformingRecord
from returns.nonconforming_selectors import NonconformingFilter, nonconforming_records
from returns.services.nonconforming import nonconforming_dispose

DISPOSE = HasPerm("returns.post_return")


class NonconformingSerializer(serializers.ModelSerializer):
    return_request = serializers.CharField(source="return_request.number")
    return_line_id = serializers.IntegerField()
    work_order = serializers.CharField(source="work_order.number")
    workshop = serializers.CharField(source="work_order.workshop.code")
    material = serializers.CharField(source="material.code")
    lot = serializers.CharField(source="lot.batch_no", default=None)
    supplier = serializers.CharField(source="lot.supplier.code", default=None)
    quantity = serializers.DecimalField(max_digits=16, decimal_places=4, read_only=True)
    location = serializers.CharField(source="location.code", default=None)
    state_label = serializers.CharField(source="get_state_display")
    disposition_label = serializers.CharField(source="get_disposition_display")
    destination = serializers.CharField(source="destination.code", default=None)
    raised_by = serializers.CharField(source="raised_by.username", default=None)
    disposed_by = serializers.CharField(source="disposed_by.username", default=None)

    class Meta:
        model = NonconformingRecord
        fields = [
            "id",
            "number",
            "return_request",
            "return_line_id",
            "work_order",
            "workshop",
            "material",
            "lot",
            "supplier",
            "quantity",
            "location",
            "problem",
            "state",
            "state_label",
            "dispute",
            "raised_by",
            "signed_at",
            "disposition",
            "disposition_label",
            "disposition_note",
            "disposed_qty",
            "destination",
            "disposed_by",
            "disposed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DisposeInput(serializers.Serializer):
    disposition = serializers.ChoiceField(Disposition.choices)
    quantity = QuantityInput(help_text="The whole quantity in quarantine, as a check.")
    location = CodeField(
        Location.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Empty: the disposition's default area (issue location, line side, scrap, "
        "supplier return).",
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class NonconformingViewSet(WorkshopScoped, ServiceActionsMixin, viewsets.ReadOnlyModelViewSet):
    """Nonconforming-material records (不合格品处理单): signed by QC and production in the
    approval inbox (``/approvals/``), disposed of here."""

    workshop_field = "work_order__workshop"
    queryset = nonconforming_records()
    serializer_class = NonconformingSerializer
    filterset_class = NonconformingFilter
    search_fields = ["number", "return_request__number", "material__code"]
    ordering_fields = ["created_at", "updated_at", "number"]
    domain_arg = "record"
    # The keeper disposes of the material with a handheld at the quarantine area.
    token_scope = TokenScope(integration=READ, device=READ | {"dispose"})

    @extend_schema(request=DisposeInput, responses=NonconformingSerializer)
    @action(detail=True, methods=["post"], permission_classes=[DISPOSE])
    def dispose(self, request, pk=None):
        """Carry out the signed disposition: 409 before the joint sign-off or a second time."""
        return self.act(nonconforming_dispose, DisposeInput)
