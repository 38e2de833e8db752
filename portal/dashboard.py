"""The start page: open requests by state, overdue items, this month's top reasons and the
replenish ratio by workshop (R-J2, R-A2), drawn as HTML bar charts whose bars link to the
lists behind them (issue #16).

Every figure is one GROUP BY query over the user's workshops (``org.access``).
"""

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from alerts.models import AlertKind
from alerts.selectors import open_alerts
from finance.month_end import month_bounds
from inventory.models import LedgerEntry, MovementType
from org.access import is_plant_wide, scope_queryset
from returns.forms import reason_label
from returns.models import (
    REPLENISH_FINISHED,
    RETURN_FINISHED,
    ReasonCode,
    ReplenishRequest,
    ReplenishState,
    ReturnRequest,
    ReturnState,
    ShortageSlip,
    ShortageState,
)

TOP_REASONS = 8
OVERDUE_LISTED = 10


# ---------------------------------------------------------------------------- selectors


def open_request_counts(user):
    """[(list url name, kind label, state, state label, count)] of unfinished returns and
    replenishments."""
    rows = []
    for model, finished, states, kind, list_name in (
        (ReturnRequest, RETURN_FINISHED, ReturnState, _("Return"), "returns:return_list"),
        (
            ReplenishRequest,
            REPLENISH_FINISHED,
            ReplenishState,
            _("Replenishment"),
            "returns:replenish_list",
        ),
    ):
        counts = (
            scope_queryset(model.objects.exclude(state__in=finished), user, "work_order__workshop")
            .values("state")
            .annotate(n=Count("id"))
            .order_by()
        )
        found = {row["state"]: row["n"] for row in counts}
        rows += [
            (list_name, kind, value, label, found[value])
            for value, label in states.choices
            if value in found
        ]
    return rows


def open_requests_by_state(user, counts=None):
    """[(kind, state label, count)] of unfinished returns and replenishments."""
    counts = open_request_counts(user) if counts is None else counts
    return [(kind, label, n) for _name, kind, _state, label, n in counts]


def request_tiles(counts):
    """Each open (kind, state) with the link to its filtered list (issue #15)."""
    return [
        {
            "label": f"{kind} · {label}",
            "count": n,
            "url": f"{reverse(name)}?{urlencode({'state': state})}",
        }
        for name, kind, state, label, n in counts
    ]


def open_shortages(user):
    """How many shortage slips are open, for the tile that links to their list."""
    slips = scope_queryset(
        ShortageSlip.objects.filter(state=ShortageState.OPEN),
        user,
        "replenish_line__request__work_order__workshop",
    )
    url = f"{reverse('returns:shortage_list')}?{urlencode({'state': ShortageState.OPEN})}"
    return {"count": slips.count(), "url": url}


def overdue_items(user):
    """Open alerts (R-J2): every one for plant-wide roles, else those the user was told
    about; counts by kind and the newest few."""
    alerts = open_alerts(None if is_plant_wide(user) else user)
    labels = dict(AlertKind.choices)
    by_kind = alerts.values("kind").annotate(n=Count("id")).order_by("-n", "kind")
    return {
        "by_kind": [(labels.get(row["kind"], row["kind"]), row["n"]) for row in by_kind],
        "latest": list(alerts[:OVERDUE_LISTED]),
    }


def month_range(month) -> dict[str, str]:
    """The list filters of one month: from its first day up to the next month's."""
    start, end = month_bounds(month)
    return {
        "start": timezone.localdate(start).isoformat(),
        "end": timezone.localdate(end).isoformat(),
    }


def top_reasons(user, month):
    """This month's submitted returns and replenishments per reason, most frequent first:
    [(label in the user's language, count, url of the list behind the bar)]."""
    start, end = month_bounds(month)
    dates = month_range(month)
    rows = []
    for model, kind, list_name in (
        (ReturnRequest, _("Return"), "returns:return_list"),
        (ReplenishRequest, _("Replenishment"), "returns:replenish_list"),
    ):
        counts = (
            scope_queryset(
                model.objects.filter(submitted_at__gte=start, submitted_at__lt=end),
                user,
                "work_order__workshop",
            )
            .values("reason__code", "reason__name", "reason__name_zh")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in counts:
            reason = ReasonCode(
                code=row["reason__code"], name=row["reason__name"], name_zh=row["reason__name_zh"]
            )
            query = {
                "reason": reason.code,
                "submitted_after": dates["start"],
                "submitted_before": dates["end"],
            }
            url = f"{reverse(list_name)}?{urlencode(query)}"
            rows.append((f"{kind} · {reason_label(reason)}", row["n"], url))
    return sorted(rows, key=lambda row: (-row[1], row[0]))[:TOP_REASONS]


def replenish_ratio_by_workshop(user, month):
    """Per workshop: replenished ÷ issued quantity this month, in percent (ledger only),
    with the month's replenishment movements of the workshop behind each bar."""
    start, end = month_bounds(month)
    dates = month_range(month)
    rows = (
        scope_queryset(
            LedgerEntry.objects.filter(
                created_at__gte=start, created_at__lt=end, work_order__isnull=False
            ),
            user,
            "work_order__workshop",
        )
        .values("work_order__workshop__code")
        .annotate(
            issued=Sum("quantity", filter=Q(movement_type=MovementType.ISSUE)),
            replenished=Sum("quantity", filter=Q(movement_type=MovementType.REPLENISH)),
        )
        .order_by("work_order__workshop__code")
    )
    ratios = []
    for row in rows:
        issued = -(row["issued"] or 0)
        replenished = -(row["replenished"] or 0)
        if issued > 0:
            workshop = row["work_order__workshop__code"]
            query = {
                "movement_type": MovementType.REPLENISH,
                "workshop": workshop,
                "since": dates["start"],
                "until": dates["end"],
            }
            ratio = (replenished * 100 / issued).quantize(Decimal("0.01"))
            ratios.append((workshop, ratio, f"{reverse('ledger:list')}?{urlencode(query)}"))
    return ratios


# ---------------------------------------------------------------------------- charts


def bar_chart(title, bars, *, decimals=0, unit=""):
    """A horizontal bar chart of (label, value, url) for ``includes/bar_chart.html``: HTML
    text at the page's own size (an SVG scaled to a phone's card shrank 13 px labels to
    about 5 px), each bar a link to the list it counts; ``share`` is the bar's length in
    percent of the largest."""
    largest = float(max((value for _label, value, _url in bars), default=0) or 1)
    return {
        "title": title,
        "bars": [
            {
                "label": label,
                "display": formats.number_format(
                    value, decimals, use_l10n=True, force_grouping=True
                )
                + unit,
                "url": url,
                "share": f"{float(value) / largest * 100:.1f}",
            }
            for label, value, url in bars
        ],
    }


# ---------------------------------------------------------------------------- the page


@login_required
def dashboard(request):
    user = request.user
    month = timezone.localdate().replace(day=1)
    counts = open_request_counts(user)
    requests = open_requests_by_state(user, counts)
    overdue = overdue_items(user)
    tiles = request_tiles(counts)
    context = {
        "month": month,
        "requests": requests,
        "request_tiles": tiles,
        "shortages": open_shortages(user),
        "requests_chart": bar_chart(
            _("Open requests by state"),
            [(tile["label"], tile["count"], tile["url"]) for tile in tiles],
        ),
        "overdue": overdue,
        "overdue_chart": bar_chart(
            _("Overdue items by kind"),
            [(label, n, reverse("alerts:notifications")) for label, n in overdue["by_kind"]],
        ),
        "reasons_chart": bar_chart(_("Top reasons this month"), top_reasons(user, month)),
        "ratio_chart": bar_chart(
            _("Replenish ratio by workshop this month"),
            replenish_ratio_by_workshop(user, month),
            decimals=2,
            unit=" %",
        ),
    }
    return render(request, "portal/dashboard.html", context)
