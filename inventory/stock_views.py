"""The warehouse's stock pages: goods receipt (with its labels to print), transfer and
count adjustment. Scan first, check, confirm, then the service the API calls books it."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.idempotency import idempotent_page
from core.templatetags.numbers import qty
from core.views import SERVICE_ERRORS, service_refused
from inventory import services
from inventory.forms import confirm_fields, confirm_stage
from inventory.models import InspectionStatus
from inventory.stock_forms import AdjustmentForm, ReceiptForm, TransferForm

POST_STOCK = "inventory.add_ledgerentry"


def stock_page(request, form, template, book, done, preview, **extra):
    """The two-step page: check → confirm (``preview(data)`` shows what will be booked) →
    ``book(form)`` calls the service; ``done(form, entries)`` is where to go after."""
    stage, status = confirm_stage(request, form), 400 if form.errors else 200
    if stage == "book":
        try:
            entries = book(form)
        except SERVICE_ERRORS as error:
            status = service_refused(request, error, form)
        else:
            return done(form, entries)
    context = {"form": form, **extra}
    if stage == "confirm":
        context.update(preview=preview(form.cleaned_data), hidden=confirm_fields(form))
    return render(request, template, context, status=status)


def actor(request):
    return {"actor": request.user, "device": request.device_id}


def item_preview(data, **places):
    item = data["code"]
    return {
        "material": item.material,
        "lot": item.lot,
        "serials": item.serials,
        "quantity": data["quantity"],
        "posting_date": data["posting_date"],
        **places,
    }


@permission_required(POST_STOCK, raise_exception=True)
@idempotent_page
def receive(request):
    """Goods receipt (``stock_receive``): the lot is created with its expiry, supplier and
    certificate (R-M4, R-S1); afterwards the page offers the lot's labels (R-U2)."""

    def book(form):
        return services.stock_receive(**form.receipt(), **actor(request))

    def done(form, entries):
        data = form.cleaned_data
        messages.success(
            request,
            _("%(doc)s: %(qty)s %(material)s received into %(location)s.")
            % {
                "doc": entries[0].doc_id,
                "qty": qty(data["quantity"]),
                "material": data["material"].code,
                "location": data["location"].code,
            },
        )
        printed = {
            "material": data["material"].code,
            "location": data["location"].code,
            "batch": data["batch_no"],
        }
        return redirect(f"{reverse('stock:receive')}?{urlencode(printed)}")

    def preview(data):
        lots = data["material"].lots.filter(batch_no=data["batch_no"])
        return {
            **data,
            "lot_is_new": bool(data["batch_no"]) and not lots.exists(),
            "inspection": InspectionStatus(data["inspection_status"]).label,
        }

    form = ReceiptForm(request.POST or None)
    printed = request.GET if request.method == "GET" and "material" in request.GET else None
    return stock_page(request, form, "inventory/receive.html", book, done, preview, printed=printed)


@permission_required(POST_STOCK, raise_exception=True)
@idempotent_page
def transfer(request):
    def book(form):
        return services.stock_transfer(**form.transfer(), **actor(request))

    def done(form, entries):
        messages.success(
            request,
            _("%(doc)s: %(qty)s %(material)s moved from %(source)s to %(target)s.")
            % {
                "doc": entries[0].doc_id,
                "qty": qty(form.cleaned_data["quantity"]),
                "material": form.cleaned_data["code"].material.code,
                "source": form.cleaned_data["from_location"].code,
                "target": form.cleaned_data["to_location"].code,
            },
        )
        return redirect("stock:transfer")

    def preview(data):
        return item_preview(data, source=data["from_location"], target=data["to_location"])

    form = TransferForm(request.POST or None)
    return stock_page(request, form, "inventory/transfer.html", book, done, preview)


@permission_required(POST_STOCK, raise_exception=True)
@idempotent_page
def adjust(request):
    def book(form):
        return services.stock_adjust(**form.adjustment(), **actor(request))

    def done(form, entries):
        messages.success(
            request,
            _("%(doc)s: %(material)s in %(location)s adjusted by %(qty)s.")
            % {
                "doc": entries[0].doc_id,
                "qty": qty(form.cleaned_data["quantity"]),
                "material": form.cleaned_data["code"].material.code,
                "location": form.cleaned_data["location"].code,
            },
        )
        return redirect("stock:adjust")

    def preview(data):
        return item_preview(data, target=data["location"], reason=data["reason"])

    form = AdjustmentForm(request.POST or None)
    return stock_page(request, form, "inventory/adjust.html", book, done, preview)
