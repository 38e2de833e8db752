"""``/api/v1/scrap-disposals/`` (R-D1): list, detail, create, and the POST actions submit,
post and cancel. Thin: parse, call the service, render; approvals are decided under
``/approvals/``."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action

from core.api.fields import CodeField, QuantityInput
from core.api.permissions import HasAnyPerm, HasPerm
from core.api.token_scope import READ, TokenScope
from inventory.api.fields import resolve_lot
from materials.models import Location, Material
from org.access import scope_require
from org.api.permissions import HidesCosts, WorkshopScoped
from org.models import Workshop
from returns.api.disposal_filters import ScrapDisposalFilter
from returns.api.views import ServiceActionsMixin
from returns.disposal_selectors import scrap_disposals
from returns.models import DisposalRoute, ScrapDisposal, ScrapDisposalLine
from returns.services import disposals as services

RAISE = HasAnyPerm(*services.RAISE_PERMS)
POST = HasPerm(services.POST_PERM)


class DisposalLineInputSerializer(serializers.Serializer):
    material = CodeField(Material.objects.select_related("uom"))
    lot = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    serials = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list, max_length=1000
    )
    location = CodeField(Location.objects.all())
    quantity = QuantityInput()

    def validate(self, attrs):
        return resolve_lot(attrs)


class DisposalCreateInput(serializers.Serializer):
    workshop = CodeField(Workshop.objects.all())
    route = serializers.ChoiceField(DisposalRoute.choices)
    rework_location = CodeField(Location.objects.all(), required=False, allow_null=True)
    explanation = serializers.CharField(max_length=500, required=False, allow_blank=True)
    lines = DisposalLineInputSerializer(many=True, allow_empty=False, max_length=500)


class DisposalLineSerializer(HidesCosts, serializers.ModelSerializer):
    cost_fields = ("unit_cost", "value")
    material = serializers.CharField(source="material.code")
    unit = serializers.CharField(source="material.uom.code")
    lot = serializers.CharField(source="lot.batch_no", allow_null=True, default=None)
    location = serializers.CharField(source="location.code")

    class Meta:
        model = ScrapDisposalLine
        fields = [
            "position",
            "material",
            "lot",
            "serials",
            "location",
            "quantity",
            "unit",
            "unit_cost",
            "value",
        ]


class ScrapDisposalSerializer(HidesCosts, serializers.ModelSerializer):
    cost_fields = ("value",)
    workshop = serializers.CharField(source="workshop.code")
    rework_location = serializers.CharField(
        source="rework_location.code", allow_null=True, default=None
    )
    applicant = serializers.CharField(source="applicant.username")
    posted_by = serializers.CharField(source="posted_by.username", allow_null=True, default=None)
    lines = DisposalLineSerializer(many=True)

    class Meta:
        model = ScrapDisposal
        fields = [
            "id",
            "number",
            "state",
            "route",
            "workshop",
            "rework_location",
            "explanation",
            "value",
            "applicant",
            "rejection_reason",
            "created_at",
            "updated_at",
            "submitted_at",
            "approved_at",
            "posted_by",
            "posted_at",
            "posting_date",
            "lines",
        ]


DISPOSAL = ScrapDisposalSerializer


class ScrapDisposalViewSet(
    WorkshopScoped, ServiceActionsMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Scrap disposals (报废单): stock of scrap and quarantine locations, disposed of on a
    route after QC, production and (above a set amount) finance have signed."""

    queryset = scrap_disposals()
    serializer_class = DISPOSAL
    filterset_class = ScrapDisposalFilter
    search_fields = ["number"]
    ordering_fields = ["created_at", "updated_at", "number"]
    domain_arg = "disposal"
    # Raised and posted at the keeper's handheld as well as at a desk; the ERP reads.
    token_scope = TokenScope(
        integration=READ, device=READ | {"create", "submit", "post_to_ledger", "cancel"}
    )

    def get_permissions(self):
        # Raising one is QC's or the keeper's duty, not a model permission of its own.
        if self.action == "create":
            return [RAISE()]
        return super().get_permissions()

    @extend_schema(request=DisposalCreateInput, responses={201: DISPOSAL})
    def create(self, request, *args, **kwargs):
        data = self.parsed(DisposalCreateInput)
        scope_require(request.user, data["workshop"].pk, "workshop")
        lines = [services.DisposalLineInput(**line) for line in data.pop("lines")]
        created = services.scrap_disposal_create(
            **data, lines=lines, applicant=request.user, device=request.device_id
        )
        return self.respond(created, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=DISPOSAL)
    @action(detail=True, methods=["post"], permission_classes=[RAISE])
    def submit(self, request, pk=None):
        return self.act(services.scrap_disposal_submit)

    @extend_schema(request=None, responses=DISPOSAL)
    @action(
        detail=True, methods=["post"], url_path="post", url_name="post", permission_classes=[POST]
    )
    def post_to_ledger(self, request, pk=None):
        return self.act(services.scrap_disposal_post)

    @extend_schema(request=None, responses=DISPOSAL)
    @action(detail=True, methods=["post"], permission_classes=[RAISE])
    def cancel(self, request, pk=None):
        return self.act(services.scrap_disposal_cancel)
