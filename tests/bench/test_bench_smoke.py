"""The benchmark scripts still run (tiny row counts, no timing asserted): BENCHMARKS.md's
commands must not rot. PostgreSQL only, like the benchmarks (generate_series)."""

import pytest
from openpyxl import load_workbook

from bench import export_bench, inbox_bench, ledger_bench, month_end_bench
from bench.common import ledger_fill

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_month_end_bench_runs_and_agrees_with_sql():
    result = month_end_bench.run(rows=200, repeats=1)
    assert result["totals_agree"] and result["documents"] == 20
    assert "ratio of best runs:" in month_end_bench.report(result)


def test_export_bench_writes_the_same_rows_both_ways(tmp_path):
    ledger_fill(150)
    assert export_bench.ledger_export(tmp_path / "export.xlsx") == 150
    assert export_bench.raw_openpyxl(tmp_path / "raw.xlsx") == 150
    exported = load_workbook(tmp_path / "export.xlsx")["Ledger"]
    raw = load_workbook(tmp_path / "raw.xlsx")["Ledger"]
    assert exported.max_row == 150 + 2 and raw.max_row == 150  # + header and totals


def test_ledger_bench_times_the_page_the_api_and_the_empty_filter():
    result = ledger_bench.run(rows=300, repeats=1)
    assert result["small"] == 30 and set(result["ratios"]) == {"page", "api", "unused_material"}
    assert "page filtered by a material with no entries" in ledger_bench.report(result)


def test_inbox_bench_times_the_page_and_the_api_against_values():
    result = inbox_bench.run(rows=6, repeats=2)
    assert result["filled"] and set(result["ratios"]) == {"page", "api"}
    assert inbox_bench.inbox_fill(6) is False  # already there: not filled again
    assert "inbox page /approvals/" in inbox_bench.report(result)
