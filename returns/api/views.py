"""Thin views: parse the input, call one service, render the result. State changes are
POST sub-resources (``/returns/{id}/submit/``)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from approvals.api.permissions import IsApprover
from core.api.permissions import HasAnyPerm, HasPerm
from core.api.token_scope import READ, TokenScope
from org.access import scope_require
from org.api.permissions import WorkshopScoped
from returns import selectors
from returns.api import filters, serializers
from returns.api.attachments import AttachmentsMixin
from returns.services import line_edits
from returns.services.issuing import replenish_issue, shortage_fulfil
from returns.services.replenish import (
    replenish_cancel,
    replenish_create,
    replenish_reject,
    replenish_submit,
)
from returns.services.return_drafting import (
    return_cancel,
    return_create,
    return_line_add,
    return_reject,
    return_review,
    return_submit,
)
from returns.services.return_posting import return_confirm, return_post
from returns.services.return_qc import return_qc_verdict
from returns.services.return_receipt import return_receive, scanned_receipt_lines
from returns.services.return_refusal import return_qc_reject, return_refuse

ADD_RETURN = HasPerm("returns.add_returnrequest")
QC_VERDICT = HasPerm("returns.give_qc_verdict")
RECEIVE_RETURN = HasPerm("returns.receive_return")
POST_RETURN = HasPerm("returns.post_return")
CONFIRM_RETURN = HasPerm("returns.confirm_return")
# Rejection at any step (R-R3): by the QC inspector or the keeper; reviewers reject
# through /review/ with approve=false.
REJECT_RETURN = HasAnyPerm("returns.give_qc_verdict", "returns.receive_return")
ADD_REPLENISH = HasPerm("returns.add_replenishrequest")
ISSUE_REPLENISH = HasPerm("returns.issue_replenishment")
FULFIL_SHORTAGE = HasPerm("returns.change_shortageslip")


class ReasonCodeViewSet(viewsets.ReadOnlyModelViewSet):
    """Return and replenishment reasons with their responsibility and points (R-R1, R-P1)."""

    queryset = selectors.reason_codes()
    serializer_class = serializers.ReasonCodeSerializer
    filterset_class = filters.ReasonCodeFilter
    search_fields = ["code", "name", "name_zh"]
    token_scope = TokenScope(integration={"list"}, device=READ)


class ServiceActionsMixin:
    """Runs a service on the URL's object and renders the object afresh."""

    def actor(self):
        return {"actor": self.request.user, "device": self.request.device_id}

    def parsed(self, input_class):
        if input_class is None:
            return {}
        data = input_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data

    def respond(self, obj, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data, status=code)

    domain_arg = "slip"  # the keyword the services take the URL's object as

    def act(self, service, input_class=None, code=status.HTTP_200_OK):
        result = service(
            **{self.domain_arg: self.get_object()}, **self.parsed(input_class), **self.actor()
        )
        return self.respond(result, code)

    line_arg = "line"  # the keyword the line services take a line as

    def line_edit(self, line_id, *, change, remove):
        """PATCH a line's quantity or DELETE the line of a draft or rejected request; the
        request is answered afresh (issue #15)."""
        slip = self.get_object()
        line = get_object_or_404(slip.lines.all(), pk=line_id)
        if self.request.method == "DELETE":
            remove(**{self.line_arg: line}, **self.actor())
        else:
            change(
                **{self.line_arg: line},
                **self.parsed(serializers.LineQuantityInput),
                **self.actor(),
            )
        return self.respond(slip)


class RequestViewSet(
    WorkshopScoped,
    ServiceActionsMixin,
    AttachmentsMixin,
    mixins.CreateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    workshop_field = "work_order__workshop"
    create_input = None
    create_service = None
    search_fields = ["number", "work_order__number"]
    ordering_fields = ["created_at", "updated_at", "submitted_at", "number"]

    def create(self, request, *args, **kwargs):
        data = self.parsed(self.create_input)
        scope_require(request.user, data["work_order"].workshop_id, "work_order")
        created = self.create_service(**data, applicant=request.user, device=request.device_id)
        return self.respond(created, status.HTTP_201_CREATED)


RETURN = serializers.ReturnRequestSerializer
REPLENISH = serializers.ReplenishRequestSerializer


class ReturnRequestViewSet(RequestViewSet):
    """Return slips (退料, R-R1…R-R8)."""

    queryset = selectors.return_requests()
    serializer_class = RETURN
    filterset_class = filters.ReturnRequestFilter
    create_input = serializers.ReturnCreateInput
    create_service = staticmethod(return_create)
    domain_arg = "return_request"
    line_arg = "return_line"
    # The clerk's slip and the keeper's receipt (or refusal) are handheld work; review, QC,
    # rejection and finance's confirmation are done at a desk. The ERP reconciles.
    token_scope = TokenScope(
        integration=READ,
        device=READ
        | {
            "create",
            "add_line",
            "line",
            "refuse",
            "submit",
            "cancel",
            "attachments",
            "receive",
            "post_to_ledger",
            "receive_scan",
        },
    )

    @extend_schema(request=serializers.ReturnCreateInput, responses={201: RETURN})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(request=None, responses=RETURN)
    @action(detail=True, methods=["post"], permission_classes=[ADD_RETURN])
    def submit(self, request, pk=None):
        return self.act(return_submit)

    @extend_schema(request=serializers.ReviewInput, responses=RETURN)
    @action(detail=True, methods=["post"], permission_classes=[IsApprover])
    def review(self, request, pk=None):
        return self.act(return_review, serializers.ReviewInput)

    @extend_schema(request=serializers.QcVerdictInput, responses=RETURN)
    @action(detail=True, methods=["post"], url_path="qc-verdict", permission_classes=[QC_VERDICT])
    def qc_verdict(self, request, pk=None):
        return self.act(return_qc_verdict, serializers.QcVerdictInput)

    @extend_schema(request=serializers.ReturnReceiveInput, responses=RETURN)
    @action(detail=True, methods=["post"], permission_classes=[RECEIVE_RETURN])
    def receive(self, request, pk=None):
        return self.act(return_receive, serializers.ReturnReceiveInput)

    @extend_schema(request=None, responses=RETURN)
    @action(
        detail=True,
        methods=["post"],
        url_path="post",
        url_name="post",
        permission_classes=[POST_RETURN],
    )
    def post_to_ledger(self, request, pk=None):
        return self.act(return_post)

    @extend_schema(request=None, responses=RETURN)
    @action(detail=True, methods=["post"], permission_classes=[CONFIRM_RETURN])
    def confirm(self, request, pk=None):
        return self.act(return_confirm)

    @extend_schema(request=serializers.RejectInput, responses=RETURN)
    @action(detail=True, methods=["post"], permission_classes=[REJECT_RETURN])
    def reject(self, request, pk=None):
        return self.act(return_reject, serializers.RejectInput)

    @extend_schema(request=None, responses=RETURN)
    @action(detail=True, methods=["post"], permission_classes=[ADD_RETURN])
    def cancel(self, request, pk=None):
        return self.act(return_cancel)

    @extend_schema(request=serializers.ReturnLineAddInput, responses={201: RETURN})
    @action(detail=True, methods=["post"], url_path="lines", permission_classes=[ADD_RETURN])
    def add_line(self, request, pk=None):
        """Add a line to a draft: scan its label (``code``) or give material and lot."""
        request_obj = self.get_object()
        return_line_add(
            return_request=request_obj,
            **self.parsed(serializers.ReturnLineAddInput),
            **self.actor(),
        )
        return self.respond(request_obj, status.HTTP_201_CREATED)

    @extend_schema(request=serializers.LineQuantityInput, responses=RETURN)
    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path=r"lines/(?P<line_id>[0-9]+)",
        url_name="line",
        permission_classes=[ADD_RETURN],
    )
    def line(self, request, pk=None, line_id=None):
        """Change a line's quantity (PATCH) or remove the line (DELETE) of a draft or a
        rejected slip; 409 in any other state."""
        return self.line_edit(
            line_id, change=line_edits.return_line_change, remove=line_edits.return_line_remove
        )

    @extend_schema(request=serializers.RejectInput, responses=RETURN)
    @action(detail=True, methods=["post"], permission_classes=[RECEIVE_RETURN])
    def refuse(self, request, pk=None):
        """R-R5: the keeper refuses the slip waiting for receipt, with the reason."""
        return self.act(return_refuse, serializers.RejectInput)

    @extend_schema(request=serializers.RejectInput, responses=RETURN)
    @action(detail=True, methods=["post"], url_path="qc-reject", permission_classes=[QC_VERDICT])
    def qc_reject(self, request, pk=None):
        """QC sends the slip waiting for its verdict back to the applicant, with the reason."""
        return self.act(return_qc_reject, serializers.RejectInput)

    @extend_schema(request=serializers.ReturnReceiveScanInput, responses=RETURN)
    @action(
        detail=False,
        methods=["post"],
        url_path="receive-scan",
        permission_classes=[RECEIVE_RETURN],
    )
    def receive_scan(self, request):
        """The keeper scans the slip and its lines: receipt, then posting, in one step."""
        data = serializers.ReturnReceiveScanInput(
            data=request.data, context={"queryset": self.get_queryset()}
        )
        data.is_valid(raise_exception=True)
        slip, post = data.validated_data["return_request"], data.validated_data["post"]
        lines = scanned_receipt_lines(return_request=slip, scans=data.validated_data["lines"])
        if post and not POST_RETURN().has_permission(request, self):
            self.permission_denied(request)
        slip = return_receive(return_request=slip, lines=lines, post=post, **self.actor())
        return self.respond(slip)


class ReplenishRequestViewSet(RequestViewSet):
    """Replenishments (补料, R-P1…R-P4); approvals are decided under /approvals/."""

    queryset = selectors.replenish_requests()
    serializer_class = REPLENISH
    filterset_class = filters.ReplenishRequestFilter
    create_input = serializers.ReplenishCreateInput
    create_service = staticmethod(replenish_create)
    domain_arg = "replenish_request"
    line_arg = "replenish_line"
    token_scope = TokenScope(
        integration=READ,
        device=READ | {"create", "submit", "cancel", "attachments", "issue", "line"},
    )

    @extend_schema(request=serializers.ReplenishCreateInput, responses={201: REPLENISH})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(request=None, responses=REPLENISH)
    @action(detail=True, methods=["post"], permission_classes=[ADD_REPLENISH])
    def submit(self, request, pk=None):
        return self.act(replenish_submit)

    @extend_schema(request=None, responses=REPLENISH)
    @action(detail=True, methods=["post"], permission_classes=[ISSUE_REPLENISH])
    def issue(self, request, pk=None):
        return self.act(replenish_issue)

    @extend_schema(request=serializers.RejectInput, responses=REPLENISH)
    @action(detail=True, methods=["post"], permission_classes=[ISSUE_REPLENISH])
    def reject(self, request, pk=None):
        return self.act(replenish_reject, serializers.RejectInput)

    @extend_schema(request=None, responses=REPLENISH)
    @action(detail=True, methods=["post"], permission_classes=[ADD_REPLENISH])
    def cancel(self, request, pk=None):
        return self.act(replenish_cancel)

    @extend_schema(request=serializers.LineQuantityInput, responses=REPLENISH)
    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path=r"lines/(?P<line_id>[0-9]+)",
        url_name="line",
        permission_classes=[ADD_REPLENISH],
    )
    def line(self, request, pk=None, line_id=None):
        """Change a line's quantity (PATCH) or remove the line (DELETE) of a draft or a
        rejected replenishment; 409 in any other state."""
        return self.line_edit(
            line_id,
            change=line_edits.replenish_line_change,
            remove=line_edits.replenish_line_remove,
        )


class ShortageSlipViewSet(WorkshopScoped, ServiceActionsMixin, viewsets.ReadOnlyModelViewSet):
    workshop_field = "replenish_line__request__work_order__workshop"
    """Shortage slips (欠料单, R-P4) for material control."""

    queryset = selectors.shortage_slips()
    serializer_class = serializers.ShortageSlipSerializer
    filterset_class = filters.ShortageSlipFilter
    search_fields = ["number", "material__code"]
    token_scope = TokenScope(integration=READ, device=READ | {"fulfil"})

    @extend_schema(request=None, responses=serializers.ShortageSlipSerializer)
    @action(detail=True, methods=["post"], permission_classes=[FULFIL_SHORTAGE])
    def fulfil(self, request, pk=None):
        return self.act(shortage_fulfil)
