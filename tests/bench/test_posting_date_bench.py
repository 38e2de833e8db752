"""bench/posting_date_bench.py still runs (tiny counts, no timing asserted) and checks what it
claims: the back-dated bookings land on their date and leave the later rows as they were."""

import pytest

from bench import posting_date_bench

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_posting_date_bench_books_back_dated_and_leaves_later_rows_alone():
    result = posting_date_bench.run(rows=50, repeats=2)
    assert result["untouched"] and result["balance_agrees"]
    assert result["back_dated_rows"] == 4  # warm-up, two measured, one counted
    assert result["statements"]["back_dated"] == result["statements"]["today"] + 1
    assert "ratio of medians" in posting_date_bench.report(result)
