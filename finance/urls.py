"""Finance pages: month-end summaries (mounted at /finance/)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.urls import path, register_converter

from core.months import month_parse
from finance import views
from finance.points import views as points_views


class MonthConverter:
    """``2026-10`` in the URL ↔ the month's first day."""

    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> date:
        try:
            return month_parse(value)
        except ValidationError as error:
            raise ValueError(value) from error  # no such month: the URL does not match (404)

    def to_url(self, value: date) -> str:
        return f"{value:%Y-%m}"


register_converter(MonthConverter, "month")

app_name = "finance"
urlpatterns = [
    path("month-end/", views.month_end_list_view, name="month_end"),
    path("month-end/compute/", views.month_end_compute_view, name="month_end_compute"),
    path("month-end/<month:month>/", views.month_end_detail, name="month_end_detail"),
    path(
        "month-end/<month:month>/confirm/", views.month_end_confirm_view, name="month_end_confirm"
    ),
    path("month-end/<month:month>/reopen/", views.month_end_reopen_view, name="month_end_reopen"),
    path("month-end/<month:month>/workbook/", views.month_end_download, name="month_end_workbook"),
    path("month-end/<month:month>/spot-check/", points_views.spot_check_list, name="spot_check"),
    path(
        "month-end/<month:month>/spot-check/propose/",
        points_views.spot_check_propose_view,
        name="spot_check_propose",
    ),
    path("points/", points_views.points_list, name="points"),
    path("points/record/", points_views.points_record, name="points_record"),
]
