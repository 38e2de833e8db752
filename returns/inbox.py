"""What the approval inbox shows of return and replenish requests, as plain rows (issue #17,
item 2): dicts from ``.values()``, a fixed number of queries for any number of requests, no
model instances (building ~1,000 of them per page made Python's garbage collector the
inbox's p95 tail).

The rows are nested the way the shared includes read model instances
(``returns/_request_lines.html``, ``returns/_attachments.html``): ``line.material.code``,
``line.get_condition_display``, ``line.citations.all``, ``attachment.get_absolute_url``, so
the inbox and the request pages draw lines and attachments with the same markup.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Model

from core.lists import url_template
from returns.models import (
    Condition,
    ReplacementCitation,
    ReplenishRequest,
    RequestAttachment,
    RequestKind,
    ReturnRequest,
    Verdict,
)

Row = dict[str, Any]

REQUEST_COLUMNS = (
    "id",
    "number",
    "state",
    "explanation",
    "work_order__number",
    "work_order__planned_qty",
    "reason__code",
    "reason__name",
    "reason__name_zh",
    "applicant__username",
)
LINE_COLUMNS = {
    ReturnRequest: (
        "id",
        "request_id",
        "material__code",
        "material__name",
        "lot__batch_no",
        "serials",
        "quantity",
        "condition",
        "verdict",
        "defect_rate",
        "received_qty",
        "foreign_qty",
        "location__code",
    ),
    ReplenishRequest: (
        "id",
        "request_id",
        "material__code",
        "material__name",
        "quantity",
        "issued_qty",
        "short_qty",
    ),
}
ATTACHMENT_COLUMNS = ("id", "original_name", "content_type", "size", "uploaded_by_id")
ATTACHMENT_OF = {ReturnRequest: "return_request_id", ReplenishRequest: "replenish_request_id"}
KIND = {ReturnRequest: RequestKind.RETURN, ReplenishRequest: RequestKind.REPLENISH}
DRAFT_LABEL = {ReturnRequest: "RT-draft-{}", ReplenishRequest: "RP-draft-{}"}
CONDITIONS, VERDICTS = dict(Condition.choices), dict(Verdict.choices)
# Every key the shared lines include reads, on lines of both kinds: a key missing from a
# dict costs the template a failed lookup, an exception and a ``dir()`` (a third of the
# inbox's rendering time before they were set).
LINE_DEFAULTS = dict.fromkeys(
    (
        "issued_lots",
        "lot",
        "serials",
        "condition",
        "get_condition_display",
        "verdict",
        "get_verdict_display",
        "defect_rate",
        "received_qty",
        "foreign_qty",
        "location",
        "issued_qty",
        "short_qty",
    )
)


def nest(row: Row) -> Row:
    """``{"material__code": c}`` → ``{"material": {"code": c}}``; a relation whose values are
    all empty (a null foreign key) becomes None, as its model attribute would be."""
    nested: Row = {}
    for key, value in row.items():
        relation, _, field = key.partition("__")
        if field:
            nested.setdefault(relation, {})[field] = value
        else:
            nested[key] = value
    for key, value in nested.items():
        if isinstance(value, dict) and all(part is None for part in value.values()):
            nested[key] = None
    return nested


def inbox_requests(model: type[Model], ids: Iterable[int]) -> dict[int, Row]:
    """Request id → what its approver reads: number, work order, reason, applicant, amount
    (replenishments), lines (with their citations) and attachments. Four queries for a
    replenishment, three for a return, whatever the number of ids."""
    ids = list(ids)
    columns = REQUEST_COLUMNS + (("amount",) if model is ReplenishRequest else ())
    requests = {}
    for row in model.objects.filter(id__in=ids).values(*columns):
        request = nest(row)
        request.update(
            kind=KIND[model].value,
            label=request["number"] or DRAFT_LABEL[model].format(request["id"]),
            applicant=request["applicant"]["username"],
            amount=request.get("amount"),
            lines=[],
            attachments=[],
        )
        requests[request["id"]] = request
    for line in request_lines(model, ids):
        requests[line["request_id"]]["lines"].append(line)
    for attachment in request_attachments(model, ids):
        requests[attachment.pop("request_id")]["attachments"].append(attachment)
    return requests


def request_lines(model: type[Model], ids: list[int]) -> list[Row]:
    line_model = model.lines.rel.related_model
    lines = [
        nest(row)
        for row in line_model.objects.filter(request_id__in=ids)
        .order_by("id")
        .values(*LINE_COLUMNS[model])
    ]
    citations = replacement_citations(ids) if model is ReplenishRequest else {}
    conditions = {code: str(label) for code, label in CONDITIONS.items()}
    verdicts = {code: str(label) for code, label in VERDICTS.items()}
    for n, line in enumerate(lines):
        line = lines[n] = LINE_DEFAULTS | line
        if line["condition"]:
            line["get_condition_display"] = conditions.get(line["condition"], "")
            line["get_verdict_display"] = verdicts.get(line["verdict"], "")
        # Read like a related manager (``line.citations.all``) by the shared include.
        line["citations"] = {"all": citations.get(line["id"], [])}
    return lines


def replacement_citations(request_ids: list[int]) -> dict[int, list[Row]]:
    """Replenish line id → the defective return lines it replaces (R-P2)."""
    cited = defaultdict(list)
    rows = (
        ReplacementCitation.objects.filter(replenish_line__request_id__in=request_ids)
        .order_by("id")
        .values("replenish_line_id", "quantity", "return_line__request__number")
    )
    for row in rows:
        number = row["return_line__request__number"]
        cited[row["replenish_line_id"]].append(
            {"quantity": row["quantity"], "return_line": {"request": {"number": number}}}
        )
    return cited


def request_attachments(model: type[Model], ids: list[int]) -> list[Row]:
    """Attachments with their download link, from one reversed URL (no ``reverse`` a row)."""
    request_field = ATTACHMENT_OF[model]
    kind = KIND[model].value
    link = url_template("returns:attachment_download", "pk", "attachment", kind=kind)
    rows = (
        RequestAttachment.objects.filter(**{f"{request_field}__in": ids})
        .order_by("id")
        .values(request_field, *ATTACHMENT_COLUMNS)
    )
    attachments = []
    for row in rows:
        request_id = row.pop(request_field)
        row.update(
            request_id=request_id,
            pk=row["id"],
            kind=kind,
            is_image=row["content_type"].startswith("image/"),
            get_absolute_url=link.format(pk=request_id, attachment=row["id"]),
        )
        attachments.append(row)
    return attachments
