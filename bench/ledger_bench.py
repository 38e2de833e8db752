"""The stock ledger page and API over N ledger rows (issue #17), each timed against the bare
``.values()`` of the same page in the same run, plus the page filtered by a material that
has no entries, at a tenth of the rows and at all of them (it must stay flat).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mr_bench \\
        .venv/bin/python bench/ledger_bench.py --rows 1000000

Targets: page and API ≤ 1.5× the ``.values()`` page; the empty material filter at N rows
≤ 1.5× the same filter at N/10 rows. Requests go through Django's test client in this
process (middleware, session, template or serializer included; no HTTP server).
"""

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import interleaved, ledger_fill, machine, script_main  # noqa: E402

PAGE_TARGET, FLAT_TARGET = 1.5, 1.5
PAGE_SIZE = 50
UNUSED_MATERIAL = "B-UNUSED"
# What a ledger row shows, codes included: the baseline reads exactly these.
COLUMNS = (
    "id",
    "created_at",
    "movement_type",
    "quantity",
    "doc_type",
    "doc_id",
    "material__code",
    "material__name",
    "lot__batch_no",
    "serial__serial_no",
    "location__code",
    "work_order__number",
    "actor__username",
)


def client():
    """A logged-in client of a plant-wide user (every ledger row is visible)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(
        username="bench-ledger", defaults={"is_superuser": True, "is_staff": True}
    )
    browser = Client(HTTP_HOST="localhost")
    browser.force_login(user)
    return browser


def unused_material():
    """A material with no ledger entries (the filter that used to walk the whole index)."""
    from materials.models import Material

    template = Material.objects.filter(code__startswith="B-").first()
    Material.objects.get_or_create(
        code=UNUSED_MATERIAL,
        defaults={
            "name": "never moved",
            "uom": template.uom,
            "category": template.category,
            "approval_class": template.approval_class,
            "warehouse_category": template.warehouse_category,
        },
    )


def values_page():
    from inventory.models import LedgerEntry

    return list(LedgerEntry.objects.order_by("-id").values(*COLUMNS)[:PAGE_SIZE])


def measures(browser):
    """name → a callable doing one measured thing (each checked once for its answer)."""

    def get(url, params=None):
        def call():
            response = browser.get(url, params or {})
            assert response.status_code == 200, (url, response.status_code)
            if not response.streaming:
                response.content  # noqa: B018 - rendered, like a server would
            return response

        return call

    return {
        "values": values_page,
        "page": get("/stock/ledger/"),
        "api": get("/api/v1/ledger/", {"page_size": PAGE_SIZE}),
        "unused_material": get("/stock/ledger/", {"material": UNUSED_MATERIAL}),
    }


def run(*, rows, repeats):
    """Fill to rows/10, time the empty filter; fill to rows, time everything."""
    browser = client()
    small = max(rows // 10, 1)
    ledger_fill(small)
    unused_material()
    small_runs = interleaved({"unused_material": measures(browser)["unused_material"]}, repeats)
    filled = ledger_fill(rows)
    full_runs = interleaved(measures(browser), repeats)
    best = {name: min(times) for name, times in full_runs.items()}
    median = {name: statistics.median(times) for name, times in full_runs.items()}
    small_best = min(small_runs["unused_material"])
    ratios = {
        "page": best["page"] / best["values"],
        "api": best["api"] / best["values"],
        "unused_material": best["unused_material"] / small_best,
    }
    return {
        "rows": rows,
        "small": small,
        "filled": filled,
        "repeats": repeats,
        "best": best,
        "median": median,
        "small_best": small_best,
        "ratios": ratios,
        "passed": ratios["page"] <= PAGE_TARGET
        and ratios["api"] <= PAGE_TARGET
        and ratios["unused_material"] <= FLAT_TARGET,
    }


def report(result):
    ms = {name: f"{seconds * 1000:.1f} ms" for name, seconds in result["best"].items()}
    med = {name: f"{seconds * 1000:.1f}" for name, seconds in result["median"].items()}
    ratios = result["ratios"]
    return "\n".join(
        [
            f"machine: {machine()}",
            f"ledger rows: {result['rows']:,} (small run: {result['small']:,}); "
            f"best of {result['repeats']} (median in brackets), interleaved",
            f".values() of a {PAGE_SIZE}-row page: {ms['values']} [{med['values']}]",
            f"ledger page /stock/ledger/: {ms['page']} [{med['page']}] -> "
            f"{ratios['page']:.2f}x (target <= {PAGE_TARGET}x)",
            f"ledger API /api/v1/ledger/: {ms['api']} [{med['api']}] -> "
            f"{ratios['api']:.2f}x (target <= {PAGE_TARGET}x)",
            f"page filtered by a material with no entries: "
            f"{result['small_best'] * 1000:.1f} ms at {result['small']:,} rows, "
            f"{ms['unused_material']} at {result['rows']:,} -> "
            f"{ratios['unused_material']:.2f}x (target <= {FLAT_TARGET}x)",
            f"verdict: {'PASS' if result['passed'] else 'FAIL'}",
        ]
    )


def main():
    script_main(__doc__, run, report, repeats=15)


if __name__ == "__main__":
    main()
