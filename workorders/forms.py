"""Browser forms for work-order pages: the list filter, the production steps (output,
finished-goods receipt) and the close-out actions (R-W4). They parse; services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from inventory.forms import (
    one_field,
    posting_date_field,
    quantity_field,
    serial_list,
    serials_field,
)
from inventory.scanning import ScannedItem, scan_item, scan_location, source_location
from inventory.selectors import fefo_suggestion
from inventory.stock_forms import item_field
from materials.models import Bom, Material, TrackingMode
from org.models import Workshop
from workorders.models import ProductionLine, SignOffRole, WorkOrder
from workorders.services.issuing import IssueLine

MATERIAL_UNKNOWN = _("Unknown material %(code)s.")
BOM_UNKNOWN = _("Product %(product)s has no BOM version %(version)s.")


class SignOffForm(forms.Form):
    role = forms.ChoiceField(label=_("Department"), choices=SignOffRole.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class DeclareLeftoverForm(forms.Form):
    """R-W6: a leftover declared consumed, with the quantity used up."""

    material = forms.ModelChoiceField(label=_("Material"), queryset=None)
    quantity = quantity_field(_("Quantity consumed"))
    note = forms.CharField(
        label=_("How was the leftover consumed?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, work_order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"].queryset = Material.objects.filter(
            pk__in=work_order.lines.values("material_id")
        ).order_by("code")


class CarryOverForm(forms.Form):
    """R-W6: a leftover registered for next use on a later order of the same material; the
    service checks the order and the quantities."""

    material = forms.ModelChoiceField(label=_("Material"), queryset=None)
    to_work_order = forms.ModelChoiceField(label=_("Next work order"), queryset=None)
    quantity = quantity_field(_("Quantity to carry over"))

    def __init__(self, *args, work_order, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"].queryset = Material.objects.filter(
            pk__in=work_order.lines.values("material_id")
        )
        # Any work order parses (the service says why a wrong one is refused); the list
        # offers the orders that can take it, with what each still needs.
        self.fields["to_work_order"].queryset = WorkOrder.objects.exclude(pk=work_order.pk)
        self.fields["to_work_order"].choices = [("", "—")] + [
            (
                row["work_order"].pk,
                _("%(number)s (needs %(remaining)s)")
                % {"number": row["work_order"].number, "remaining": row["remaining_text"]},
            )
            for row in targets
        ]


class ReportOutputForm(forms.Form):
    good_qty = quantity_field(_("Good quantity"), min_value=0)
    scrap_qty = quantity_field(_("Scrap quantity"), min_value=0, required=False, initial=0)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def clean_scrap_qty(self):
        return self.cleaned_data["scrap_qty"] or 0


class ReceiveOutputForm(forms.Form):
    """Finished goods into a location; batch and serial fields only for a product tracked
    that way (R-M4)."""

    location = forms.CharField(
        label=_("Location"),
        max_length=200,
        help_text=_("Scan the location label or type its code."),
    )
    quantity = quantity_field(_("Quantity"))
    batch_no = forms.CharField(label=_("Batch number"), max_length=64, required=False)
    serials = serials_field()

    def __init__(self, *args, work_order, **kwargs):
        super().__init__(*args, **kwargs)
        tracking = work_order.product.tracking
        if tracking == TrackingMode.NONE:
            del self.fields["batch_no"]
        if tracking != TrackingMode.SERIAL:
            del self.fields["serials"]

    def clean_location(self):
        return one_field(scan_location, self.cleaned_data["location"].strip())

    def clean_serials(self):
        return serial_list(self.cleaned_data["serials"])


class IssueForm(forms.Form):
    """One scanned label issued to a work order (领料, R-W3): the quantity defaults to the
    label's, a lot-less scan of a batch material takes the FEFO pick, the location defaults
    to the pick or the one usable location holding enough (as the handheld's issue-scan)."""

    code = item_field(first=True)
    quantity = quantity_field(
        _("Quantity"), required=False, help_text=_("Empty: the quantity on the label.")
    )
    location = forms.CharField(
        label=_("From location"),
        max_length=200,
        required=False,
        help_text=_("Empty: the suggested location."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)
    posting_date = posting_date_field()

    def clean_code(self):
        return one_field(scan_item, self.cleaned_data["code"].strip())

    def clean_location(self):
        code = self.cleaned_data["location"].strip()
        return one_field(scan_location, code) if code else None

    def clean(self):
        data = super().clean()
        item = data.get("code")
        if item is None or "quantity" in self.errors or "location" in self.errors:
            return data
        quantity = item.quantity_or(data.get("quantity"))
        lot, location = item.lot, data.get("location")
        data["fefo_picked"] = False
        if lot is None and not item.serials and item.material.tracking != TrackingMode.NONE:
            picks, _shortfall = fefo_suggestion(material=item.material, quantity=quantity)
            if picks and picks[0]["quantity"] >= quantity:
                lot, data["fefo_picked"] = picks[0]["lot"], True
                location = location or picks[0]["location"]
        if location is None:
            scanned = ScannedItem(item.material, lot, item.serials, quantity)
            location = source_location(scanned, quantity)
        data["line"] = IssueLine(item.material, quantity, location, lot, item.serials)
        return data


class WorkOrderCreateForm(forms.Form):
    """A work order planned here, for plants without an ERP (R-W1): the product by code, its
    BOM version, the quantity and the workshop; the service checks the plan."""

    number = forms.CharField(
        label=_("Number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    product = forms.CharField(
        label=_("Product"),
        max_length=200,
        help_text=_("Scan the product's label or type its code."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    bom_version = forms.IntegerField(label=_("BOM version"), min_value=1, max_value=2**31 - 1)
    planned_qty = quantity_field(_("Planned quantity"))
    workshop = forms.ModelChoiceField(label=_("Workshop"), queryset=Workshop.objects.none())
    line = forms.ModelChoiceField(
        label=_("Line"), queryset=ProductionLine.objects.none(), required=False
    )
    planned_start = forms.DateField(
        label=_("Planned start"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    planned_end = forms.DateField(
        label=_("Planned end"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, workshops, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workshop"].queryset = workshops
        if len(workshops) == 1:
            self.fields["workshop"].initial = workshops[0]
        self.fields["line"].queryset = ProductionLine.objects.filter(
            workshop__in=workshops
        ).order_by("code")

    def clean_product(self):
        code = self.cleaned_data["product"].strip()
        product = Material.objects.filter(code=code.removeprefix("M:")).first()
        if product is None:
            raise forms.ValidationError(MATERIAL_UNKNOWN % {"code": code})
        return product

    def clean(self):
        data = super().clean()
        product, version = data.get("product"), data.get("bom_version")
        if product is None or version is None:
            return data
        data["bom"] = Bom.objects.filter(product=product, version=version).first()
        if data["bom"] is None:
            self.add_error(
                "bom_version", BOM_UNKNOWN % {"product": product.code, "version": version}
            )
        return data

    def plan(self):
        """The service's keyword arguments."""
        data = dict(self.cleaned_data)
        data.pop("bom_version")
        return data
