"""Explain who must approve a replenishment, with the same code the real routing uses.

The ratio is cumulative per work order and material (R-A2 sharpened): give what the order
already has replenished or pending with ``--prior-qty``, or name the work order and material
(``--work-order``, ``--material``) and it is looked up, with the order quantity, the required
quantity and the approval class when they are not given.
"""

from argparse import ArgumentTypeError
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from approvals.models import Tier
from approvals.registry import replenish_reasons, replenished_qty
from approvals.routing import replenish_route
from core.fields import format_qty
from materials.models import ApprovalClass
from workorders.models import WorkOrderLine


def decimal(value):
    try:
        return Decimal(value)
    except InvalidOperation as error:
        raise ArgumentTypeError(f"not a number: {value}") from error


def percent(fraction):
    return f"{format_qty(Decimal(fraction) * 100)} %"


def requirement(number, code):
    """The work order's requirement line for the material, or a command error."""
    if not code:
        raise CommandError("--work-order needs --material (the material's code)")
    found = (
        WorkOrderLine.objects.filter(work_order__number=number, material__code=code)
        .select_related("work_order", "material")
        .first()
    )
    if found is None:
        raise CommandError(f"Work order {number} has no requirement of material {code}")
    return found


class Command(BaseCommand):
    help = "Explain the approval chain of a replenishment (R-A2…R-A4)."

    def add_arguments(self, parser):
        parser.add_argument("--class", dest="approval_class", choices=ApprovalClass.values)
        parser.add_argument("--order-qty", type=decimal)
        parser.add_argument("--required-qty", type=decimal)
        parser.add_argument("--replenish-qty", type=decimal, required=True)
        parser.add_argument(
            "--prior-qty",
            type=decimal,
            help="already replenished or pending on the work order for this material",
        )
        parser.add_argument("--work-order", help="work order number: looks the figures up")
        parser.add_argument("--material", help="material code (with --work-order)")
        parser.add_argument("--reason", help="replenish reason code")
        parser.add_argument("--amount", type=decimal, help="amount at standard cost")

    def handle(self, *args, reason, **options):
        if reason is not None:
            found = replenish_reasons().filter(code=reason).first()
            if found is None:
                raise CommandError(f"Unknown replenish reason: {reason}")
            reason = found
        figures = self.figures(options)
        try:
            route = replenish_route(reason=reason, amount=options["amount"], **figures)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        cell = route.cell
        limit = f"limit {percent(cell['max_ratio'])}" if cell["max_ratio"] else "above every limit"
        shown = route.as_dict()
        lines = [
            f"Policy version: v{route.policy_version}",
            f"Ratio: this request {percent(shown['request_ratio'])}, "
            f"order total {percent(shown['ratio'])} (exact {route.ratio})",
            f"Order total: {format_qty(route.prior_qty + route.request_qty)} of "
            f"{format_qty(route.required_qty)} required ({format_qty(route.prior_qty)} "
            f"already replenished or pending + {format_qty(route.request_qty)} this request)",
            f"Order band: {route.order_band} (class {route.approval_class})",
            f"Needed tier: {Tier(cell['tier']).label} ({limit})",
            "Chain: " + " → ".join(str(Tier(tier).label) for tier in route.chain),
        ]
        self.stdout.write("\n".join(lines))

    def figures(self, options):
        """``replenish_route``'s quantities and class: as given, else from the work order."""
        figures = {
            "approval_class": options["approval_class"],
            "order_qty": options["order_qty"],
            "required_qty": options["required_qty"],
            "replenish_qty": options["replenish_qty"],
            "prior_qty": options["prior_qty"],
        }
        if options["work_order"]:
            line = requirement(options["work_order"], options["material"])
            looked_up = {
                "approval_class": line.material.approval_class,
                "order_qty": line.work_order.planned_qty,
                "required_qty": line.required_qty,
                "prior_qty": replenished_qty(
                    work_order_id=line.work_order_id, material_id=line.material_id
                ),
            }
            figures = {
                name: looked_up[name] if value is None else value for name, value in figures.items()
            }
        figures["prior_qty"] = figures["prior_qty"] or 0
        missing = [
            f"--{name.replace('_', '-')}".replace("approval-class", "class")
            for name, value in figures.items()
            if value is None
        ]
        if missing:
            raise CommandError(f"Give {', '.join(missing)} or --work-order and --material")
        return figures
