"""Hostile POST data on the browser forms (issue #7: "fuzzing of forms and API input finds no
5xx and no partial writes"): huge, negative, NaN, Infinity and exponent numbers, unicode,
empty and very long strings, missing and extra fields, wrong formset management counts.

Each form is posted by a user holding the role it needs, over a scenario where the action
could succeed. Every answer is below 500, and an answer that is not a success (no success
message) has written nothing: no audit event, no ledger entry, no request, line, step or
work-order change. Each example runs in a savepoint rolled back afterwards, so every example
meets the same scenario.
"""

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote, urlencode

import pytest
from django.contrib import messages
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from approvals.models import ApprovalStep
from audit.models import AuditEvent
from finance.models import MonthEnd, MonthEndLine
from finance.month_end import month_end_compute, month_end_confirm, previous_month
from inventory.models import LedgerEntry
from inventory.scanning import lot_label
from reports.models import ExportJob
from returns.models import (
    ReasonCode,
    ReplenishLine,
    ReplenishRequest,
    ReturnLine,
    ReturnRequest,
    ShortageSlip,
)
from returns.services.return_drafting import return_review, return_submit
from returns.services.return_qc import return_qc_verdict
from tests.builders import released_work_order, with_roles
from tests.returns.builders import draft_return, line
from workorders.models import LeftoverDeclaration, SignOff, WorkOrder
from workorders.services.issuing import IssueLine, work_order_issue
from workorders.services.lifecycle import work_order_complete, work_order_report_output

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# ---------------------------------------------------------------------------- values

NUMBERS = [
    "NaN", "-nan", "Infinity", "-Infinity", "inf", "1e999", "1E+400", "-1e-400", "1e-30",
    "-1", "-0", "0", "0.00001", "3.14159265", "9" * 40, "1" + "0" * 20, "١٢", "²", "1_000",
    " 5 ", "0x10", "5,5", "1e5", "18446744073709551616",
]  # fmt: skip
STRINGS = [
    "\x00", "a\x00b", "\u202eRTL", "🧪" * 50, "' OR 1=1 --", "<script>x</script>", "%s%n",
    "{{ 7|add:7 }}", "../../etc/passwd", "\r\n", " ", "ℌ𝔢𝔩𝔩𝔬", "Ｗ０－１",
]  # fmt: skip
hostile = st.one_of(
    st.sampled_from(NUMBERS),
    st.sampled_from(STRINGS),
    st.text(max_size=20),
    st.text(min_size=1, max_size=2).map(lambda s: s * 5000),  # very long
    st.integers(-(10**30), 10**30).map(str),
    st.just(""),
)
# Management forms that do not match the rows sent.
COUNTS = ["0", "2", "-1", "1001", "1000000", "x", ""]


def form(valid, *, rows=None, lines=1):
    """POST data that would be accepted (``valid``: name → good values; ``rows``: the same
    for each of ``lines`` formset rows, prefix ``form``), then up to three fields dropped or
    made hostile (one value or several), and unknown fields added."""
    fields = {name: [str(v) for v in values] for name, values in valid.items()}
    if rows:
        fields |= {
            "form-TOTAL_FORMS": [str(lines), *COUNTS],
            "form-INITIAL_FORMS": ["0", str(lines), *COUNTS],
        }
        for index in range(lines):
            fields |= {f"form-{index}-{name}": [str(v) for v in vs] for name, vs in rows.items()}
    names = sorted(fields)
    broken = st.one_of(st.none(), hostile, st.lists(hostile, min_size=2, max_size=3))

    @st.composite
    def data(draw):
        posted = {name: draw(st.sampled_from(values)) for name, values in fields.items()}
        for name in draw(st.lists(st.sampled_from(names), max_size=3, unique=True)):
            posted[name] = draw(broken)
        posted |= draw(st.dictionaries(st.text(min_size=1, max_size=12), hostile, max_size=2))
        return {name: value for name, value in posted.items() if value is not None}

    return data() if names else st.dictionaries(st.text(max_size=12), hostile, max_size=3)


# ---------------------------------------------------------------------------- checks


COUNTED = [
    AuditEvent, LedgerEntry, ReturnRequest, ReturnLine, ReplenishRequest, ReplenishLine,
    ShortageSlip, SignOff, LeftoverDeclaration, MonthEnd, MonthEndLine, ExportJob,
]  # fmt: skip


def written():
    """What a refused form must leave as it was."""
    return (
        [model.objects.count() for model in COUNTED],
        list(ReturnRequest.objects.order_by("pk").values_list("state", "rejection_reason")),
        list(
            ReturnLine.objects.order_by("pk").values_list(
                "verdict", "defect_rate", "received_qty", "foreign_qty", "location_id"
            )
        ),
        list(ApprovalStep.objects.order_by("pk").values_list("state", "comment")),
        list(WorkOrder.objects.order_by("pk").values_list("status")),
        list(MonthEnd.objects.order_by("pk").values_list("state", "computed_at")),
    )


def succeeded(response):
    """The pages say so with a success message; an export job answers 201 or goes to it."""
    shown = messages.get_messages(response.wsgi_request)
    return (
        any(message.level == messages.SUCCESS for message in shown)
        or response.status_code == 201
        or "#job-" in response.get("Location", "")
    )


def fuzzed(client, method, url, data, headers=None):
    """Send ``data``; assert no 5xx and, unless it succeeded, nothing written."""
    before = written()
    client.cookies.pop("messages", None)  # only this answer's messages count
    with transaction.atomic():
        response = getattr(client, method)(url, data, headers=headers or {})
        assert response.status_code < 500, (url, data)
        if not succeeded(response):
            assert written() == before, (url, data, response.status_code)
        transaction.set_rollback(True)


def client_as(user):
    client = Client()
    client.force_login(user)
    return client


# ---------------------------------------------------------------------------- scenario


@dataclass
class Scenario:
    submitted: ReturnRequest  # its supervisor step is pending
    reviewed: ReturnRequest  # waiting for QC
    inspected: ReturnRequest  # waiting for the warehouse
    completed: WorkOrder  # in close-out
    month: str  # computed, not confirmed


@pytest.fixture
def scenario(clerk, supervisor, qc, user, work_order, tube, lot, shelf, workshop, finance):
    with_roles(clerk, "clerk", workshops=[workshop])
    with_roles(supervisor, "team_leader", workshops=[workshop])

    def submitted():
        draft = draft_return(work_order, clerk, [line(tube, 5, lot=lot)])
        return return_submit(return_request=draft, actor=clerk)

    reviewed = return_review(return_request=submitted(), actor=supervisor)
    inspected = return_review(return_request=submitted(), actor=supervisor)
    verdicts = [{"line": ln, "verdict": "good"} for ln in inspected.lines.all()]
    inspected = return_qc_verdict(return_request=inspected, verdicts=verdicts, actor=qc)
    completed = released_work_order(
        user, components=[(tube, "1", "0")], planned_qty=10, number="WO-2", workshop=workshop
    )
    work_order_issue(
        work_order=completed, actor=user, lines=[IssueLine(tube, Decimal(10), shelf, lot=lot)]
    )
    work_order_report_output(work_order=completed, good_qty=Decimal(10), actor=user)
    completed = work_order_complete(work_order=completed, actor=user)
    month = month_end_compute(month=previous_month(), actor=finance)
    return Scenario(submitted(), reviewed, inspected, completed, f"{month.month:%Y-%m}")


def reason_pk(code):
    return ReasonCode.objects.get(code=code).pk


def test_new_request_forms(scenario, clerk, work_order, tube):
    """New return / replenishment: save, submit, the approval preview and the scan field."""
    header = {
        "action": ["save", "submit", "preview", "scan"],
        "work_order": [work_order.number],
        "explanation": ["", "left over"],
        "code": [f"M:{tube.code}", "L:TUBE|T1"],
    }
    returns = form(
        {**header, "reason": [reason_pk("LEFTOVER")]},
        rows={
            "material": [tube.code],
            "lot": ["T1"],
            "serials": [""],
            "quantity": ["1", "2.5"],
            "condition": ["good"],
            "excess_explanation": [""],
        },
    )
    replenishments = form(
        {**header, "reason": [reason_pk("OVER_QUOTA")]},
        rows={"material": [tube.code], "quantity": ["1", "4"], "replaces": [""]},
    )
    client = client_as(clerk)
    blank_second_row = {
        "action": "save",
        "work_order": work_order.number,
        "reason": reason_pk("LEFTOVER"),
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "0",
        "form-0-material": tube.code,
        "form-0-quantity": "1",
        "form-0-condition": "good",
    }
    nul = {"action": "scan", "work_order": "WO\x00", "code": "M:\x00", "form-0-material": "\x00"}

    @FUZZ
    @given(
        case=st.one_of(
            st.tuples(st.just("return"), returns), st.tuples(st.just("replenish"), replenishments)
        ),
        htmx=st.booleans(),
    )
    @example(case=("return", blank_second_row), htmx=False)  # was a KeyError (500)
    @example(case=("return", {**nul, "form-TOTAL_FORMS": "1"}), htmx=True)  # PostgreSQL 500
    def post(case, htmx):
        kind, data = case
        headers = {"HX-Request": "true"} if htmx else {}
        fuzzed(client, "post", f"/requests/new/{kind}/", data, headers)

    post()


def test_qc_verdict_and_receiving_forms(scenario, qc, user, lot, finance, month_over):
    reviewed, inspected = scenario.reviewed, scenario.inspected
    verdict = form(
        {},
        rows={
            "line": reviewed.lines.values_list("pk", flat=True),
            "verdict": ["good", "supplier_defect", "process_defect"],
            "defect_rate": ["", "5"],
            "qc_note": ["", "ok"],
        },
    )
    receipt = form(
        {"confirmed": ["1"]},  # the keeper's "I confirm" (core/confirm.py)
        rows={
            "line": inspected.lines.values_list("pk", flat=True),
            "code": [lot_label(lot)],
            "received_qty": ["5", "4"],
            "foreign_qty": ["0", "1"],
            "location": ["", "A"],
            "receive_note": ["", "counted"],
        },
    )
    inspector, keeper = client_as(qc), client_as(user)

    @FUZZ
    @given(data=verdict)
    @example(data={})  # no management form: the page paired forms and lines (500)
    def qc_post(data):
        fuzzed(inspector, "post", f"/requests/qc/{reviewed.pk}/", data)

    @FUZZ
    @given(data=receipt, slip=st.one_of(st.just(inspected.number), hostile))
    @example(data={"form-TOTAL_FORMS": "3", "form-INITIAL_FORMS": "3"}, slip=inspected.number)
    def receive_post(data, slip):
        fuzzed(keeper, "post", f"/requests/receiving/?{urlencode({'slip': slip})}", data)

    qc_post()
    receive_post()
    # Finance closed this month: a receipt is still recorded but its posting is refused, and
    # the page must then leave the slip unreceived too.
    month_end_confirm(month_end=month_end_compute(month=timezone.localdate()), actor=finance)
    receive_post()


def test_approval_decision_forms(scenario, supervisor):
    step = ApprovalStep.objects.get(object_id=scenario.submitted.pk, state="pending")
    client = client_as(supervisor)

    @FUZZ
    @given(
        pk=st.one_of(st.just(step.pk), st.integers(0, 10**30)),
        decision=st.sampled_from(["approve", "reject", "maybe", "APPROVE", "é"]),
        data=form({"comment": ["", "fine"]}),
    )
    def decide(pk, decision, data):
        fuzzed(client, "post", f"/approvals/steps/{pk}/{decision}/", data)

    @FUZZ
    @given(data=form({"steps": [step.pk], "comment": ["", "fine"]}))
    @example(data={"steps": ["²", "9" * 30, "1" * 5000]})  # int() and SQLite overflow (500)
    def bulk(data):
        fuzzed(client, "post", "/approvals/bulk-approve/", data)

    decide()
    bulk()


def test_work_order_close_out_forms(scenario, supervisor, tube):
    """Sign-off, leftover declaration and closing, by the workshop's team leader."""
    posts = st.one_of(
        st.tuples(st.just("sign-off"), form({"role": ["production"], "note": ["", "ok"]})),
        st.tuples(
            st.just("declare-leftover"),
            form({"material": [tube.pk], "quantity": ["1", "-1"], "note": ["used up"]}),
        ),
        st.tuples(st.just("close"), form({})),
    )
    client = client_as(supervisor)

    @FUZZ
    @given(case=posts)
    def post(case):
        action, data = case
        fuzzed(client, "post", f"/work-orders/{scenario.completed.pk}/{action}/", data)

    post()


def test_month_end_and_export_forms(scenario, finance):
    client = client_as(finance)
    months = st.one_of(st.just(scenario.month), st.from_regex(r"\A[0-9]{4}-[0-9]{2}\Z"))
    exports = st.one_of(
        form({"kind": ["ledger"], "date_from": ["2026-01-01"], "material": ["TUBE"]}),
        form({"kind": ["recall"], "material": ["TUBE"], "lot": ["T1"]}),
        form({"kind": ["variance"], "work_order": ["WO-1", "WO-2"], "status": ["completed"]}),
        form({"kind": ["month_end"], "month": [scenario.month]}),
    )

    @FUZZ
    @given(data=form({"month": [scenario.month, "9999-12", "0001-01", "2026-13"]}))
    @example(data={"month": "9999-12"})  # the month's end overflowed (500)
    @example(data={"month": "0001-01"})
    def compute(data):
        fuzzed(client, "post", "/finance/month-end/compute/", data)

    @FUZZ
    @given(month=months, data=form({}))
    def confirm(month, data):
        fuzzed(client, "post", f"/finance/month-end/{month}/confirm/", data)

    @FUZZ
    @given(data=exports, htmx=st.booleans())
    def export(data, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        fuzzed(client, "post", "/finance/exports/start/", data, headers)

    compute()
    confirm()
    export()


def test_label_and_slip_printing(user, tube, lot, shelf):
    """The label form is a GET form: its sheet reads only, whatever is asked for; so does a
    slip asked for by any number."""
    client = client_as(user)
    labels = form(
        {
            "material": [tube.code],
            "lot": [f"{tube.code}|{lot.batch_no}"],
            "location": [shelf.code],
            "copies": ["1", "100"],
        }
    )

    @FUZZ
    @given(url=st.sampled_from(["/print/labels/new/", "/print/labels/"]), data=labels)
    def get(url, data):
        fuzzed(client, "get", url, data)

    @FUZZ
    @given(number=hostile)
    @example(number="RT\x00")  # PostgreSQL 500
    def slip(number):
        fuzzed(client, "get", f"/print/slips/{quote(number, safe='')}/", {})

    get()
    slip()
