"""Browser forms for work-order pages: the list filter and the close-out actions (R-W4)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from materials.models import Material
from workorders.models import SignOffRole, WorkOrderStatus, Workshop


class WorkOrderFilterForm(forms.Form):
    q = forms.CharField(label=_("Number"), required=False, max_length=40)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("all"))] + WorkOrderStatus.choices,
    )
    workshop = forms.ModelChoiceField(
        label=_("Workshop"), required=False, queryset=Workshop.objects.all(), empty_label=_("all")
    )

    def __init__(self, *args, workshops=None, **kwargs):
        super().__init__(*args, **kwargs)
        if workshops is not None:
            self.fields["workshop"].queryset = workshops

    def apply(self, queryset):
        """The work orders matching the valid filters (invalid ones are ignored)."""
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["q"]:
            queryset = queryset.filter(number__icontains=data["q"].strip())
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["workshop"]:
            queryset = queryset.filter(workshop=data["workshop"])
        return queryset


class SignOffForm(forms.Form):
    role = forms.ChoiceField(label=_("Department"), choices=SignOffRole.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class DeclareLeftoverForm(forms.Form):
    material = forms.ModelChoiceField(label=_("Material"), queryset=None)
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
