"""Supplier returns over the API (R-S2): list, detail, create and the actions as POST
sub-resources. Desk work of the warehouse and material control: sessions only, no token
(``token_scope`` closed), except the ERP reading them to reconcile its claims."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound

from core.api.fields import CodeField, QuantityInput
from core.api.permissions import HasPerm
from core.api.token_scope import READ, TokenScope
from inventory.api.fields import resolve_lot
from materials.models import Location, Material, Supplier
from org.api.permissions import HidesCosts
from returns.api.supplier_filters import SupplierReturnFilter
from returns.api.views import ServiceActionsMixin
from returns.models import SupplierReturn, SupplierReturnLine
from returns.services import supplier_claims
from returns.services import supplier_returns as services
from returns.supplier_selectors import may_see_supplier_returns, supplier_returns

HANDLE = HasPerm(services.PERMISSION)


class SupplierReturnLineSerializer(HidesCosts, serializers.ModelSerializer):
    cost_fields = ("unit_value", "value")
    material = serializers.CharField(source="material.code")
    lot = serializers.CharField(source="lot.batch_no", default=None)
    location = serializers.CharField(source="location.code")
    value = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = SupplierReturnLine
        fields = [
            "id",
            "material",
            "lot",
            "location",
            "serials",
            "quantity",
            "unit_value",
            "value",
            "replaced_qty",
        ]


class SupplierReturnSerializer(HidesCosts, serializers.ModelSerializer):
    cost_fields = ("claim_amount", "credit_amount")
    supplier = serializers.CharField(source="supplier.code")
    applicant = serializers.CharField(source="applicant.username")
    posted_by = serializers.CharField(source="posted_by.username", default=None)
    closed_by = serializers.CharField(source="closed_by.username", default=None)
    acknowledgement = serializers.SerializerMethodField()
    lines = SupplierReturnLineSerializer(many=True)

    class Meta:
        model = SupplierReturn
        fields = [
            "id",
            "number",
            "supplier",
            "state",
            "reason",
            "applicant",
            "claim_amount",
            "rejection_reason",
            "created_at",
            "submitted_at",
            "signed_at",
            "acknowledged_by",
            "acknowledged_on",
            "acknowledgement",
            "posted_by",
            "posted_at",
            "closure",
            "credit_note",
            "credit_amount",
            "closed_by",
            "closed_at",
            "updated_at",
            "lines",
        ]

    def get_acknowledgement(self, obj) -> bool:
        """Whether the supplier's signed slip is on file."""
        return bool(obj.acknowledgement)


class SupplierReturnLineInput(serializers.Serializer):
    material = CodeField(Material.objects.all())
    lot = serializers.CharField(
        max_length=64, required=False, allow_blank=True, help_text="Batch number."
    )
    location = CodeField(Location.objects.all(), help_text="A supplier-return area.")
    serials = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list, max_length=1000
    )
    quantity = QuantityInput()

    def validate(self, attrs):
        return resolve_lot(attrs)


class SupplierReturnCreateInput(serializers.Serializer):
    supplier = CodeField(Supplier.objects.all())
    reason = serializers.CharField(max_length=300)
    lines = SupplierReturnLineInput(many=True, allow_empty=False, max_length=200)


class AcknowledgeInput(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    on = serializers.DateField()
    attachment = serializers.FileField(required=False, allow_null=True, default=None)


class ClaimAmountInput(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class CreditInput(serializers.Serializer):
    credit_note = serializers.CharField(max_length=40)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class ReplacementInput(serializers.Serializer):
    line_id = serializers.IntegerField(help_text="The supplier-return line replaced.")
    quantity = QuantityInput()
    location = CodeField(Location.objects.all(), help_text="Where the replacement is put away.")
    batch_no = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    serials = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list, max_length=1000
    )


SR = SupplierReturnSerializer


class SupplierReturnViewSet(
    ServiceActionsMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Supplier returns (退供应商) and their claims (R-S2)."""

    serializer_class = SR
    filterset_class = SupplierReturnFilter
    search_fields = ["number", "supplier__code"]
    ordering_fields = ["created_at", "posted_at", "number"]
    domain_arg = "supplier_return"
    token_scope = TokenScope(integration=READ)

    def get_queryset(self):
        if not may_see_supplier_returns(self.request.user):
            return SupplierReturn.objects.none()
        return (
            supplier_returns()
            .prefetch_related("lines__material", "lines__lot", "lines__location")
            .select_related("posted_by", "closed_by")
        )

    def get_permissions(self):
        if self.action not in ("list", "retrieve"):
            return [HANDLE()]
        return super().get_permissions()

    @extend_schema(request=SupplierReturnCreateInput, responses={201: SR})
    def create(self, request, *args, **kwargs):
        data = self.parsed(SupplierReturnCreateInput)
        created = services.supplier_return_create(**data, **self.actor())
        return self.respond(created, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=SR)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self.act(services.supplier_return_submit)

    @extend_schema(request=AcknowledgeInput, responses=SR)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        return self.act(services.supplier_return_acknowledge, AcknowledgeInput)

    @extend_schema(request=ClaimAmountInput, responses=SR)
    @action(detail=True, methods=["post"], url_path="claim-amount")
    def claim_amount(self, request, pk=None):
        return self.act(services.supplier_return_claim_amount_set, ClaimAmountInput)

    @extend_schema(request=None, responses=SR)
    @action(detail=True, methods=["post"], url_path="post", url_name="post")
    def post_to_ledger(self, request, pk=None):
        return self.act(services.supplier_return_post)

    @extend_schema(request=ReplacementInput, responses=SR)
    @action(detail=True, methods=["post"])
    def replacement(self, request, pk=None):
        supplier_return = self.get_object()
        data = self.parsed(ReplacementInput)
        line_id = data.pop("line_id")
        line = supplier_return.lines.filter(pk=line_id).first()
        if line is None:
            raise NotFound()
        result = supplier_claims.supplier_return_replacement_receive(
            supplier_return=supplier_return, line=line, **data, **self.actor()
        )
        return self.respond(result)

    @extend_schema(request=CreditInput, responses=SR)
    @action(detail=True, methods=["post"])
    def credit(self, request, pk=None):
        return self.act(supplier_claims.supplier_claim_credit, CreditInput)

    @extend_schema(request=None, responses=SR)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.act(services.supplier_return_cancel)
