"""Publishing a new version of the approval matrix (R-A5).

A published version is never edited: routing takes the newest active version, and every
approval step keeps the version that routed it, so a new version never changes a decision
already taken. A draft (a version neither active nor used by a step) is edited in the
admin and becomes active only through ``policy_publish``, the one writer of a published
version, which checks the whole matrix first.
"""

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from approvals.models import (
    DEFAULT_LARGE_QUANTITY,
    MATRIX_CHAIN,
    ApprovalStep,
    MatrixCell,
    OrderBand,
    PolicyVersion,
    Tier,
)
from audit.services import audit_record
from core.errors import StateConflict
from core.transactions import atomic_service
from materials.models import ApprovalClass

NO_BANDS = _("A policy needs at least one order band.")
DUPLICATE_BAND = _("Order band %(band)s is listed more than once.")
OPEN_BAND_LAST = _("Exactly one band, the last, has no upper bound.")
BANDS_NOT_ASCENDING = _("Order bands must be listed by ascending upper bound.")
UNKNOWN_BAND = _("Unknown order band %(band)s.")
NOT_MATRIX_TIER = _("%(tier)s is not a tier of the approval matrix.")
DUPLICATE_CELL = _("The %(tier)s limit of class %(class)s, band %(band)s is listed twice.")
LIMITS_NOT_ASCENDING = _(
    "Class %(class)s, band %(band)s: a higher tier cannot have a lower limit than the one below."
)
MISSING_CELL = _(
    "Class %(class)s, band %(band)s has no %(tier)s limit: an active policy needs a limit for "
    "every class, band and tier below the GM."
)
NOT_A_DRAFT = _(
    "Version %(version)s is already published; only a draft (inactive and used by no "
    "approval step) can be published."
)
NEGATIVE_AMOUNT = _("The valuable amount cannot be negative.")
LARGE_NOT_POSITIVE = _(
    "The large quantity must be greater than zero; leave it empty to turn the rule off."
)
# The GM approves whatever is above every limit, so the GM needs no cell (routing.needed_tier).
LIMITED_TIERS = MATRIX_CHAIN[:-1]


def policy_in_use(policy: PolicyVersion | None) -> bool:
    """Whether an approval step was routed by ``policy``."""
    return policy is not None and ApprovalStep.objects.filter(policy=policy).exists()


def policy_is_draft(policy: PolicyVersion | None) -> bool:
    """A saved version that routes nothing yet: inactive and used by no step."""
    return policy is not None and not policy.is_active and not policy_in_use(policy)


def bands_check(bands: list[dict[str, Any]]) -> None:
    if not bands:
        raise ValidationError({"bands": NO_BANDS})
    codes = [band["code"] for band in bands]
    for code in codes:
        if codes.count(code) > 1:
            raise ValidationError({"bands": DUPLICATE_BAND % {"band": code}})
    bounds = [band.get("upper_bound") for band in bands]
    if None in bounds[:-1] or bounds[-1] is not None:
        raise ValidationError({"bands": OPEN_BAND_LAST})
    if bounds[:-1] != sorted(set(bounds[:-1])):
        raise ValidationError({"bands": BANDS_NOT_ASCENDING})


def cells_check(cells: list[dict[str, Any]], band_codes: set[str]) -> None:
    """Known bands, one limit per (class, band, tier), limits rising along the chain."""
    limits = {}
    for cell in cells:
        key = (cell["approval_class"], cell["band"])
        params = {"class": key[0], "band": key[1], "tier": cell["tier"]}
        if cell["tier"] not in MATRIX_CHAIN:
            raise ValidationError({"cells": NOT_MATRIX_TIER % params})
        if cell["band"] not in band_codes:
            raise ValidationError({"cells": UNKNOWN_BAND % params})
        if cell["tier"] in limits.setdefault(key, {}):
            raise ValidationError({"cells": DUPLICATE_CELL % params})
        limits[key][cell["tier"]] = cell["max_ratio"]
    for (approval_class, band), by_tier in limits.items():
        ordered = [by_tier[tier] for tier in MATRIX_CHAIN if tier in by_tier]
        if ordered != sorted(ordered):
            raise ValidationError(
                {"cells": LIMITS_NOT_ASCENDING % {"class": approval_class, "band": band}}
            )


def matrix_complete_check(cells: list[dict[str, Any]], band_codes: list[str]) -> None:
    """R-A2/R-A5: an active matrix has a limit for every approval class × band × tier below the
    GM; without one, routing would silently send that cell's requests to the GM."""
    present = {(cell["approval_class"], cell["band"], cell["tier"]) for cell in cells}
    for approval_class in ApprovalClass.values:
        for band in band_codes:
            for tier in LIMITED_TIERS:
                if (approval_class, band, tier) not in present:
                    params = {"class": approval_class, "band": band, "tier": Tier(tier).label}
                    raise ValidationError({"cells": MISSING_CELL % params})


def thresholds_check(data: dict[str, Any]) -> None:
    """R-A4's deputy-GM thresholds: a valuable amount of zero or more; a large quantity
    above zero, or none (the rule off)."""
    if Decimal(data.get("valuable_amount") or 0) < 0:
        raise ValidationError({"valuable_amount": NEGATIVE_AMOUNT})
    large = data.get("large_quantity", DEFAULT_LARGE_QUANTITY)
    if large is not None and Decimal(large) <= 0:
        raise ValidationError({"large_quantity": LARGE_NOT_POSITIVE})


def policy_content(policy: PolicyVersion) -> dict[str, Any]:
    """A saved version as ``policy_publish``'s ``version_data``, bands and cells included."""
    return {
        "valuable_amount": policy.valuable_amount,
        "large_quantity": policy.large_quantity,
        "sla_hours": policy.sla_hours,
        "note": policy.note,
        "bands": [
            {"code": band.code, "upper_bound": band.upper_bound} for band in policy.bands.all()
        ],
        "cells": [
            {
                "approval_class": cell.approval_class,
                "band": cell.band.code,
                "tier": cell.tier,
                "max_ratio": cell.max_ratio,
            }
            for cell in policy.cells.select_related("band")
        ],
    }


@atomic_service
def policy_publish(
    *,
    actor: AbstractBaseUser | None,
    device: str = "",
    version_data: dict[str, Any] | None = None,
    draft: PolicyVersion | None = None,
) -> PolicyVersion:
    """Publish the next policy version, checked whole (R-A5), and audit it.

    Either ``version_data``: ``valuable_amount``, optional ``large_quantity`` (omitted: the
    default 500 units, ``None``: no large-quantity rule, R-A4), ``sla_hours``,
    ``note``, ``is_active`` (default true), ``bands`` (``code``, ``upper_bound`` or None for
    the top band), ``cells`` (``approval_class``, ``band`` code, ``tier``, ``max_ratio`` as
    a fraction) — a new version is created; or ``draft``: a draft edited in the admin turns
    active in place, under the next version number so that it routes new requests. Older
    versions stay as they are; on any error nothing changes.
    """
    if draft is not None:
        draft = PolicyVersion.objects.select_for_update().get(pk=draft.pk)
        if not policy_is_draft(draft):
            raise StateConflict(NOT_A_DRAFT, params={"version": draft.version})
        version_data = {**policy_content(draft), "is_active": True}
    data = {"is_active": True, **version_data}
    bands, cells = data.pop("bands"), data.pop("cells")
    thresholds_check(data)
    bands_check(bands)
    cells_check(cells, {band["code"] for band in bands})
    if data["is_active"]:
        matrix_complete_check(cells, [band["code"] for band in bands])
    latest = PolicyVersion.objects.select_for_update().order_by("-version").first()
    if draft is not None:
        policy = draft_activate(draft, latest)
    else:
        policy = PolicyVersion(version=(latest.version if latest else 0) + 1, **data)
        policy.full_clean()
        policy.save()
        parts_create(policy, bands, cells)
    audit_record(
        actor=actor,
        device=device,
        action="policyversion.publish",
        obj=policy,
        after={**data, "version": policy.version, "bands": bands, "cells": cells},
    )
    return policy


def draft_activate(draft: PolicyVersion, latest: PolicyVersion) -> PolicyVersion:
    if latest.pk != draft.pk:  # a draft older than the newest version would never route
        draft.version = latest.version + 1
    draft.is_active = True
    draft.full_clean()
    draft.save(update_fields=["version", "is_active"])
    return draft


def parts_create(
    policy: PolicyVersion, bands: list[dict[str, Any]], cells: list[dict[str, Any]]
) -> None:
    by_code = {
        band["code"]: OrderBand.objects.create(
            policy=policy, code=band["code"], upper_bound=band.get("upper_bound")
        )
        for band in bands
    }
    MatrixCell.objects.bulk_create(
        MatrixCell(
            policy=policy,
            approval_class=cell["approval_class"],
            band=by_code[cell["band"]],
            tier=cell["tier"],
            max_ratio=cell["max_ratio"],
        )
        for cell in cells
    )
