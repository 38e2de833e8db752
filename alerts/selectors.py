"""Reads the inbox page and the API share: a user's notifications and the open alerts."""

from django.contrib.auth.models import User
from django.db.models import QuerySet

from alerts.messages import NotificationKind
from alerts.models import Alert, Notification, NotificationPreference


def notifications_for(user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """``user``'s own notifications, newest first (with their alert, for the kind)."""
    notifications = Notification.objects.filter(user=user).select_related("alert")
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def open_alerts(user: User | None = None, kind: str | None = None) -> QuerySet[Alert]:
    """Open alerts, newest first: all of them for staff (or ``user=None``), otherwise those
    ``user`` was told about; optionally of one ``kind``."""
    alerts = Alert.objects.filter(cleared_at__isnull=True).select_related("content_type")
    if user is not None and not user.is_staff:
        alerts = alerts.filter(recipients=user)
    if kind:
        alerts = alerts.filter(kind=kind)
    return alerts


def email_preferences(user: User) -> dict[str, bool]:
    """Kind → whether ``user`` gets its notifications by e-mail (default yes)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    return {kind: chosen.get(kind, True) for kind in NotificationKind.values}
