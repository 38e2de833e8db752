"""Supplier claims on the scorecard (#18 item 6, second part): PLACEHOLDER.

``supplier_claim_rows(month)`` is the one place the scorecard (page and workbook) reads the
claims raised against suppliers from. It returns no rows until the SupplierReturn model
(returns, another helper's work) is merged; then it returns, per claim open at any time in
the month, a dict with the keys of ``CLAIM_KEYS``, and the page and the "Claims" sheet show
them without further change.
"""

from datetime import date

from django.utils.translation import gettext_lazy as _

from core.excel import Column

# supplier_code, supplier_name: the supplier; number: the supplier return's slip number;
# state: its label ("open", "closed"); opened: its date; closed: its date or None;
# age_days: days open (up to the month's end while open).
CLAIM_KEYS = ("supplier_code", "supplier_name", "number", "state", "opened", "closed", "age_days")


def supplier_claim_rows(month: date) -> list[dict]:
    """Claims (supplier returns) open or closed in ``month`` and their ages — none yet."""
    return []


def claims_of(month: date, supplier_code: str | None = None) -> list[dict]:
    """The month's claims, of one supplier when ``supplier_code`` is given."""
    rows = supplier_claim_rows(month)
    return [row for row in rows if supplier_code in (None, row["supplier_code"])]


def claim_columns() -> list[Column]:
    return [
        Column(_("Supplier"), 12),
        Column(_("Supplier name"), 28),
        Column(_("Claim"), 16),
        Column(_("State"), 12),
        Column(_("Opened"), 12),
        Column(_("Closed"), 12),
        Column(_("Age (days)"), 10),
    ]


def claim_row(row: dict) -> tuple:
    return tuple(row[key] for key in CLAIM_KEYS)
