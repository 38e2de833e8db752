from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from approvals import selectors
from approvals.api import filters, serializers
from approvals.models import ApprovalStep, Delegation, MatrixCell, PolicyVersion, TierAssignment
from approvals.policy import policy_publish
from approvals.routing import replenish_route
from approvals.services import approval_decide
from audit.api.master_data import MasterDataViewSet
from core.errors import StateConflict

NOT_IN_INBOX = _("Not found.")
DECISION = {"request": serializers.DecisionInput, "responses": serializers.ApprovalStepSerializer}


class ApprovalStepViewSet(viewsets.ReadOnlyModelViewSet):
    """The current user's approval inbox (R-A3, R-A6).

    The list holds the steps waiting for the user's signature. A single step, and the
    decisions, reach every step of the user's tiers (a decided or waiting one answers 409);
    anyone else's steps are 404.
    """

    serializer_class = serializers.ApprovalStepSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = filters.InboxFilter
    ordering_fields = ["due_at", "created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApprovalStep.objects.none()
        if self.action == "list":
            return selectors.inbox_for(user=self.request.user)
        return selectors.steps_in_scope(user=self.request.user)

    def list(self, request, *args, **kwargs):
        """Pages plain rows (``selectors.step_values``), never model instances."""
        steps = selectors.step_values(self.filter_queryset(self.get_queryset()))
        page = selectors.step_rows(self.paginate_queryset(steps))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.step_data(self.get_object().pk))

    def step_data(self, pk):
        [step] = selectors.step_rows(selectors.step_values(self.get_queryset().filter(pk=pk)))
        return self.get_serializer(step).data

    def decide(self, *, approve):
        data = serializers.DecisionInput(data=self.request.data)
        data.is_valid(raise_exception=True)
        step = approval_decide(
            step=self.get_object(),
            actor=self.request.user,
            approve=approve,
            comment=data.validated_data["comment"],
            device=self.request.device_id,
        )
        return Response(self.step_data(step.pk))

    @extend_schema(**DECISION)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self.decide(approve=True)

    @extend_schema(**DECISION, description="A comment (the reason) is required.")
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self.decide(approve=False)

    @extend_schema(
        request=serializers.BulkApproveInput,
        responses=serializers.BulkResultSerializer(many=True),
        description="Approves each step in its own transaction; one failure stops nothing.",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="bulk-approve",
        filter_backends=[],
        pagination_class=None,
    )
    def bulk_approve(self, request):
        data = serializers.BulkApproveInput(data=request.data)
        data.is_valid(raise_exception=True)
        ids, comment = data.validated_data["ids"], data.validated_data["comment"]
        steps = selectors.steps_in_scope(user=request.user).in_bulk(ids)
        results = [self.approve_one(steps.get(pk), pk, comment) for pk in ids]
        return Response(serializers.BulkResultSerializer(results, many=True).data)

    def approve_one(self, step, pk, comment):
        if step is None:
            return {"id": pk, "ok": False, "error": str(NOT_IN_INBOX)}
        try:
            approval_decide(
                step=step,
                actor=self.request.user,
                approve=True,
                comment=comment,
                device=self.request.device_id,
            )
        except StateConflict as error:
            return {"id": pk, "ok": False, "error": str(error)}
        except ValidationError as error:
            return {"id": pk, "ok": False, "error": " ".join(error.messages)}
        return {"id": pk, "ok": True, "error": None}

    @extend_schema(
        parameters=[serializers.PreviewQuery],
        responses=serializers.RouteSerializer,
        description="Who would approve a replenishment: the same code as real routing (R-A2).",
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def preview(self, request):
        query = serializers.PreviewQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        route = replenish_route(**query.validated_data)
        return Response(serializers.RouteSerializer(route.as_dict()).data)


class PolicyVersionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Approval matrix versions (R-A5); a new version is published whole, never edited."""

    queryset = PolicyVersion.objects.prefetch_related(
        "bands", Prefetch("cells", MatrixCell.objects.select_related("band"))
    )
    serializer_class = serializers.PolicyVersionSerializer
    filterset_fields = ["version", "is_active"]

    @extend_schema(
        request=serializers.PolicyInput, responses={201: serializers.PolicyVersionSerializer}
    )
    def create(self, request, *args, **kwargs):
        data = serializers.PolicyInput(data=request.data)
        data.is_valid(raise_exception=True)
        policy = policy_publish(
            version_data=data.validated_data, actor=request.user, device=request.device_id
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=policy.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class TierAssignmentViewSet(MasterDataViewSet):
    queryset = TierAssignment.objects.select_related("user", "workshop").order_by("id")
    serializer_class = serializers.TierAssignmentSerializer
    filterset_class = filters.TierAssignmentFilter


class DelegationViewSet(MasterDataViewSet):
    queryset = Delegation.objects.select_related("principal", "delegate").order_by("-starts", "id")
    serializer_class = serializers.DelegationSerializer
    filterset_class = filters.DelegationFilter
