"""The benchmark scripts still run (tiny row counts, no timing asserted): BENCHMARKS.md's
commands must not rot. PostgreSQL only, like the benchmarks (generate_series)."""

import pytest
from openpyxl import load_workbook

from bench import export_bench, inbox_bench, ledger_bench, month_end_bench
from bench.common import ledger_fill

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.mark.django_db(transaction=True)  # the bench VACUUMs, which no transaction may hold
def test_month_end_bench_runs_and_agrees_with_sql(reference_data):
    result = month_end_bench.run(rows=200, repeats=1)
    assert result["totals_agree"] and result["documents"] == 20
    assert "ratio of best runs:" in month_end_bench.report(result)


def test_export_bench_writes_the_same_values_every_way(tmp_path):
    """The baselines write what the export writes (but labels: codes), local times and
    rounded amounts included; empty values are no cells in each."""
    ledger_fill(150)
    assert export_bench.ledger_export(tmp_path / "export.xlsx") == 150
    assert export_bench.raw_openpyxl(tmp_path / "raw.xlsx") == 150
    assert export_bench.raw_xlsxwriter(tmp_path / "raw-x.xlsx") == 150
    exported = load_workbook(tmp_path / "export.xlsx")["Ledger"]
    assert exported.max_row == 150 + 2  # + header and totals
    values = list(exported.iter_rows(min_row=2, max_row=151, values_only=True))
    # time, material, name, lot, serial, location, quantity, unit, amount, document, user
    same = (0, 2, 3, 4, 5, 6, 7, 8, 9, 11, 14, 15)
    for raw_file in ("raw.xlsx", "raw-x.xlsx"):
        raw = list(load_workbook(tmp_path / raw_file)["Ledger"].iter_rows(values_only=True))
        assert len(raw) == 150
        assert [[r[i] for i in same] for r in raw] == [[r[i] for i in same] for r in values]


def test_ledger_bench_times_the_page_the_api_and_the_empty_filter():
    result = ledger_bench.run(rows=300, repeats=1)
    assert result["small"] == 30 and set(result["ratios"]) == {"page", "api", "unused_material"}
    assert "page filtered by a material with no entries" in ledger_bench.report(result)


def test_inbox_bench_times_the_page_and_the_api_against_values():
    result = inbox_bench.run(rows=6, repeats=2)
    assert result["filled"] and set(result["ratios"]) == {"page", "api"}
    assert inbox_bench.inbox_fill(6) is False  # already there: not filled again
    assert "inbox page /approvals/" in inbox_bench.report(result)
