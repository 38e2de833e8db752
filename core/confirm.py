"""Irreversible page actions ask first (issue #15): closing a work order, issuing, withdrawing
a request, posting a return, confirming a month.

The form carries an "I confirm" checkbox naming what will happen (``includes/confirm.html``)
and ``data-confirm`` with the same text. With JavaScript, ``static/js/app.js`` hides the
checkbox, asks with the browser's ``confirm()`` and ticks it when the user agrees; without
JavaScript the user ticks it. The server refuses the POST without it either way, so a stale
form, a double click or a page without the script never books anything unasked. The API
does not ask: its callers (handhelds, the ERP) act deliberately and are idempotent.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

CONFIRM_FIELD = "confirmed"
NOT_CONFIRMED = _("Nothing was done: tick “I confirm” to go ahead.")


def is_confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRM_FIELD) == "1"


def back_url(request: HttpRequest) -> str:
    """The page the form was on (its Referer, if it is ours), else the home page."""
    referer = request.headers.get("Referer", "")
    if url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return "/"


def confirmation_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page's POST without the "I confirm" field does nothing and goes back with a message."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method == "POST" and not is_confirmed(request):
            messages.error(request, NOT_CONFIRMED)
            return redirect(back_url(request))
        return view(request, *args, **kwargs)

    return wrapper
