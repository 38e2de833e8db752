"""Excel exports of the ledger (R-L1) and recall lists (R-L3).

Each export is a form that validates its parameters, a count that estimates its rows, and a
builder that streams rows (``iterator``, ``values_list``) into a constant-memory workbook, so
memory stays flat however long the ledger is.
"""

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.db.models import F, Max, Min, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from core.db import reader
from core.excel import (
    DATE_FORMAT,
    DATE_TIME_FORMAT,
    MONEY_FORMAT,
    QTY_FORMAT,
    Column,
    WallClock,
    money_rounded,
    workbook_new,
)
from core.formatting import label
from finance.selectors import reason_labels
from inventory.models import LedgerEntry, Lot, MovementType, Serial
from materials.models import Location, LocationKind, Material
from reports.forms import DateRangeForm, code_field, day_start
from reports.sheets import Params, Progress, Target, sheet_add
from returns.models import RequestKind
from workorders.models import WorkOrder, WorkOrderStatus
from workorders.selectors import COUNTED_MOVEMENTS, FG_RECEIPT_DOC

CHUNK = 2000
UNKNOWN_MATERIAL = _("Unknown material %(value)s.")
UNKNOWN_LOCATION = _("Unknown location %(value)s.")
UNKNOWN_WORK_ORDER = _("Unknown work order %(value)s.")
UNKNOWN_LOT = _("Unknown lot %(lot)s.")
UNKNOWN_SERIAL = _("Unknown serial number %(serial)s.")
RECALL_ONE_SUBJECT = _("Give exactly one of lot, serial or work order.")
RECALL_NEEDS_MATERIAL = _("Give the material of the lot or serial number.")


# ---------------------------------------------------------------------------- ledger


class LedgerExportForm(DateRangeForm):
    date_from = forms.DateField(label=_("from"), required=False)
    date_to = forms.DateField(label=_("to (inclusive)"), required=False)
    # The day the material really moved (R-L6), both days included.
    posted_from = forms.DateField(label=_("posted from"), required=False)
    posted_to = forms.DateField(label=_("posted up to"), required=False)
    movement_type = forms.ChoiceField(
        label=_("movement type"), choices=[("", "—"), *MovementType.choices], required=False
    )
    material = code_field(Material, "code", UNKNOWN_MATERIAL, label=_("material"))
    location = code_field(Location, "code", UNKNOWN_LOCATION, label=_("location"))
    lot = forms.CharField(label=_("lot"), required=False)
    work_order = code_field(WorkOrder, "number", UNKNOWN_WORK_ORDER, label=_("work order"))

    def clean_lot(self):
        batch_no = self.cleaned_data["lot"]
        if batch_no and not Lot.objects.filter(batch_no=batch_no).exists():
            raise forms.ValidationError(UNKNOWN_LOT, params={"lot": batch_no})
        return batch_no


def ledger_entries(params: Params) -> QuerySet[LedgerEntry]:
    """The ledger rows matching the export's filters, oldest first (from the replica when
    there is one: ``core.db.reader``)."""
    entries = LedgerEntry.objects.using(reader())
    if params.get("date_from"):
        entries = entries.filter(created_at__gte=day_start(params["date_from"]))
    if params.get("date_to"):
        entries = entries.filter(created_at__lt=day_start(params["date_to"] + timedelta(days=1)))
    if params.get("posted_from"):
        entries = entries.filter(posting_date__gte=params["posted_from"])
    if params.get("posted_to"):
        entries = entries.filter(posting_date__lte=params["posted_to"])
    if params.get("movement_type"):
        entries = entries.filter(movement_type=params["movement_type"])
    for name in ("material", "location", "work_order"):
        if params.get(name):
            entries = entries.filter(**{name: params[name]})
    if params.get("lot"):
        entries = entries.filter(lot__batch_no=params["lot"])
    return entries


def movement_columns():
    return [
        Column(_("Time"), 20, DATE_TIME_FORMAT),
        Column(_("Movement"), 18),
        Column(_("Material"), 18),
        Column(_("Name"), 28),
        Column(_("Lot"), 16),
        Column(_("Serial number"), 16),
        Column(_("Location"), 14),
        # no quantity total: a ledger mixes materials, and metres do not add to pieces
        Column(_("Quantity"), 16, QTY_FORMAT),
        Column(_("Unit"), 7),
        Column(_("Amount"), 16, MONEY_FORMAT, total=True),
        Column(_("Document type"), 16),
        Column(_("Document"), 18),
        Column(_("Work order"), 16),
        Column(_("Reason"), 18),
        Column(_("User"), 14),
        Column(_("Device"), 12),
        Column(_("Posting date"), 12, DATE_FORMAT),
    ]


MOVEMENT_FIELDS = (
    "time",
    "movement_type",
    "material__code",
    "material__name",
    "lot__batch_no",
    "serial__serial_no",
    "location__code",
    "quantity",
    "material__uom__code",
    "amount",
    "doc_type",
    "doc_id",
    "work_order__number",
    "reason_code",
    "actor__username",
    "device_id",
    "posting_date",
)


def movement_rows(entries):
    """One row per ledger entry, streamed as plain values (no model instances, so a
    100,000-row export stays close to raw openpyxl: BENCHMARKS.md); amounts at the
    material's standard cost. The database gives local times and rounded amounts, and an
    empty value stays ``None`` (no cell written), so Python only maps codes to labels."""
    movements = {value: str(name) for value, name in MovementType.choices}
    # a document's type by its name: a return, a replenishment, a receipt…
    documents = {
        **movements,
        **{value: str(name) for value, name in RequestKind.choices},
        FG_RECEIPT_DOC: str(_("finished-goods receipt")),
    }
    reasons = reason_labels(entries.db)
    rows = (
        entries.annotate(
            time=WallClock("created_at"),
            amount=money_rounded(F("quantity") * F("material__standard_cost")),
        )
        .order_by("created_at", "id")
        .values_list(*MOVEMENT_FIELDS)
    )
    for (
        time,
        movement_type,
        code,
        name,
        lot,
        serial,
        location,
        quantity,
        unit,
        amount,
        doc_type,
        doc_id,
        work_order,
        reason_code,
        username,
        device_id,
        posting_date,
    ) in rows.iterator(chunk_size=CHUNK):
        yield (
            time,
            movements.get(movement_type, movement_type),
            code,
            name,
            lot,
            serial,
            location,
            quantity,
            unit,
            amount,
            documents.get(doc_type, doc_type),
            doc_id,
            work_order,
            reason_shown(reasons, movement_type, reason_code),
            username,
            device_id or None,
            posting_date,
        )


def reason_shown(reasons: dict, movement_type: str, code: str) -> str | None:
    """A posting's reason by its name (a return's or a replenishment's reason code)."""
    if not code:
        return None
    for kind in (movement_type, "return", "replenish"):
        if (kind, code) in reasons:
            return reasons[(kind, code)][0]
    return code


def ledger_count(params: Params) -> int:
    return ledger_entries(params).count()


def ledger_workbook(params: Params, target: Target, progress: Progress | None = None) -> int:
    """The ledger export; returns the number of rows written."""
    progress = progress or Progress()
    workbook = workbook_new()
    rows = movement_rows(ledger_entries(params))
    sheet_add(workbook, _("Ledger"), movement_columns(), rows, params=params, progress=progress)
    workbook.save(target)
    return progress.done


# ---------------------------------------------------------------------------- recall (R-L3)


class RecallForm(forms.Form):
    """A lot or a serial number (of a material), or a work order."""

    material = code_field(Material, "code", UNKNOWN_MATERIAL, label=_("material"))
    lot = forms.CharField(label=_("lot"), required=False)
    serial = forms.CharField(label=_("serial number"), required=False)
    work_order = code_field(WorkOrder, "number", UNKNOWN_WORK_ORDER, label=_("work order"))

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        given = [name for name in ("lot", "serial", "work_order") if cleaned.get(name)]
        if len(given) != 1:
            raise forms.ValidationError(RECALL_ONE_SUBJECT)
        if given != ["work_order"] and not cleaned.get("material"):
            self.add_error("material", RECALL_NEEDS_MATERIAL)
        elif given == ["lot"]:
            cleaned["lot"] = self.subject(Lot, "batch_no", "lot", UNKNOWN_LOT)
        elif given == ["serial"]:
            cleaned["serial"] = self.subject(Serial, "serial_no", "serial", UNKNOWN_SERIAL)
        return cleaned

    def subject(self, model, field, name, message):
        value = self.cleaned_data[name]
        found = model.objects.filter(material=self.cleaned_data["material"], **{field: value})
        if not found.exists():
            error = forms.ValidationError(message, params={name: value})
            raise forms.ValidationError({name: error})
        return found.get()


def recall_entries(params: Params) -> QuerySet[LedgerEntry]:
    """Every ledger entry of the lot (all its serials), the serial, or the work order."""
    for name in ("lot", "serial", "work_order"):
        if params.get(name):
            return LedgerEntry.objects.using(reader()).filter(**{name: params[name]})
    return LedgerEntry.objects.none()


def counted_sum(movement_type, sign):
    return Sum(F("quantity") * sign, filter=Q(movement_type=movement_type))


def flows(entries, *group_by):
    """Issued / replenished / returned per group, positive from the work order's side."""
    counted = {
        name: counted_sum(movement_type, sign)
        for movement_type, (name, sign) in COUNTED_MOVEMENTS.items()
    }
    return (
        entries.filter(movement_type__in=list(COUNTED_MOVEMENTS))
        .values(*group_by)
        .annotate(**counted, first=WallClock(Min("created_at")), last=WallClock(Max("created_at")))
        .order_by(*group_by)
    )


def flow_columns(*, per_unit: bool = False):
    """The flows; ``per_unit`` where rows mix materials: each row shows its unit and the
    quantities get no total (metres do not add to pieces)."""
    return [
        Column(_("Issued"), 14, QTY_FORMAT, total=not per_unit),
        Column(_("Replenished"), 14, QTY_FORMAT, total=not per_unit),
        Column(_("Returned"), 14, QTY_FORMAT, total=not per_unit),
        Column(_("Net consumed"), 16, QTY_FORMAT, total=not per_unit),
        *([Column(_("Unit"), 7)] if per_unit else []),
        Column(_("First movement"), 20, DATE_TIME_FORMAT),
        Column(_("Last movement"), 20, DATE_TIME_FORMAT),
    ]


def flow_values(row, *units):
    """The flow figures of ``row``, then ``units`` (the unit column, where there is one)."""
    issued, replenished, returned = (
        row[name] or Decimal(0) for name in ("issued", "replenished", "returned")
    )
    return (
        issued,
        replenished,
        returned,
        issued + replenished - returned,
        *units,
        row["first"],
        row["last"],
    )


def work_order_rows(entries):
    rows = flows(
        entries.filter(work_order__isnull=False),
        "work_order__number",
        "work_order__product__code",
        "work_order__workshop__code",
        "work_order__status",
    )
    for row in rows.iterator(chunk_size=CHUNK):
        yield (
            row["work_order__number"],
            row["work_order__product__code"],
            row["work_order__workshop__code"],
            label(WorkOrderStatus.choices, row["work_order__status"]),
            *flow_values(row),
        )


def work_order_columns():
    return [
        Column(_("Work order"), 16),
        Column(_("Product"), 16),
        Column(_("Workshop"), 12),
        Column(_("Status"), 14),
        *flow_columns(),
    ]


def location_rows(entries):
    """Where it is now: Σ ledger per location, nonzero (equals the balances, R-L2)."""
    rows = (
        entries.values("location__code", "location__warehouse__code", "location__kind")
        .annotate(on_hand=Sum("quantity"))
        .exclude(on_hand=0)
        .order_by("location__code")
    )
    for row in rows.iterator(chunk_size=CHUNK):
        yield (
            row["location__code"],
            row["location__warehouse__code"],
            label(LocationKind.choices, row["location__kind"]),
            row["on_hand"],
        )


def location_columns():
    return [
        Column(_("Location"), 14),
        Column(_("Warehouse"), 14),
        Column(_("Kind"), 16),
        Column(_("On hand"), 16, QTY_FORMAT, total=True),
    ]


def consumed_lot_rows(entries):
    """For a work order: every lot it consumed (R-L3)."""
    rows = flows(
        entries,
        "material__code",
        "material__name",
        "lot__batch_no",
        "lot__expiry_date",
        "lot__supplier__name",
        "material__uom__code",
    )
    for row in rows.iterator(chunk_size=CHUNK):
        yield (
            row["material__code"],
            row["material__name"],
            row["lot__batch_no"],
            row["lot__expiry_date"],
            row["lot__supplier__name"],
            *flow_values(row, row["material__uom__code"]),
        )


def consumed_lot_columns():
    return [
        Column(_("Material"), 18),
        Column(_("Name"), 28),
        Column(_("Lot"), 16),
        Column(_("Expiry"), 12, DATE_FORMAT),
        Column(_("Supplier"), 20),
        *flow_columns(per_unit=True),
    ]


def recall_count(params: Params) -> int:
    return recall_entries(params).count()


def recall_workbook(params: Params, target: Target, progress: Progress | None = None) -> int:
    """R-L3 recall list: the movements timeline, then the work orders the lot or serial went
    to and where it is now; for a work order, every lot it consumed."""
    progress = progress or Progress()
    workbook = workbook_new()
    entries = recall_entries(params)
    sheets = [(_("Movements"), movement_columns(), movement_rows(entries))]
    if params.get("work_order"):
        sheets.append((_("Lots consumed"), consumed_lot_columns(), consumed_lot_rows(entries)))
    else:
        sheets.append((_("Work orders"), work_order_columns(), work_order_rows(entries)))
        sheets.append((_("Locations now"), location_columns(), location_rows(entries)))
    for title, columns, rows in sheets:
        sheet_add(workbook, title, columns, rows, params=params, progress=progress)
    workbook.save(target)
    return progress.done
