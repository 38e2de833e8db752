from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from audit.api.master_data import CodedMasterDataViewSet
from core.api.permissions import HasAnyPerm, HasPerm
from core.api.token_scope import READ, TokenScope
from core.errors import StateConflict
from inventory.api.serializers import LedgerEntrySerializer
from org.access import not_found, scope_require
from org.api.permissions import WorkshopScoped
from workorders.api import filters, serializers
from workorders.closeout import CloseOutBlocked, closeout_summary
from workorders.models import MaterialIssue, ProductionLine, WorkOrder
from workorders.selectors import attach_progress
from workorders.services import closing, erp, issuing, leftovers, lifecycle

CHANGE_WORK_ORDER = HasPerm("workorders.change_workorder")
ISSUE_MATERIAL = HasPerm("workorders.add_materialissue")


class ProductionLineViewSet(CodedMasterDataViewSet):
    queryset = ProductionLine.objects.select_related("workshop", "line_side_location")
    serializer_class = serializers.ProductionLineSerializer
    filterset_fields = ["code"]


class WorkOrderViewSet(WorkshopScoped, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Work orders with requirement progress; state changes are POST actions."""

    queryset = WorkOrder.objects.select_related("product", "bom", "workshop", "line")
    serializer_class = serializers.WorkOrderSerializer
    filterset_class = filters.WorkOrderFilter
    search_fields = ["number", "product__code"]
    ordering_fields = ["number", "created_at", "updated_at", "completed_at"]
    # The ERP plans by number; handhelds do what happens at the line and the dock.
    # Creating, releasing, signing off and closing stay with people at a desk.
    token_scope = TokenScope(
        integration=READ | {"upsert"},
        device=READ
        | {
            "closeout",
            "issue",
            "issue_scan",
            "report_output",
            "receive_output",
            "declare_leftover",
            "carry_over",
        },
    )

    def get_serializer(self, *args, **kwargs):
        instance = args[0] if args else None
        if instance is not None:
            attach_progress(instance if kwargs.get("many") else [instance])
        return super().get_serializer(*args, **kwargs)

    def respond(self, work_order, code=status.HTTP_200_OK):
        return Response(
            self.get_serializer(self.get_queryset().get(pk=work_order.pk)).data, status=code
        )

    def actor(self):
        return {"actor": self.request.user, "device": self.request.device_id}

    @extend_schema(
        request=serializers.WorkOrderInput, responses={201: serializers.WorkOrderSerializer}
    )
    def create(self, request, *args, **kwargs):
        data = serializers.WorkOrderInput(data=request.data)
        data.is_valid(raise_exception=True)
        scope_require(request.user, data.validated_data["workshop"].pk, "workshop")
        work_order = lifecycle.work_order_create(**data.validated_data, **self.actor())
        return self.respond(work_order, status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.WorkOrderPlanInput,
        responses={200: serializers.WorkOrderSerializer, 201: serializers.WorkOrderSerializer},
        parameters=[OpenApiParameter("number", str, OpenApiParameter.PATH)],
    )
    @action(
        detail=False,
        methods=["put"],
        url_path=r"by-number/(?P<number>[^/]+)",
        permission_classes=[HasPerm("workorders.add_workorder", "workorders.change_workorder")],
    )
    def upsert(self, request, number=None):
        """The ERP's work order by number: created, or re-planned while still planned (409
        afterwards); the same body sent again changes nothing."""
        body = request.data if isinstance(request.data, dict) else {}
        data = serializers.WorkOrderInput(data={**body, "number": number})
        data.is_valid(raise_exception=True)
        scope_require(request.user, data.validated_data["workshop"].pk, "workshop")
        work_order, created = erp.work_order_upsert(**data.validated_data, **self.actor())
        return self.respond(work_order, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=None, responses=serializers.WorkOrderSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CHANGE_WORK_ORDER])
    def release(self, request, pk=None):
        return self.respond(
            lifecycle.work_order_release(work_order=self.get_object(), **self.actor())
        )

    @extend_schema(request=None, responses=serializers.WorkOrderSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CHANGE_WORK_ORDER])
    def complete(self, request, pk=None):
        return self.respond(
            lifecycle.work_order_complete(work_order=self.get_object(), **self.actor())
        )

    @extend_schema(request=None, responses=serializers.WorkOrderSerializer)
    @action(detail=True, methods=["post"], permission_classes=[CHANGE_WORK_ORDER])
    def cancel(self, request, pk=None):
        return self.respond(
            lifecycle.work_order_cancel(work_order=self.get_object(), **self.actor())
        )

    @extend_schema(
        request=serializers.OutputInput, responses={201: serializers.OutputReportSerializer}
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="report-output",
        permission_classes=[CHANGE_WORK_ORDER],
    )
    def report_output(self, request, pk=None):
        data = serializers.OutputInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = lifecycle.work_order_report_output(
            work_order=self.get_object(), **data.validated_data, **self.actor()
        )
        return Response(
            serializers.OutputReportSerializer(report).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=serializers.IssueInput, responses={201: serializers.MaterialIssueSerializer}
    )
    @action(detail=True, methods=["post"], permission_classes=[ISSUE_MATERIAL])
    def issue(self, request, pk=None):
        return self.issued(serializers.IssueInput)

    @extend_schema(
        request=serializers.IssueScanInput, responses={201: serializers.MaterialIssueSerializer}
    )
    @action(
        detail=True, methods=["post"], url_path="issue-scan", permission_classes=[ISSUE_MATERIAL]
    )
    def issue_scan(self, request, pk=None):
        """Issue one scanned label (lot, serial, material or GS1) to this work order."""
        return self.issued(serializers.IssueScanInput)

    def issued(self, input_class):
        data = input_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        # Fetched once, in scope and locked, by the service (issue #17); the same 404 as
        # get_object() for an id out of scope, unknown or not a number.
        try:
            pk = int(self.kwargs["pk"])
        except ValueError as error:
            raise not_found(WorkOrder) from error
        issue = issuing.work_order_issue(
            work_order=WorkOrder(pk=pk),
            scope_of=self.request.user,
            **data.validated_data,
            **self.actor(),
        )
        return Response(
            serializers.MaterialIssueSerializer(issue).data, status=status.HTTP_201_CREATED
        )

    # ------------------------------------------------------------------ close-out (R-W4, R-W5)

    @extend_schema(request=None, responses=serializers.CloseoutSerializer)
    @action(detail=True, methods=["get"])
    def closeout(self, request, pk=None):
        summary = closeout_summary(self.get_object(), timezone.now())
        return Response(serializers.CloseoutSerializer(summary).data)

    @extend_schema(
        request=serializers.ReceiveOutputInput, responses={201: LedgerEntrySerializer(many=True)}
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="receive-output",
        permission_classes=[HasPerm(closing.RECEIVE_OUTPUT_PERMISSION)],
    )
    def receive_output(self, request, pk=None):
        data = serializers.ReceiveOutputInput(data=request.data)
        data.is_valid(raise_exception=True)
        entries = closing.work_order_receive_output(
            work_order=self.get_object(), **data.validated_data, **self.actor()
        )
        return Response(
            LedgerEntrySerializer(entries, many=True).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=serializers.SignOffInput, responses={201: serializers.SignOffSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path="sign-off",
        permission_classes=[HasAnyPerm(*closing.SIGN_OFF_PERMISSIONS.values())],
    )
    def sign_off(self, request, pk=None):
        data = serializers.SignOffInput(data=request.data)
        data.is_valid(raise_exception=True)
        sign_off = closing.work_order_sign_off(
            work_order=self.get_object(), **data.validated_data, **self.actor()
        )
        return Response(
            serializers.SignOffSerializer(sign_off).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=serializers.DeclareLeftoverInput,
        responses={201: serializers.LeftoverDeclarationSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="declare-leftover",
        permission_classes=[CHANGE_WORK_ORDER],
    )
    def declare_leftover(self, request, pk=None):
        data = serializers.DeclareLeftoverInput(data=request.data)
        data.is_valid(raise_exception=True)
        declaration = closing.work_order_declare_leftover(
            work_order=self.get_object(), **data.validated_data, **self.actor()
        )
        return Response(
            serializers.LeftoverDeclarationSerializer(declaration).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=serializers.CarryOverInput,
        responses={201: serializers.LeftoverCarryOverSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="carry-over",
        permission_classes=[CHANGE_WORK_ORDER],
    )
    def carry_over(self, request, pk=None):
        """R-W6: a completed order's leftover carried over to the next order of the material."""
        data = serializers.CarryOverInput(data=request.data)
        data.is_valid(raise_exception=True)
        carry_over = leftovers.work_order_carry_over(
            work_order=self.get_object(), **data.validated_data, **self.actor()
        )
        return Response(
            serializers.LeftoverCarryOverSerializer(carry_over).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=None,
        responses={
            200: serializers.WorkOrderSerializer,
            409: serializers.CloseOutBlockedSerializer,
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[CHANGE_WORK_ORDER])
    def close(self, request, pk=None):
        try:
            work_order = closing.work_order_close(work_order=self.get_object(), **self.actor())
        except StateConflict as refused:
            # Every 409 here has the documented shape; a wrong state lists no checklist items.
            open_items = refused.open_items if isinstance(refused, CloseOutBlocked) else []
            body = {"detail": str(refused), "open_items": open_items}
            return Response(
                serializers.CloseOutBlockedSerializer(body).data, status=status.HTTP_409_CONFLICT
            )
        return self.respond(work_order)


class MaterialIssueViewSet(WorkshopScoped, viewsets.ReadOnlyModelViewSet):
    workshop_field = "work_order__workshop"
    queryset = MaterialIssue.objects.select_related("work_order", "issued_by")
    serializer_class = serializers.MaterialIssueSerializer
    filterset_class = filters.MaterialIssueFilter
    token_scope = TokenScope(device=READ | {"regularise"})

    @extend_schema(
        request=serializers.RegulariseInput, responses=serializers.MaterialIssueSerializer
    )
    @action(detail=True, methods=["post"], permission_classes=[ISSUE_MATERIAL])
    def regularise(self, request, pk=None):
        data = serializers.RegulariseInput(data=request.data)
        data.is_valid(raise_exception=True)
        issue = issuing.borrow_regularise(
            issue=self.get_object(),
            **data.validated_data,
            actor=request.user,
            device=request.device_id,
        )
        return Response(serializers.MaterialIssueSerializer(issue).data)
