"""Reads of nonconforming-material records (R-R9) that pages and the API share."""

import django_filters
from django.db.models import QuerySet

from core.lists import SearchFilter
from returns.models import Disposition, NonconformingRecord, NonconformingState

RECORD_RELATED = (
    "return_request",
    "return_line__location",
    "work_order__workshop",
    "applicant",
    "material__uom",
    "lot__supplier",
    "destination",
    "raised_by",
    "disposed_by",
)


def nonconforming_records() -> QuerySet[NonconformingRecord]:
    return NonconformingRecord.objects.select_related(*RECORD_RELATED).order_by("-id")


class NonconformingFilter(django_filters.FilterSet):
    """One FilterSet for the list page and ``/api/v1/nonconforming/``."""

    q = SearchFilter("number", "return_request__number", "material__code", "lot__batch_no")
    state = django_filters.ChoiceFilter(choices=NonconformingState.choices)
    disposition = django_filters.ChoiceFilter(choices=Disposition.choices)
    material = django_filters.CharFilter(field_name="material__code")
    return_request = django_filters.CharFilter(field_name="return_request__number")
    workshop = django_filters.CharFilter(field_name="work_order__workshop__code")

    class Meta:
        model = NonconformingRecord
        fields = ["q", "state", "disposition", "material", "return_request", "workshop"]
