"""``OPTIONS``: what a route accepts, for every route of the API."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.metadata import SimpleMetadata
from rest_framework.request import clone_request


def names_object(view) -> bool:
    """Whether the URL carries the view's object lookup (``{id}``)."""
    lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", "pk")
    return lookup in getattr(view, "kwargs", {})


class ApiMetadata(SimpleMetadata):
    """DRF's description, except that the object check for PUT runs only where the URL
    names an object: the ERP's upserts (``by-code/{code}/``, ``by-number/{number}/``) name
    none (they create what is missing), and DRF's ``get_object()`` asserts a ``{pk}``."""

    def determine_actions(self, request, view):
        actions = {}
        for method in {"PUT", "POST"} & set(view.allowed_methods):
            view.request = clone_request(request, method)
            try:
                view.check_permissions(view.request)
                if method == "PUT" and names_object(view):
                    view.get_object()
            except (exceptions.APIException, PermissionDenied, Http404):
                continue
            else:
                actions[method] = self.get_serializer_info(view.get_serializer())
            finally:
                view.request = request
        return actions
