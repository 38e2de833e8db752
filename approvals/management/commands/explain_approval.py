"""Explain who must approve a replenishment, with the same code the real routing uses."""

from argparse import ArgumentTypeError
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from approvals.models import Tier
from approvals.registry import replenish_reasons
from approvals.routing import replenish_route
from core.fields import format_qty
from materials.models import ApprovalClass


def decimal(value):
    try:
        return Decimal(value)
    except InvalidOperation as error:
        raise ArgumentTypeError(f"not a number: {value}") from error


def percent(fraction):
    return f"{format_qty(Decimal(fraction) * 100)} %"


class Command(BaseCommand):
    help = "Explain the approval chain of a replenishment (R-A2…R-A4)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--class", dest="approval_class", required=True, choices=ApprovalClass.values
        )
        parser.add_argument("--order-qty", type=decimal, required=True)
        parser.add_argument("--required-qty", type=decimal, required=True)
        parser.add_argument("--replenish-qty", type=decimal, required=True)
        parser.add_argument("--reason", help="replenish reason code")
        parser.add_argument("--amount", type=decimal, help="amount at standard cost")

    def handle(self, *args, approval_class, reason, **options):
        if reason is not None:
            found = replenish_reasons().filter(code=reason).first()
            if found is None:
                raise CommandError(f"Unknown replenish reason: {reason}")
            reason = found
        try:
            route = replenish_route(
                approval_class=approval_class,
                order_qty=options["order_qty"],
                required_qty=options["required_qty"],
                replenish_qty=options["replenish_qty"],
                reason=reason,
                amount=options["amount"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        cell = route.cell
        limit = f"limit {percent(cell['max_ratio'])}" if cell["max_ratio"] else "above every limit"
        lines = [
            f"Policy version: v{route.policy_version}",
            f"Ratio: {percent(route.as_dict()['ratio'])} (exact {route.ratio})",
            f"Order band: {route.order_band} (class {approval_class})",
            f"Needed tier: {Tier(cell['tier']).label} ({limit})",
            "Chain: " + " → ".join(str(Tier(tier).label) for tier in route.chain),
        ]
        self.stdout.write("\n".join(lines))
