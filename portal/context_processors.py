"""What every page's header needs: the role-aware navigation and the user's workshops."""

from functools import cache

from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from alerts.selectors import unread_count
from org.access import is_plant_wide, workshops_of


def _any_perm(*perms):
    return lambda user: any(user.has_perm(perm) for perm in perms)


def _everyone(user):
    return True


# (url name, label, who sees it), in menu order.
NAV = [
    ("portal:home", _("Home"), _everyone),
    ("returns:new_return", _("New return"), _any_perm("returns.add_returnrequest")),
    ("returns:new_replenish", _("New replenishment"), _any_perm("returns.add_replenishrequest")),
    (
        "returns:my_requests",
        _("My requests"),
        _any_perm("returns.add_returnrequest", "returns.add_replenishrequest"),
    ),
    ("returns:return_list", _("Returns"), _everyone),
    ("returns:replenish_list", _("Replenishments"), _everyone),
    ("returns:shortage_list", _("Shortage slips"), _everyone),
    ("approvals:inbox", _("Approvals"), _everyone),
    ("returns:qc_list", _("QC"), _any_perm("returns.give_qc_verdict")),
    (
        "returns:nonconforming_list",
        _("Nonconforming material"),
        _any_perm("returns.give_qc_verdict", "returns.post_return"),
    ),
    ("stock:lot_inspection", _("Lot inspection"), _any_perm("inventory.change_lot")),
    (
        "returns:receiving",
        _("Receiving"),
        _any_perm("returns.receive_return", "returns.issue_replenishment"),
    ),
    ("returns:shortages", _("Shortages"), _any_perm("returns.change_shortageslip")),
    (
        "returns:disposal_list",
        _("Scrap disposals"),
        _any_perm("returns.give_qc_verdict", "returns.post_return"),
    ),
    ("stock:receive", _("Goods receipt"), _any_perm("inventory.add_ledgerentry")),
    ("stock:transfer", _("Transfer"), _any_perm("inventory.add_ledgerentry")),
    ("stock:adjust", _("Adjustment"), _any_perm("inventory.add_ledgerentry")),
    ("print:label_form", _("Labels"), _any_perm("inventory.add_ledgerentry")),
    ("workorders:list", _("Work orders"), _everyone),
    ("ledger:list", _("Stock ledger"), _everyone),
    ("stock:balances", _("Stock on hand"), _everyone),
    ("workorders:new", _("New work order"), _any_perm("workorders.add_workorder")),
    ("finance:month_end", _("Finance"), _any_perm("finance.view_monthend")),
    ("reports:exports", _("Exports"), _any_perm("inventory.view_ledgerentry")),
    ("reports:trace", _("Traceability"), is_plant_wide),  # plant-wide roles only
    ("alerts:notifications", _("Notifications"), _everyone),
]


@cache
def nav_url(script_prefix: str, name: str) -> str:
    """A menu entry's address, reversed once per process (and mount point), not on every
    page: the menu's twenty reversals were a tenth of a list page's time (issue #17)."""
    return reverse(name)


def _user_workshops(user):
    if is_plant_wide(user):
        return [_("all workshops")]
    return list(workshops_of(user))


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [
        {"url": nav_url(get_script_prefix(), name), "label": label}
        for name, label, visible in NAV
        if visible(user)
    ]
    # The longest entry the path starts with is the current one (/work-orders/new/ is not
    # also /work-orders/).
    matches = [
        item["url"]
        for item in items
        if request.path == item["url"]
        or (item["url"] != "/" and request.path.startswith(item["url"]))
    ]
    current = max(matches, key=len, default=None)
    for item in items:
        item["current"] = item["url"] == current
    return {
        "nav_items": items,
        "user_workshops": _user_workshops(user),
        "unread_notifications": unread_count(user),
        "notification_poll_seconds": settings.NOTIFICATION_POLL_SECONDS,
    }
