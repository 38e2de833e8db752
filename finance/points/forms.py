"""Forms of the points pages: they parse; the services in ``finance.points`` decide."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from finance.models import Behaviour
from org.models import Workshop


class PersonField(forms.CharField):
    """A user by username; empty is nobody."""

    def clean(self, value):
        value = super().clean(value).strip()
        if not value:
            return None
        person = get_user_model().objects.filter(username=value).first()
        if person is None:
            raise forms.ValidationError(_("No user %(name)s.") % {"name": value})
        return person


class PointRecordForm(forms.Form):
    behaviour = forms.ChoiceField(label=_("Behaviour"), choices=Behaviour.choices)
    source_number = forms.CharField(
        label=_("Document"), max_length=64, help_text=_("The slip or work order concerned.")
    )
    workshop = forms.ModelChoiceField(label=_("Workshop"), queryset=Workshop.objects.all())
    person = PersonField(label=_("Person (username)"), required=False, max_length=150)
    team = forms.CharField(label=_("Team"), required=False, max_length=100)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    used = forms.BooleanField(label=_("The material was used"), required=False, initial=True)
    points = forms.IntegerField(
        label=_("Points"),
        required=False,
        min_value=0,
        max_value=1000,
        help_text=_("Only where the table leaves the number to management."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    evidence = forms.FileField(label=_("Evidence"), required=False)


class ProposalForm(forms.Form):
    document_number = forms.CharField(widget=forms.HiddenInput, max_length=64)
    behaviour = forms.ChoiceField(label=_("Behaviour"), choices=Behaviour.choices)
    person = PersonField(label=_("Person (username)"), required=False, max_length=150)
    points = forms.IntegerField(
        label=_("Points"),
        required=False,
        min_value=0,
        max_value=1000,
        help_text=_("Only where the table leaves the number to management."),
    )
    note = forms.CharField(
        label=_("Finding"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
