"""Page forms for the warehouse's own stock documents: goods receipt, transfer and count
adjustment. Scan fields come first; they parse, ``inventory.services`` decide the rules."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from inventory.forms import (
    one_field,
    posting_date_field,
    quantity_field,
    serial_list,
    serials_field,
)
from inventory.models import InspectionStatus, Lot
from inventory.scanning import resolved, scan_item, scan_location
from materials.models import Material, Supplier

NOT_RECEIVABLE = _("%(code)s is not a material label or a supplier's GS1 label.")
QUANTITY_NEEDED = _("Give the quantity: the label of %(material)s does not carry one.")
SCAN = {"autocomplete": "off"}


def scan_widget(first=False):
    return forms.TextInput(attrs={**SCAN, "autofocus": True} if first else SCAN)


def location_field(label, **kwargs):
    return forms.CharField(
        label=label,
        max_length=200,
        help_text=_("Scan the location label or type its code."),
        widget=scan_widget(),
        **kwargs,
    )


def item_field(first=False):
    return forms.CharField(
        label=_("Scan the label"),
        max_length=200,
        help_text=_("Lot, serial or material label, or the supplier's GS1 label."),
        widget=scan_widget(first),
    )


def receipt_scan(code):
    """The material a receipt's scan names, with what a GS1 label carries (batch, expiry,
    quantity, serial) — a new batch is expected here, unlike ``scan_item``."""
    result = resolved(code, "code")
    if result["type"] not in {"material", "lot", "gs1"}:
        raise ValidationError(NOT_RECEIVABLE % {"code": code})
    material = Material.objects.select_related("uom").get(code=result["material"]["code"])
    gs1 = result.get("gs1") or {}
    batch_no = result["lot"]["batch_no"] if result["type"] == "lot" else gs1.get("batch_no")
    return {
        "material": material,
        "batch_no": batch_no or "",
        "expiry_date": gs1.get("expiry_date"),
        "quantity": Decimal(gs1["quantity"]) if gs1.get("quantity") else None,
        "serials": [gs1["serial_no"]] if gs1.get("serial_no") else [],
    }


class ReceiptForm(forms.Form):
    """Purchased stock into a location, creating its lot (R-M4, R-S1): what the scanned
    label does not say is typed in."""

    code = forms.CharField(
        label=_("Scan the material"),
        max_length=200,
        help_text=_("Material label, material code or the supplier's GS1 label."),
        widget=scan_widget(first=True),
    )
    location = location_field(_("Into location"))
    quantity = quantity_field(
        _("Quantity"), required=False, help_text=_("Empty: the quantity on the label.")
    )
    batch_no = forms.CharField(label=_("Batch number"), max_length=64, required=False)
    production_date = forms.DateField(
        label=_("Production date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    expiry_date = forms.DateField(
        label=_("Expiry date"),
        required=False,
        help_text=_("Empty: the production date plus the material's shelf life."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    supplier = forms.ModelChoiceField(
        label=_("Supplier"),
        queryset=Supplier.objects.filter(is_active=True),
        to_field_name="code",
        required=False,
    )
    certificate_no = forms.CharField(label=_("Certificate number"), max_length=64, required=False)
    inspection_status = forms.ChoiceField(
        label=_("Inspection status"),
        choices=InspectionStatus.choices,
        initial=InspectionStatus.PENDING,
    )
    serials = serials_field()
    reference = forms.CharField(
        label=_("Delivery note / purchase order"), max_length=100, required=False
    )
    posting_date = posting_date_field()

    def clean_code(self):
        return one_field(receipt_scan, self.cleaned_data["code"].strip())

    def clean_location(self):
        return one_field(scan_location, self.cleaned_data["location"].strip())

    def clean_serials(self):
        return serial_list(self.cleaned_data["serials"])

    def clean(self):
        data = super().clean()
        scanned = data.get("code")
        if scanned is None:
            return data
        data["material"] = scanned["material"]
        data["batch_no"] = (data.get("batch_no") or "").strip() or scanned["batch_no"]
        data["expiry_date"] = data.get("expiry_date") or scanned["expiry_date"]
        data["serials"] = data.get("serials") or scanned["serials"]
        if data.get("quantity") is None and "quantity" not in self.errors:
            data["quantity"] = scanned["quantity"]
            if data["quantity"] is None:
                self.add_error("quantity", QUANTITY_NEEDED % {"material": scanned["material"]})
        return data

    def receipt(self):
        """The keyword arguments of ``stock_receive``."""
        data = self.cleaned_data
        lot_fields = {
            name: data[name]
            for name in (
                "production_date",
                "expiry_date",
                "supplier",
                "certificate_no",
                "inspection_status",
            )
        }
        return {
            "material": data["material"],
            "location": data["location"],
            "quantity": data["quantity"],
            "batch_no": data["batch_no"],
            "lot_fields": lot_fields if data["batch_no"] else None,
            "serials": data["serials"],
            "reference": data["reference"],
            "posting_date": data["posting_date"],
        }


class ScannedItemForm(forms.Form):
    """What the transfer and the adjustment share: a scanned item and its quantity."""

    def clean_code(self):
        return one_field(scan_item, self.cleaned_data["code"].strip())

    def item_quantity(self, data):
        item = data["code"]
        return item.quantity_or(data.get("quantity"))

    def item_fields(self):
        data = self.cleaned_data
        item = data["code"]
        return {
            "material": item.material,
            "lot": item.lot,
            "serials": list(item.serials),
            "posting_date": data["posting_date"],
        }


class TransferForm(ScannedItemForm):
    from_location = location_field(_("From location"))
    code = item_field()
    to_location = location_field(_("To location"))
    quantity = quantity_field(
        _("Quantity"), required=False, help_text=_("Empty: the quantity on the label.")
    )
    remark = forms.CharField(label=_("Remark"), max_length=200, required=False)
    posting_date = posting_date_field()

    field_order = ["from_location", "code", "to_location", "quantity", "remark", "posting_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_location"].widget.attrs["autofocus"] = True

    def clean_from_location(self):
        return one_field(scan_location, self.cleaned_data["from_location"].strip())

    def clean_to_location(self):
        return one_field(scan_location, self.cleaned_data["to_location"].strip())

    def clean(self):
        data = super().clean()
        if "code" in data and "quantity" not in self.errors:
            data["quantity"] = self.item_quantity(data)
        return data

    def transfer(self):
        data = self.cleaned_data
        return {
            **self.item_fields(),
            "from_location": data["from_location"],
            "to_location": data["to_location"],
            "quantity": data["quantity"],
            "remark": data["remark"],
        }


class AdjustmentForm(ScannedItemForm):
    location = location_field(_("Location"))
    code = item_field()
    quantity = quantity_field(
        _("Quantity"), help_text=_("Signed: negative writes stock off, positive adds found stock.")
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 2})
    )
    posting_date = posting_date_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].widget.attrs["autofocus"] = True

    def clean_location(self):
        return one_field(scan_location, self.cleaned_data["location"].strip())

    def adjustment(self):
        data = self.cleaned_data
        return {
            **self.item_fields(),
            "location": data["location"],
            "quantity": data["quantity"],
            "reason": data["reason"],
        }


# Lots QC still has to decide on, and what QC decides (a failed lot is never issued).
AWAITING = (InspectionStatus.PENDING, InspectionStatus.QUARANTINE)
INSPECTION_DECISIONS = (InspectionStatus.PASSED, InspectionStatus.FAILED)


class InspectionForm(forms.Form):
    """QC's decision on one lot waiting for inspection (R-M4): passed or failed."""

    lot = forms.ModelChoiceField(queryset=Lot.objects.filter(inspection_status__in=AWAITING))
    status = forms.ChoiceField(
        choices=[(status.value, status.label) for status in INSPECTION_DECISIONS]
    )
