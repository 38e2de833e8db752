"""The approval inbox with N pending requests awaiting one approver (issue #17): the page
and the API, each timed against the bare ``.values()`` of the same page of steps in the
same run, p95 and median.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mr_bench \\
        .venv/bin/python bench/inbox_bench.py --rows 2000

Each request (half returns, half replenishments) has three lines, an attachment and an
earlier decision (a workshop director's approval); its production-manager step is the
one pending. Target: p95 of the page and of the API ≤ 2× the p95 of the ``.values()``
page. Requests go through Django's test client in this process (middleware, session,
template or serializer included; no HTTP server). As gunicorn's ``post_worker_init`` does,
what is alive after the warm-up is frozen out of the garbage collector's sight
(``gc.freeze()``), so a collection walks a request's own objects.
"""

import gc
import statistics
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import interleaved, machine, master_data, script_main  # noqa: E402

TARGET = 2.0
API_PAGE = 100  # the API's page, as the issue measured it; the page shows core.lists.PAGE_SIZE
LINES = 3
APPROVER, DIRECTOR, CLERK = "bench-approver", "bench-director", "bench-clerk"


def users():
    from django.contrib.auth import get_user_model

    from approvals.models import Tier, TierAssignment

    model = get_user_model()
    people = {
        name: model.objects.get_or_create(username=name)[0] for name in (APPROVER, DIRECTOR, CLERK)
    }
    TierAssignment.objects.get_or_create(
        user=people[APPROVER], tier=Tier.PRODUCTION_MANAGER, workshop=None
    )
    return people


def inbox_fill(requests):
    """Exactly ``requests`` pending steps for the approver (skipped when already there)."""
    from django.db import transaction

    from approvals.models import ApprovalStep, StepState

    people = users()
    pending = ApprovalStep.objects.filter(requester=people[CLERK], state=StepState.PENDING)
    if pending.count() == requests:
        return False
    master_data()
    with transaction.atomic():
        inbox_clear(people[CLERK])
        for kind in ("return", "replenish"):
            count = requests // 2 + (requests % 2 if kind == "return" else 0)
            requests_create(kind, count, people)
    return True


def inbox_clear(clerk):
    from approvals.models import ApprovalStep
    from returns.models import ReplenishRequest, ReturnRequest

    ApprovalStep.objects.filter(requester=clerk).delete()
    for model in (ReturnRequest, ReplenishRequest):
        model.objects.filter(applicant=clerk).delete()


def requests_create(kind, count, people):
    """``count`` submitted requests of ``kind`` with lines, an attachment and two steps
    (director approved, manager pending), written in bulk (a benchmark may bypass the
    services; the rows are valid)."""
    from decimal import Decimal

    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from approvals.models import ApprovalStep, StepState, Tier
    from approvals.routing import active_policy, replenish_route
    from materials.models import Material
    from returns.models import (
        ReasonCode,
        ReplenishLine,
        ReplenishRequest,
        RequestAttachment,
        ReturnLine,
        ReturnRequest,
    )
    from workorders.models import WorkOrder

    model, line_model, prefix = {
        "return": (ReturnRequest, ReturnLine, "RT-B"),
        "replenish": (ReplenishRequest, ReplenishLine, "RP-B"),
    }[kind]
    reason = ReasonCode.objects.filter(kind=kind).order_by("code").first()
    orders = list(WorkOrder.objects.filter(number__startswith="WO-B").order_by("id"))
    materials = list(Material.objects.filter(code__startswith="B-").order_by("id")[:50])
    extra = {"amount": Decimal("125.50")} if kind == "replenish" else {}
    created = model.objects.bulk_create(
        model(
            number=f"{prefix}{n:06d}",
            work_order=orders[n % len(orders)],
            reason=reason,
            applicant=people[CLERK],
            explanation="bench",
            state="submitted",
            **extra,
        )
        for n in range(count)
    )
    line_model.objects.bulk_create(
        line_model(request=request, material=materials[(n + k) % len(materials)], quantity=k + 1)
        for n, request in enumerate(created)
        for k in range(LINES)
    )
    request_field = "return_request" if kind == "return" else "replenish_request"
    RequestAttachment.objects.bulk_create(
        RequestAttachment(
            **{request_field: request},
            file="attachments/bench.pdf",
            original_name="report.pdf",
            content_type="application/pdf",
            size=1000,
            sha256="0" * 64,
            uploaded_by=people[CLERK],
        )
        for request in created
    )
    now, policy = timezone.now(), active_policy()
    route = replenish_route(
        approval_class="B", order_qty=100, required_qty=100, replenish_qty=5
    ).as_dict()
    common = {
        "content_type": ContentType.objects.get_for_model(model),
        "requester": people[CLERK],
        "policy": policy,
    }
    decided = {
        "sequence": 1,
        "tier": Tier.WORKSHOP_DIRECTOR,
        "state": StepState.APPROVED,
        "decided_by": people[DIRECTOR],
        "decided_at": now,
        "comment": "ok",
    }
    pending = {"sequence": 2, "tier": Tier.PRODUCTION_MANAGER, "state": StepState.PENDING}
    steps = []
    for n, request in enumerate(created):
        workshop_id = orders[n % len(orders)].workshop_id
        this = {
            **common,
            "object_id": request.id,
            "workshop_id": workshop_id,
            "context": step_context(kind, request, route, materials, n),
        }
        steps += [
            ApprovalStep(**this, **decided),
            ApprovalStep(**this, **pending, due_at=now + timedelta(minutes=n)),
        ]
    ApprovalStep.objects.bulk_create(steps)


def step_context(kind, request, route, materials, n):
    """What the services store: a replenishment's route per line, a return's reason."""
    if kind == "return":
        return {"reason": request.reason.code}
    codes = [materials[(n + k) % len(materials)].code for k in range(LINES)]
    return {"lines": [{"material": code, **route} for code in codes]}


def client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    browser = Client(HTTP_HOST="localhost")
    browser.force_login(get_user_model().objects.get(username=APPROVER))
    return browser


def values_page(size):
    """The baseline: the same page of steps (the inbox's scope and order) as bare
    ``.values()`` of what a step names."""
    from django.contrib.auth import get_user_model

    from approvals.selectors import STEP_COLUMNS, steps_in_scope

    def call():
        user = get_user_model().objects.get(username=APPROVER)
        steps = steps_in_scope(user=user).filter(state="pending")
        return list(steps.values(*STEP_COLUMNS)[:size])

    return call


def measures(browser):
    from core.lists import PAGE_SIZE

    def get(url, params):
        def call():
            response = browser.get(url, params)
            assert response.status_code == 200, (url, response.status_code)
            return response.content

        return call

    return {
        "values_page": values_page(PAGE_SIZE),
        "page": get("/approvals/", {}),
        "values_api": values_page(API_PAGE),
        "api": get("/api/v1/approvals/", {"page_size": API_PAGE}),
    }


def p95(times):
    return statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]


def run(*, rows, repeats):
    """Fill to ``rows`` pending requests, warm up, freeze, time interleaved."""
    from core.lists import PAGE_SIZE

    filled = inbox_fill(rows)
    calls = measures(client())
    for call in calls.values():
        call()
    gc.collect()
    gc.freeze()
    try:
        runs = interleaved(calls, repeats)
    finally:
        gc.unfreeze()
    tail = {name: p95(times) for name, times in runs.items()}
    median = {name: statistics.median(times) for name, times in runs.items()}
    ratios = {
        name: {
            "p95": tail[name] / tail[f"values_{name}"],
            "median": median[name] / median[f"values_{name}"],
        }
        for name in ("page", "api")
    }
    return {
        "rows": rows,
        "filled": filled,
        "repeats": repeats,
        "sizes": {"page": PAGE_SIZE, "api": API_PAGE},
        "p95": tail,
        "median": median,
        "ratios": ratios,
        "passed": all(ratio["p95"] <= TARGET for ratio in ratios.values()),
    }


def report(result):
    def ms(name):
        p95_ms, median_ms = result["p95"][name] * 1000, result["median"][name] * 1000
        return f"p95 {p95_ms:.1f} ms, median {median_ms:.1f} ms"

    lines = [
        f"machine: {machine()}",
        f"pending requests for one approver: {result['rows']:,}; {result['repeats']} runs each, "
        "interleaved, gc.freeze() after the warm-up",
    ]
    for name, url in (("page", "/approvals/"), ("api", "/api/v1/approvals/")):
        ratio = result["ratios"][name]
        lines += [
            f".values() of the {result['sizes'][name]}-step page: {ms(f'values_{name}')}",
            f"inbox {name} {url} ({result['sizes'][name]} steps): {ms(name)} -> "
            f"p95 {ratio['p95']:.2f}x, median {ratio['median']:.2f}x (target p95 <= {TARGET}x)",
        ]
    lines.append(f"verdict: {'PASS' if result['passed'] else 'FAIL'}")
    return "\n".join(lines)


def main():
    script_main(__doc__, run, report, repeats=60, rows=2000)


if __name__ == "__main__":
    main()
