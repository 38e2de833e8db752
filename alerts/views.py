"""The user's notifications and the alerts they were told of, with read/unread."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from alerts.selectors import notifications_for, open_alerts
from alerts.services import notifications_mark_read
from approvals.views import posted_ids


@login_required
def notifications(request):
    """The user's notifications (unread first marked bold) and the alerts they were told of."""
    show = request.GET.get("show", "all")
    rows = notifications_for(request.user, unread_only=show == "unread")[:200]
    return render(
        request,
        "alerts/notifications.html",
        {"notifications": rows, "alerts": open_alerts(request.user)[:50], "show": show},
    )


@require_POST
@login_required
def notifications_read(request):
    """Mark the given notifications read, or all of them."""
    ids = posted_ids(request, "ids")
    notifications_mark_read(user=request.user, ids=ids or None)
    return redirect("alerts:notifications")
