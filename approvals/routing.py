"""Who must approve: the matrix lookup (R-A2), the tiered chain (R-A3) and the extra steps
of R-A4. Pure reads; the preview endpoint, ``explain_approval`` and real routing all use
``replenish_route`` so they can never disagree.

The ratio is cumulative per work order and material (R-A2 sharpened): what the order already
has replenished or pending (``prior_qty``, from ``approvals.registry.replenished_qty``) plus
this request, ÷ what the order needs — splitting a request never lowers the approver. Each
route keeps this request's share too, for the people who read it."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from approvals.models import MATRIX_CHAIN, MatrixCell, OrderBand, PolicyVersion, Tier
from approvals.registry import extra_tiers
from core.formatting import percent, quantity

NO_POLICY = _("No active approval policy: an administrator must publish one.")
REQUIRED_POSITIVE = _("The order's required quantity must be greater than zero.")
# Extra steps come after the matrix chain, in this order.
EXTRA_ORDER = [
    Tier.SUPERVISOR,
    Tier.TECHNICAL,
    Tier.MATERIAL_CONTROL,
    Tier.MC_SUPERVISOR,
    Tier.DEPUTY_GM,
]
RATIO_DISPLAY = Decimal("0.0001")
QTY_DISPLAY = Decimal("0.0001")
CLASS = _("Class %(approval_class)s")
ORDER_UP_TO = _("order ≤ %(limit)s")
LARGER_ORDERS = _("larger orders")
UP_TO = _("%(tier)s up to %(limit)s")
ABOVE_EVERY_LIMIT = _("%(tier)s above every limit")
REQUEST_AND_TOTAL = _("this request %(request)s, order total %(total)s")


@dataclass
class Route:
    ratio: Decimal
    order_band: str
    approval_class: str
    chain: list
    policy_version: int
    cell: dict = field(default_factory=dict)
    band_limit: Decimal | None = None
    request_qty: Decimal = Decimal("0")
    prior_qty: Decimal = Decimal("0")
    required_qty: Decimal = Decimal("0")

    @property
    def request_ratio(self) -> Decimal:
        """This request's own share of the order's need (its ``ratio`` is the running total)."""
        return self.request_qty / self.required_qty

    def as_dict(self) -> dict[str, Any]:
        return {
            "ratio": str(self.ratio.quantize(RATIO_DISPLAY)),
            "request_ratio": str(self.request_ratio.quantize(RATIO_DISPLAY)),
            "request_qty": str(self.request_qty.quantize(QTY_DISPLAY)),
            "prior_qty": str(self.prior_qty.quantize(QTY_DISPLAY)),
            "cumulative_qty": str((self.prior_qty + self.request_qty).quantize(QTY_DISPLAY)),
            "required_qty": str(self.required_qty.quantize(QTY_DISPLAY)),
            "order_band": self.order_band,
            "order_band_limit": None if self.band_limit is None else str(self.band_limit),
            "approval_class": self.approval_class,
            "chain": [str(t) for t in self.chain],
            "policy_version": self.policy_version,
            "cell": self.cell,
        }


def active_policy() -> PolicyVersion:
    policy = PolicyVersion.objects.filter(is_active=True).order_by("-version").first()
    if policy is None:
        raise ValidationError(NO_POLICY)
    return policy


def order_band(policy: PolicyVersion, order_qty: Decimal) -> OrderBand:
    """The first band whose inclusive upper bound holds the order quantity."""
    for band in policy.bands.all():
        if band.upper_bound is None or order_qty <= band.upper_bound:
            return band
    raise ValidationError(NO_POLICY)


def needed_tier(
    policy: PolicyVersion, approval_class: str, band: OrderBand, ratio: Decimal
) -> tuple[str, dict[str, str | None]]:
    """The lowest chain tier whose limit covers ``ratio``; the GM above every limit."""
    cells = {
        c.tier: c
        for c in MatrixCell.objects.filter(policy=policy, approval_class=approval_class, band=band)
    }
    for tier in MATRIX_CHAIN:
        cell = cells.get(tier)
        if cell is not None and ratio <= cell.max_ratio:
            return tier, {"tier": str(tier), "max_ratio": str(cell.max_ratio)}
    return Tier.GM, {"tier": str(Tier.GM), "max_ratio": None}


def chain_order(tiers: Iterable[str]) -> list[str]:
    """Matrix tiers first (lowest to highest), then the extra steps."""
    order = list(MATRIX_CHAIN) + EXTRA_ORDER
    return sorted(set(tiers), key=order.index)


def replenish_route(
    *,
    approval_class: str,
    order_qty: Decimal | int | str,
    required_qty: Decimal | int | str,
    replenish_qty: Decimal | int | str,
    reason: Model | None = None,
    amount: Decimal | int | str | None = None,
    policy: PolicyVersion | None = None,
    prior_qty: Decimal | int | str = 0,
) -> Route:
    """R-A2/R-A3/R-A4 for one material: ratio = (``prior_qty`` already replenished or pending
    on the order + this ``replenish_qty``) ÷ required (normal loss excluded). The valuable
    and large-quantity steps look at this request alone (seed 003 §5.9.3)."""
    policy = policy or active_policy()
    order_qty, required_qty = Decimal(order_qty), Decimal(required_qty)
    replenish_qty, prior_qty = Decimal(replenish_qty), Decimal(prior_qty)
    if required_qty <= 0:
        raise ValidationError({"required_qty": REQUIRED_POSITIVE})
    ratio = (prior_qty + replenish_qty) / required_qty
    band = order_band(policy, order_qty)
    top, cell = needed_tier(policy, approval_class, band, ratio)
    chain = MATRIX_CHAIN[: MATRIX_CHAIN.index(top) + 1]
    chain = chain + extra_tiers(reason)
    valuable = amount is not None and Decimal(amount) > policy.valuable_amount
    large = policy.large_quantity is not None and replenish_qty > policy.large_quantity
    if (valuable or large) and Tier.GM not in chain:
        chain = chain + [Tier.DEPUTY_GM]
    return Route(
        ratio=ratio,
        order_band=band.code,
        band_limit=band.upper_bound,
        approval_class=approval_class,
        chain=chain_order(chain),
        policy_version=policy.version,
        cell=cell,
        request_qty=replenish_qty,
        prior_qty=prior_qty,
        required_qty=required_qty,
    )


def return_chain(reason: Model) -> list[str]:
    """R-A4: returns need the supervisor (the team leader signs); a defect return (supplier or
    process defect) is then reviewed by the workshop director (seed 002 领料退料补料 §3.2.2.2:
    班组长签字、车间主任审核); BOM-change returns also need the technical department."""
    chain = [Tier.SUPERVISOR]
    if reason.defect_kind:
        chain.append(Tier.WORKSHOP_DIRECTOR)
    if reason.needs_technical:
        chain.append(Tier.TECHNICAL)
    return chain


def route_display(route: dict[str, Any]) -> dict[str, str]:
    """A previewed or stored route (``Route.as_dict``) for people (issue #16): the ratio as
    a percentage — this request's share and the order's running total ("this request
    0.95 %, order total 2.85 %", R-A2 sharpened) — the band and the matrix cell in words
    ("Class A · order ≤ 1,000 · Workshop director up to 1 %"). Routes stored before the
    band's limit (or the request's share) was kept show the band's code (the ratio alone)."""
    cell = route.get("cell") or {}
    tier = cell.get("tier")
    approver = str(Tier(tier).label) if tier in Tier.values else ""
    if cell.get("max_ratio"):
        approver = UP_TO % {"tier": approver, "limit": percent(cell["max_ratio"])}
    elif approver:
        approver = ABOVE_EVERY_LIMIT % {"tier": approver}
    if route.get("order_band_limit"):
        band = ORDER_UP_TO % {"limit": quantity(route["order_band_limit"])}
    elif "order_band_limit" in route:
        band = str(LARGER_ORDERS)
    else:
        band = route.get("order_band", "")
    klass = CLASS % {"approval_class": route.get("approval_class", "")}
    total = percent(route.get("ratio"))
    ratio = total
    if route.get("request_ratio") is not None:
        ratio = REQUEST_AND_TOTAL % {"request": percent(route["request_ratio"]), "total": total}
    return {
        "ratio": ratio,
        "request_ratio": percent(route.get("request_ratio", route.get("ratio"))),
        "total_ratio": total,
        "band": band,
        "cell": " · ".join(part for part in (klass, band, approver) if part),
    }
