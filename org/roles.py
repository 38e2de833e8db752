"""The people of SPEC "People" as Django groups, with the permissions each role needs.

This is the one place that says what a role may do. A data migration (core 0005) and
``org.services.role_groups_sync`` make the groups match it; pages and the API check the
permissions, ``org.access`` answers the questions that are not permissions (scope, costs).
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.apps import apps as installed_apps
from django.utils.translation import gettext_lazy as _

from core.project import project_app_configs


def view_all(apps: Any = installed_apps) -> list[str]:
    """The view permission of every model of the project's apps, for the auditor's read-only
    view. Derived when the groups are synced, from ``apps`` (a migration's historical models,
    or the installed ones), so a new model is covered without editing this module."""
    labels = {config.label for config in project_app_configs()}
    return sorted(
        f"{config.label}.view_{model._meta.model_name}"
        for config in apps.get_app_configs()
        if config.label in labels
        for model in config.get_models()
    )


def model_permissions(
    models_by_app: Mapping[str, Iterable[str]], verbs: Iterable[str] = ("add", "change", "delete")
) -> list[str]:
    """``app.verb_model`` for each verb and each listed model."""
    return [
        f"{app}.{verb}_{model}"
        for app, models in models_by_app.items()
        for model in models
        for verb in verbs
    ]


STOCK = ["inventory.add_ledgerentry", "inventory.view_ledgerentry"]
ISSUE = ["workorders.add_materialissue"]
WORK_ORDER = ["workorders.add_workorder", "workorders.change_workorder"]
# Actions with their own permission (custom Meta.permissions): a model's change
# permission is too coarse to separate QC from the warehouse from finance.
QC = ["inventory.change_lot", "returns.give_qc_verdict"]
KEEPER = [
    "returns.receive_return",
    "returns.post_return",
    "returns.issue_replenishment",
    "returns.change_shortageslip",
]
# Supplier returns (R-S2): the warehouse raises and posts them, material control follows
# the claim up; either may record the replacement or the credit note.
SUPPLIER_RETURN = ["returns.handle_supplier_return"]
FINANCE = ["returns.confirm_return", "finance.confirm_month", "finance.view_monthend"]
# Points and rewards (R-J3, R-J4): finance and management read the totals; supervisors record
# what they see with evidence; the GM office proposes after its spot check.
POINTS_VIEW = ["finance.view_pointentry"]
POINTS_RECORD = [*POINTS_VIEW, "finance.add_pointentry"]
POINTS_PROPOSE = [*POINTS_VIEW, "finance.propose_points"]
REQUEST = ["returns.add_returnrequest", "returns.add_replenishrequest"]
# Approval decisions need no group permission: a TierAssignment (data, R-A5) says who
# decides which step, and approvals.services.acting_for enforces it (R-A6).
BOM = [
    "materials.add_bom",
    "materials.change_bom",
    "materials.add_bomline",
    "materials.change_bomline",
]  # BOM-change returns are confirmed as the technical tier
# What the administrator maintains by hand: a policy choice, so listed, not derived.
MASTER_DATA = model_permissions(
    {
        "materials": [
            "warehousecategory",
            "warehouse",
            "location",
            "unitofmeasure",
            "materialcategory",
            "material",
            "bom",
            "bomline",
            "supplier",
        ],
        "org": ["workshop"],
        "workorders": ["productionline"],
        "approvals": ["tierassignment", "delegation", "policyversion"],
        "returns": ["reasoncode"],
        "finance": ["pointscheme", "pointrule", "reasonbehaviour"],
        "auth": ["user", "group"],
        "core": ["apitoken"],
    }
)

ROLES = {
    "clerk": (_("Line clerk"), ISSUE + REQUEST),
    "team_leader": (_("Team leader"), WORK_ORDER + POINTS_RECORD),
    "workshop_director": (_("Workshop director"), WORK_ORDER + POINTS_RECORD),
    "production_manager": (_("Production manager"), WORK_ORDER + POINTS_RECORD),
    "production_director": (_("Production director"), WORK_ORDER + POINTS_RECORD),
    "executive_gm": (_("Executive GM"), POINTS_PROPOSE),
    "gm": (_("General manager"), POINTS_PROPOSE),
    "deputy_gm": (_("Deputy GM"), POINTS_PROPOSE),
    "qc": (_("QC inspector"), QC),
    "technical": (_("Technical department"), BOM),
    "keeper": (_("Warehouse keeper"), STOCK + ISSUE + KEEPER + SUPPLIER_RETURN),
    "material_control": (
        _("Material controller"),
        ["returns.change_shortageslip", *SUPPLIER_RETURN],
    ),
    "finance": (_("Finance"), FINANCE + POINTS_VIEW),
    "auditor": (_("Auditor"), view_all),  # derived from the models when synced
    "admin": (_("Administrator"), MASTER_DATA),
}

# Roles that see every workshop; the others see the workshops they are members of
# (``Workshop.members``). Superusers are plant-wide too.
PLANT_WIDE = {
    "production_manager",
    "production_director",
    "executive_gm",
    "gm",
    "deputy_gm",
    "qc",
    "technical",
    "keeper",
    "material_control",
    "finance",
    "auditor",
    "admin",
}

# Roles that see standard costs and amounts (SPEC "People": finance and the managers).
COST_VISIBLE = {
    "workshop_director",
    "production_manager",
    "production_director",
    "executive_gm",
    "gm",
    "deputy_gm",
    "material_control",
    "finance",
    "auditor",
    "admin",
}


def role_permissions(code: str, apps: Any = installed_apps) -> list[str]:
    """The permissions of role ``code``; a derived list is computed from ``apps`` now."""
    perms = ROLES[code][1]
    return perms(apps) if callable(perms) else list(perms)


def groups_apply(
    *, group_model: type, permission_model: type, apps: Any = installed_apps
) -> dict[str, list[str]]:
    """Make one group per role hold exactly its permissions; returns what changed.

    Takes the models (and their registry) so that a data migration can run it with its
    historical models. A permission whose model does not exist yet at that point of the
    migration history is left for the later migration that syncs again (see
    ``groups_migrate``).
    """
    existing = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in permission_model.objects.select_related("content_type")
    }
    # Every role's group and its permissions in two queries (the suite syncs often).
    groups = {group.name: group for group in group_model.objects.filter(name__in=ROLES)}
    held = defaultdict(set)
    for name, app_label, codename in group_model.permissions.through.objects.filter(
        group__name__in=ROLES
    ).values_list("group__name", "permission__content_type__app_label", "permission__codename"):
        held[name].add(f"{app_label}.{codename}")
    changed = {}
    for code in ROLES:
        wanted = {perm for perm in role_permissions(code, apps) if perm in existing}
        group, created = groups.get(code), False
        if group is None:
            group, created = group_model.objects.get_or_create(name=code)
        if held[code] == wanted and not created:
            continue
        group.permissions.set([existing[perm] for perm in wanted])
        changed[code] = sorted(wanted)
    return changed


def groups_migrate(apps: Any, schema_editor: Any) -> None:
    """Data-migration step: create the permissions of every model known at this point of
    the history (Django normally does it after ``migrate``), then sync the groups. Each
    change of this module that needs new permissions adds a migration calling it (org 0003)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    groups_apply(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
        apps=apps,
    )
