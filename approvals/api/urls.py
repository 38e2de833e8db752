from approvals.api import views

routes = [
    ("approvals", views.ApprovalStepViewSet, "approval"),
    ("approval-policies", views.PolicyVersionViewSet, "approval-policy"),
    ("tier-assignments", views.TierAssignmentViewSet, "tier-assignment"),
    ("delegations", views.DelegationViewSet, "delegation"),
]
urlpatterns = []
