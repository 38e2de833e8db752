"""The project's URLs plus two views that fail, for the 500 tests (``tests/api/test_errors.py``)."""

from django.urls import path
from rest_framework.decorators import api_view

from config.urls import urlpatterns as project_urlpatterns


class Boom(Exception):
    """An error no code handles."""


def boom(request):
    raise Boom("unhandled")


@api_view(["GET"])
def api_boom(request):
    raise Boom("unhandled in a DRF view")


urlpatterns = [
    path("api/v1/boom/", api_boom),
    path("api/v1/boom-plain/", boom),
    path("boom/", boom),
    *project_urlpatterns,
]
