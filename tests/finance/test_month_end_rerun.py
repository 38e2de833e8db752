"""A month-end run killed half-way leaves nothing half-written, and running it again gives
the same summary as an uninterrupted run (R-J1)."""

import pytest
from django.utils import timezone

from finance import month_end
from finance.models import MonthEndDocument, MonthEndLine
from finance.tasks import month_end_task
from tests.finance.test_month_end import month  # noqa: F401  (the fixture's ledger rows)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("month")]


def summary_rows():
    lines = MonthEndLine.objects.order_by("kind", "material_id", "reason_code").values_list(
        "kind",
        "workshop_id",
        "reason_code",
        "responsible_party",
        "approval_class",
        "material_id",
        "quantity",
        "amount",
    )
    documents = MonthEndDocument.objects.order_by("number").values_list(
        "kind",
        "number",
        "workshop_id",
        "reason_code",
        "responsible_party",
        "amount",
        "points",
        "flagged",
    )
    return list(lines), list(documents)


def killed_run(period):
    """Run the task but crash it once the detail lines are written, as a killed worker
    would; returns how many lines had been written by then."""
    written = []

    def crash(month_end_row):
        written.append(MonthEndLine.objects.filter(month_end=month_end_row).count())
        raise SystemExit("worker killed")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(month_end, "documents_insert", crash)
        with pytest.raises(SystemExit):
            month_end_task(period)
    return written[0]


def test_killed_run_then_rerun_gives_the_same_summary():
    period = f"{timezone.localdate():%Y-%m}"
    assert killed_run(period) == 3  # rows were written before the crash ...
    assert summary_rows() == ([], [])  # ... and none of them survived it
    month_end_task(period)
    summary = summary_rows()
    assert len(summary[0]) == len(summary[1]) == 3
    assert killed_run(period) == 3  # a recompute killed half-way ...
    assert summary_rows() == summary  # ... keeps the previous summary whole
    month_end_task(period)
    assert summary_rows() == summary
