"""The dashboard: open requests by state, overdue items, top reasons and replenish ratio,
each equal to an independent count, drawn as accessible inline SVG."""

from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alerts.models import AlertKind
from alerts.services import alert_raise
from inventory.models import LedgerEntry, MovementType
from returns.models import REPLENISH_FINISHED, RETURN_FINISHED, ReplenishRequest, ReturnRequest
from returns.services.issuing import replenish_issue
from returns.services.replenish import replenish_submit
from returns.services.return_drafting import return_submit
from tests.factories import UserFactory
from tests.returns.builders import approve_all, draft_return, line, replenishment
from tests.workorders.test_closeout import in_progress_work_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(admin):
    """WO-1 (200 TUBE issued): a draft and a submitted return, a submitted and an issued
    replenishment (10 TUBE), and an open leftover alert."""
    work_order = in_progress_work_order(admin)
    tube = work_order.lines.get().material
    clerk = UserFactory(username="clerk")
    draft_return(work_order, clerk, [line(tube, 5)])
    return_submit(return_request=draft_return(work_order, clerk, [line(tube, 5)]), actor=clerk)
    replenish_submit(
        replenish_request=replenishment(work_order, clerk, [line(tube, 3)]), actor=clerk
    )
    issued = replenish_submit(
        replenish_request=replenishment(work_order, clerk, [line(tube, 10)]), actor=clerk
    )
    approve_all(issued)
    replenish_issue(replenish_request=issued, actor=admin)
    alert_raise(
        kind=AlertKind.LEFTOVER_OVERDUE,
        obj=work_order,
        params={"work_order": "WO-1", "completed_at": "2026-11-01 08:00", "materials": "TUBE"},
        users=[admin],
    )
    return work_order


def dashboard(client):
    return client.get(reverse("portal:home"))


def test_open_requests_by_state_equal_an_independent_count(role_client, activity):
    context = dashboard(role_client("production_manager")).context
    returns = Counter(
        r.get_state_display() for r in ReturnRequest.objects.all() if r.state not in RETURN_FINISHED
    )
    replenishments = Counter(
        r.get_state_display()
        for r in ReplenishRequest.objects.all()
        if r.state not in REPLENISH_FINISHED
    )
    shown = {(str(kind), str(state)): n for kind, state, n in context["requests"]}
    expected = {("Return", str(s)): n for s, n in returns.items()}
    expected |= {("Replenishment", str(s)): n for s, n in replenishments.items()}
    assert shown == expected and sum(shown.values()) == 3


def test_top_reasons_and_replenish_ratio_equal_the_ledger(role_client, activity):
    context = dashboard(role_client("production_manager")).context
    reasons = {bar["label"]: bar["display"] for bar in context["reasons_chart"]["bars"]}
    submitted = Counter(
        f"{kind} · {r.reason.code} · {r.reason.name}"
        for kind, model in (("Return", ReturnRequest), ("Replenishment", ReplenishRequest))
        for r in model.objects.filter(submitted_at__isnull=False)
    )
    assert reasons == {label: str(n) for label, n in submitted.items()}
    entries = LedgerEntry.objects.filter(work_order=activity)
    issued = -sum(e.quantity for e in entries if e.movement_type == MovementType.ISSUE)
    replenished = -sum(e.quantity for e in entries if e.movement_type == MovementType.REPLENISH)
    [bar] = context["ratio_chart"]["bars"]
    assert bar["label"] == activity.workshop.code
    assert bar["display"] == f"{(replenished * 100 / issued).quantize(Decimal('0.01'))} %"


def test_overdue_items_come_from_open_alerts(role_client, activity):
    context = dashboard(role_client("production_manager")).context
    assert context["overdue"]["by_kind"] == [("leftover not returned", 1)]
    assert [a.object_repr for a in context["overdue"]["latest"]] == ["WO-1"]


def test_chart_bars_are_text_links_to_the_lists_they_count(role_client, activity):
    """Issue #16: bars are HTML text at the page's size (no scaled SVG), each a link to the
    filtered list whose rows it counts."""
    client = role_client("production_manager")
    html = dashboard(client).content.decode()
    assert "<svg" not in html and "<script" not in html.split("</header>")[1]
    context = dashboard(client).context
    [awaiting] = [
        bar for bar in context["requests_chart"]["bars"] if "awaiting approval" in bar["label"]
    ]
    assert f'href="{awaiting["url"]}"' in html.replace("&amp;", "&")
    listed = client.get(awaiting["url"]).context["page"].object_list
    assert len(listed) == int(awaiting["display"]) == 1
    for bar in context["reasons_chart"]["bars"]:
        rows = client.get(bar["url"]).context["page"].object_list
        assert len(rows) == int(bar["display"]), bar
    [ratio] = context["ratio_chart"]["bars"]
    entries = list(client.get(ratio["url"]).context["page"])
    assert {e["movement_type"] for e in entries} == {MovementType.REPLENISH}
    listed = LedgerEntry.objects.filter(id__in=[e["id"] for e in entries])
    workshops = set(listed.values_list("work_order__workshop__code", flat=True))
    assert workshops == {activity.workshop.code}


def test_reason_names_follow_the_reader_language(role_client, activity):
    reason = ReplenishRequest.objects.filter(submitted_at__isnull=False).first().reason
    reason.name_zh = "工废"
    reason.save()
    client = role_client("production_manager")
    response = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    labels = [bar["label"] for bar in response.context["reasons_chart"]["bars"]]
    assert any(label.endswith(f"{reason.code} · 工废") for label in labels), labels


def test_query_count_does_not_grow_with_the_data(role_client, activity):
    client = role_client("production_manager")
    with CaptureQueriesContext(connection) as before:
        dashboard(client)
    tube = activity.lines.get().material
    for _ in range(3):
        return_submit(
            return_request=draft_return(activity, client.user, [line(tube, 1)]), actor=client.user
        )
    with CaptureQueriesContext(connection) as after:
        dashboard(client)
    assert len(after) == len(before)


def test_dashboard_renders_in_simplified_chinese(role_client, activity):
    client = role_client("production_manager")
    response = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()
