"""What the approval inbox shows of supplier returns (R-S2), as plain rows shaped like the
request rows of ``returns.inbox`` (the same includes draw them): the supplier stands where
a request shows its reason, and there is no work order. Two queries for any number of ids."""

from collections.abc import Iterable

from returns.inbox import LINE_DEFAULTS, Row, nest
from returns.models import SupplierReturn, SupplierReturnLine

COLUMNS = (
    "id",
    "number",
    "state",
    "reason",
    "claim_amount",
    "supplier__code",
    "supplier__name",
    "applicant__username",
)
LINE_COLUMNS = (
    "id",
    "supplier_return_id",
    "material__code",
    "material__name",
    "lot__batch_no",
    "serials",
    "quantity",
    "location__code",
)


def inbox_supplier_returns(ids: Iterable[int]) -> dict[int, Row]:
    ids = list(ids)
    rows = {}
    for row in SupplierReturn.objects.filter(id__in=ids).values(*COLUMNS):
        supplier = {"code": row["supplier__code"], "name": row["supplier__name"], "name_zh": ""}
        rows[row["id"]] = {
            "kind": "supplier_return",
            "id": row["id"],
            "number": row["number"],
            "label": row["number"],
            "state": row["state"],
            "explanation": row["reason"],
            "reason": supplier,
            "work_order": {"number": "", "planned_qty": None},
            "applicant": row["applicant__username"],
            "amount": row["claim_amount"],
            "lines": [],
            "attachments": [],
        }
    lines = SupplierReturnLine.objects.filter(supplier_return_id__in=ids).order_by("id")
    for line in lines.values(*LINE_COLUMNS):
        line = LINE_DEFAULTS | nest(line)
        line["citations"] = {"all": []}
        rows[line.pop("supplier_return_id")]["lines"].append(line)
    return rows
