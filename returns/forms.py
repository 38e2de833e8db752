"""Page forms for requests, QC and receiving: they parse and check what was typed or scanned;
the services (``returns.services``) decide the rules."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Case, Q, When
from django.template.defaultfilters import filesizeformat
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.formatting import quantity
from inventory.forms import one_field
from inventory.models import Lot
from inventory.scanning import scan_item, scan_location
from materials.models import Material
from returns.debt_selectors import DEBT_RETURN_STATES, returned_qty
from returns.models import (
    Condition,
    DefectKind,
    ReasonCode,
    RequestKind,
    ReturnLine,
    ReturnState,
    Verdict,
)
from returns.selectors import replaced_qty
from returns.services.common import DEFECT_VERDICTS

WORK_ORDER_UNKNOWN = _("No work order %(number)s that you can work on.")
MATERIAL_UNKNOWN = _("Unknown material %(code)s.")
LOT_UNKNOWN = _("Lot %(lot)s of %(material)s is not known here.")
SCAN_OTHER_LINE = _("%(item)s is not the material of this line (%(material)s).")
SCAN_OTHER_LOT = _("Lot %(scanned)s is not the lot of this line (%(lot)s).")
SCAN_OTHER_SERIAL = _("%(item)s is not a serial number of this line.")
ATTACHMENT_HELP = _("JPEG, PNG or PDF, at most %(limit)s each.")
BOOKED_RETURNS = [ReturnState.POSTED, ReturnState.CONFIRMED]


def reason_label(reason):
    """The reason in the user's language (the Chinese name is master data, R-R1)."""
    chinese = get_language() == "zh-hans" and reason.name_zh
    return f"{reason.code} · {chinese or reason.name}"


class WorkOrderForm(forms.Form):
    """Header of a new request: the work order (typed or scanned), reason and explanation."""

    kind = None
    work_order = forms.CharField(label=_("Work order"), max_length=40)
    reason = forms.ModelChoiceField(label=_("Reason"), queryset=ReasonCode.objects.none())
    explanation = forms.CharField(
        label=_("Explanation"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, work_orders, **kwargs):
        super().__init__(*args, **kwargs)
        self.work_orders = work_orders
        self.fields["reason"].queryset = ReasonCode.objects.filter(kind=self.kind, is_active=True)
        self.fields["reason"].label_from_instance = reason_label
        if not self["work_order"].value():  # the first scan is the work order's, then labels
            self.fields["work_order"].widget.attrs["autofocus"] = True

    def clean_work_order(self):
        number = self.cleaned_data["work_order"].strip()
        work_order = self.work_orders.filter(number=number).first()
        if work_order is None:
            raise ValidationError(WORK_ORDER_UNKNOWN % {"number": number})
        return work_order


class ReturnForm(WorkOrderForm):
    kind = RequestKind.RETURN


class ReplenishForm(WorkOrderForm):
    kind = RequestKind.REPLENISH


def material_by_code(code):
    material = Material.objects.select_related("uom").filter(code=code).first()
    if material is None:
        raise ValidationError(MATERIAL_UNKNOWN % {"code": code})
    return material


class ReturnLineForm(forms.Form):
    """One line of a return slip; material, lot and serials come from the scan."""

    material = forms.CharField(widget=forms.HiddenInput)
    lot = forms.CharField(widget=forms.HiddenInput, required=False)
    serials = forms.CharField(widget=forms.HiddenInput, required=False)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=14, decimal_places=4)
    condition = forms.ChoiceField(label=_("Condition"), choices=Condition.choices)
    excess_explanation = forms.CharField(
        label=_("Excess explanation"), max_length=300, required=False
    )

    def clean(self):
        data = super().clean()
        if "material" not in data:
            return data
        material = material_by_code(data["material"])
        lot = None
        if data.get("lot"):
            lot = Lot.objects.filter(material=material, batch_no=data["lot"]).first()
            if lot is None:
                raise ValidationError(LOT_UNKNOWN % {"lot": data["lot"], "material": material.code})
        data["material"], data["lot"] = material, lot
        data["serials"] = [s for s in (data.get("serials") or "").split(",") if s]
        return data


class ReplenishLineForm(forms.Form):
    """One line of a replenishment; for a defect reason it cites the defective return line
    it replaces one-for-one (R-P2)."""

    material = forms.CharField(widget=forms.HiddenInput)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=14, decimal_places=4)
    replaces = forms.ModelChoiceField(
        label=_("Replaces return line"), queryset=ReturnLine.objects.none(), required=False
    )

    def __init__(self, *args, citable=None, **kwargs):
        super().__init__(*args, **kwargs)
        if citable is not None:
            self.fields["replaces"].queryset = citable
        self.fields["replaces"].label_from_instance = citation_label

    def clean(self):
        data = super().clean()
        if "material" in data:
            data["material"] = material_by_code(data["material"])
        return data


CITATION_UNPOSTED = _(
    "%(number)s · %(material)s · %(qty)s defective (%(state)s: replace first, return later)"
)


def citation_label(line):
    if line.request.state not in BOOKED_RETURNS:  # R-P5: the replacement is a debt
        return CITATION_UNPOSTED % {
            "number": line.request.number,
            "material": line.material.code,
            "qty": quantity(returned_qty(line), line.material.uom.code),
            "state": line.request.get_state_display(),
        }
    return _("%(number)s · %(material)s · %(qty)s defective (%(verdict)s)") % {
        "number": line.request.number,
        "material": line.material.code,
        "qty": quantity(line.received_qty, line.material.uom.code),
        "verdict": line.get_verdict_display(),
    }


# A posted row count above the limit is refused without building (and showing) more rows.
LINE_LIMIT = {"extra": 0, "max_num": 200, "absolute_max": 200}
ReturnLineFormSet = forms.formset_factory(ReturnLineForm, **LINE_LIMIT)
ReplenishLineFormSet = forms.formset_factory(ReplenishLineForm, **LINE_LIMIT)


def citable_lines(work_order):
    """Return lines of the work order that a replenishment may cite: defective and booked
    (R-P2), or of a defect return submitted and not yet posted (R-P5)."""
    if work_order is None:
        return ReturnLine.objects.none()
    posted_first = Case(When(request__state__in=BOOKED_RETURNS, then=0), default=1)
    declared = Q(verdict="") & (
        ~Q(request__reason__defect_kind=DefectKind.NONE) | Q(condition=Condition.DEFECTIVE)
    )
    return (
        ReturnLine.objects.select_related("request", "material__uom")
        .filter(request__work_order=work_order)
        .filter(
            Q(request__state__in=BOOKED_RETURNS, verdict__in=DEFECT_VERDICTS)
            | Q(request__state__in=DEBT_RETURN_STATES) & (Q(verdict__in=DEFECT_VERDICTS) | declared)
        )
        .order_by(posted_first, "request_id", "id")
    )


def filled(formset):
    """The valid formset's forms that hold a line (a blank extra row holds none)."""
    return [form for form in formset if form.cleaned_data]


def return_service_lines(formset):
    return [
        {
            "material": form.cleaned_data["material"],
            "lot": form.cleaned_data["lot"],
            "serials": form.cleaned_data["serials"],
            "quantity": form.cleaned_data["quantity"],
            "condition": form.cleaned_data["condition"],
            "excess_explanation": form.cleaned_data["excess_explanation"],
        }
        for form in filled(formset)
    ]


def replenish_service_lines(formset):
    lines = []
    for form in filled(formset):
        data = form.cleaned_data
        replaces = data.get("replaces")
        citations = [{"return_line": replaces, "quantity": data["quantity"]}] if replaces else []
        lines.append(
            {"material": data["material"], "quantity": data["quantity"], "citations": citations}
        )
    return lines


# ---------------------------------------------------------------------------- scanning


def typed(value):
    """Raw posted text as the pages use it unvalidated: with a NUL character (PostgreSQL
    refuses it in a query; form fields refuse it too) it names nothing, like ``""``."""
    return "" if isinstance(value, str) and "\x00" in value else value


def rows_of(formset):
    """The formset's rows as typed so far (not validated), for re-rendering."""
    return [
        {name: typed(form[name].value() or "") for name in form.fields} for form in formset.forms
    ]


def return_rows_scan(rows, code):
    """Add the scanned label to the return lines: the same material and lot fills or counts
    up its line, a serial joins its line; anything else is a new line."""
    item = scan_item(code)
    lot = item.lot.batch_no if item.lot else ""
    for row in rows:
        if row["material"] == item.material.code and row.get("lot", "") == lot:
            serials = [s for s in row.get("serials", "").split(",") if s]
            if item.serials:
                if item.serials[0] in serials:
                    return rows
                row["serials"] = ",".join([*serials, *item.serials])
            row["quantity"] = quantity_plus(row.get("quantity"), item.quantity)
            return rows
    rows.append(
        {
            "material": item.material.code,
            "lot": lot,
            "serials": ",".join(item.serials),
            "quantity": item.quantity if item.quantity is not None else "",
            "condition": Condition.GOOD,
            "excess_explanation": "",
        }
    )
    return rows


def quantity_plus(current, more):
    if more is None:
        return current
    try:
        return Decimal(current or 0) + more
    except ArithmeticError:
        return more


def replenish_rows_scan(rows, code, work_order):
    """Add the scanned material to the replenishment; a defective return line of the same
    material that is not yet replaced fills the line one-for-one (R-P2), a posted one
    first, else one still on its way (replace first, return later, R-P5)."""
    item = scan_item(code)
    if any(row["material"] == item.material.code for row in rows):
        return rows
    row = {"material": item.material.code, "quantity": item.quantity or "", "replaces": ""}
    for line in citable_lines(work_order).filter(material=item.material):
        left = returned_qty(line) - replaced_qty(return_line=line)
        if left > 0:
            row.update(quantity=left, replaces=line.pk)
            break
    rows.append(row)
    return rows


def material_names(rows):
    codes = {row["material"] for row in rows}
    return {m.code: m for m in Material.objects.select_related("uom").filter(code__in=codes)}


# ---------------------------------------------------------------------------- QC and receipt


class VerdictForm(forms.Form):
    """R-R4: the QC verdict of one line."""

    line = forms.IntegerField(widget=forms.HiddenInput)
    verdict = forms.ChoiceField(
        label=_("Verdict"), choices=Verdict.choices, widget=forms.RadioSelect
    )
    defect_rate = forms.DecimalField(
        label=_("Defect rate %"), required=False, min_value=0, max_value=100, decimal_places=2
    )
    qc_note = forms.CharField(label=_("QC note"), max_length=300, required=False)


class PerLineFormSet(forms.BaseFormSet):
    """One form per initial row (a slip's lines), whatever a posted management form says:
    tampered counts are reported but cannot add or drop lines (pages pair forms with lines)."""

    def total_form_count(self):
        return len(self.initial or ())

    def initial_form_count(self):
        return self.total_form_count()


VerdictFormSet = forms.formset_factory(VerdictForm, formset=PerLineFormSet, extra=0, max_num=200)


class ScanSlipForm(forms.Form):
    slip = forms.CharField(label=_("Scan the slip"), max_length=200)


class ReceiptLineForm(forms.Form):
    """What the keeper scanned and counted for one slip line (count check, location)."""

    line = forms.IntegerField(widget=forms.HiddenInput)
    code = forms.CharField(label=_("Scan the line's label"), max_length=200)
    received_qty = forms.DecimalField(
        label=_("Counted"), max_digits=14, decimal_places=4, min_value=0
    )
    foreign_qty = forms.DecimalField(
        label=_("Foreign material"),
        max_digits=14,
        decimal_places=4,
        min_value=0,
        initial=0,
        required=False,
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    receive_note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, slip_line=None, first=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.slip_line = slip_line
        self.fields["code"].widget.attrs["autocomplete"] = "off"
        if first:  # the slip is open: the scanner's next code is its first line's label
            self.fields["code"].widget.attrs["autofocus"] = True

    def clean_code(self):
        item = one_field(scan_item, self.cleaned_data["code"])
        line = self.slip_line
        if line is not None and not item.matches(line.material, line.lot, line.serials):
            raise ValidationError(scan_mismatch(item, line))
        return item

    def clean_location(self):
        code = (self.cleaned_data.get("location") or "").strip()
        return one_field(scan_location, code) if code else None

    def receipt(self):
        data = self.cleaned_data
        return {
            "line": self.slip_line,
            "received_qty": data["received_qty"],
            "foreign_qty": data.get("foreign_qty") or 0,
            "location": data["location"],
            "receive_note": data["receive_note"],
        }


def scan_mismatch(item, line) -> str:
    """Why a scanned label does not count ``line``: another material, another lot of the
    right material, or a serial number not on the line (issue #15)."""
    if item.material.pk != line.material.pk:
        return SCAN_OTHER_LINE % {"item": str(item), "material": line.material.code}
    if item.lot is not None and item.lot != line.lot:
        return SCAN_OTHER_LOT % {
            "scanned": item.lot.batch_no,
            "lot": line.lot.batch_no if line.lot else "—",
        }
    return SCAN_OTHER_SERIAL % {"item": str(item)}


class ReceiptFormSet(PerLineFormSet):
    def __init__(self, *args, slip_lines=(), **kwargs):
        self.slip_lines = list(slip_lines)
        kwargs.setdefault("initial", [{"line": line.pk} for line in self.slip_lines])
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        lines = self.slip_lines
        known = index is not None and index < len(lines)
        return {"slip_line": lines[index] if known else None, "first": index == 0}


ReceiptLineFormSet = forms.formset_factory(
    ReceiptLineForm, formset=ReceiptFormSet, extra=0, max_num=200
)


class LineQuantityForm(forms.Form):
    """A line's new quantity on a draft or rejected request (issue #15)."""

    quantity = forms.DecimalField(label=_("Quantity"), max_digits=14, decimal_places=4)


class LineAddForm(forms.Form):
    """A line added to a draft or rejected request by scanning its label (issue #15)."""

    code = forms.CharField(label=_("Scan or type a code"), max_length=200)
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=14,
        decimal_places=4,
        required=False,
        help_text=_("Empty: the label's quantity."),
    )

    def clean_code(self):
        return typed(self.cleaned_data["code"]).strip()


class RejectionForm(forms.Form):
    """Why the keeper refuses (R-R5) or QC rejects a return: a common cause and a note; the
    applicant reads both."""

    CAUSES = [
        ("mixed", _("Mixed materials or warehouse categories")),
        ("unclear", _("Reason unclear or not matching the material")),
        ("wrong_material", _("Wrong material or lot")),
        ("other", _("Other (explain in the note)")),
    ]
    cause = forms.ChoiceField(label=_("Cause"), choices=CAUSES)
    note = forms.CharField(label=_("Note to the applicant"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("cause") == "other" and not (data.get("note") or "").strip():
            self.add_error("note", _("Explain the cause to the applicant."))
        return data

    def reason(self) -> str:
        """The rejection reason as the applicant reads it: the cause, then the note."""
        data = self.cleaned_data
        cause = str(dict(self.CAUSES)[data["cause"]])
        note = (data.get("note") or "").strip()
        if data["cause"] == "other":
            return note
        return f"{cause}: {note}" if note else cause


class AttachmentForm(forms.Form):
    """A photo or PDF for the approvers; ``returns.services.attachments`` checks type and size."""

    file = forms.FileField(
        label=_("Photo or PDF"),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = filesizeformat(settings.ATTACHMENT_MAX_BYTES)
        self.fields["file"].help_text = ATTACHMENT_HELP % {"limit": limit}
