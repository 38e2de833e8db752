"""Page forms of the approval inbox."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), max_length=500, required=False, widget=forms.TextInput
    )


class BulkApproveForm(forms.Form):
    steps = forms.TypedMultipleChoiceField(coerce=int, choices=(), label=_("Steps"))
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)

    def __init__(self, *args, step_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["steps"].choices = [(pk, pk) for pk in step_ids]
