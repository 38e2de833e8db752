"""The user's notifications and the alerts they were told of, with read/unread; the header's
unread badge (polled by htmx) and the e-mail preferences per kind."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alerts.messages import NotificationKind
from alerts.selectors import email_preferences, notifications_for, open_alerts, unread_count
from alerts.services import notification_preferences_set, notifications_mark_read
from approvals.views import posted_ids
from core.lists import page_of


@login_required
def notifications(request):
    """The user's notifications (unread marked bold) and the alerts they were told of, each
    list paged on its own (no cut-off)."""
    show = request.GET.get("show", "all")
    rows = notifications_for(request.user, unread_only=show == "unread")
    context = {
        "notifications": page_of(request, rows),
        "alerts": page_of(request, open_alerts(request.user), param="alerts_page"),
        "show": show,
    }
    return render(request, "alerts/notifications.html", context)


@require_POST
@login_required
def notifications_read(request):
    """Mark the given notifications read, or all of them."""
    ids = posted_ids(request, "ids")
    notifications_mark_read(user=request.user, ids=ids or None)
    return redirect("alerts:notifications")


@require_POST
@login_required
def notification_open(request, pk):
    """Follow a notification to its document, marking it read on the way."""
    notification = get_object_or_404(notifications_for(request.user), pk=pk)
    notifications_mark_read(user=request.user, ids=[notification.pk])
    url = notification.url
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        url = ""
    return redirect(url or "alerts:notifications")


def badge(request):
    """The header's unread count, polled by htmx every 30 s: one count query, and none of
    the page context (rendered without the request's context processors)."""
    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    html = render_to_string("alerts/badge.html", {"unread": unread_count(request.user)})
    return HttpResponse(html)


@login_required
def preferences(request):
    """Which kinds of notification the user also gets by e-mail (in the app: always)."""
    if request.method == "POST":
        kinds = [kind for kind in request.POST.getlist("email") if kind in NotificationKind.values]
        notification_preferences_set(user=request.user, email_kinds=kinds)
        messages.success(request, _("Your e-mail preferences were saved."))
        return redirect("alerts:preferences")
    emailed = email_preferences(request.user)
    rows = [(kind, label, emailed[kind]) for kind, label in NotificationKind.choices]
    return render(request, "alerts/preferences.html", {"rows": rows})
