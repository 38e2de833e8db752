"""The people of SPEC "People" as Django groups, with the permissions each role needs.

This is the one place that says what a role may do. A data migration (core 0005) and
``org.services.role_groups_sync`` make the groups match it; pages and the API check the
permissions, ``org.access`` answers the questions that are not permissions (scope, costs).
"""

from collections import defaultdict

from django.utils.translation import gettext_lazy as _

# Every model of the project's apps, for the auditor's read-only view.
MODELS = {
    "core": ["documentsequence", "idempotencykey", "apitoken", "outboxevent", "deliveryattempt"],
    "audit": ["auditevent", "chainhead"],
    "org": ["workshop"],
    "materials": ["unitofmeasure", "materialcategory", "material", "bom", "bomline"],
    "inventory": [
        "warehousecategory",
        "warehouse",
        "location",
        "lot",
        "serial",
        "ledgerentry",
        "stockbalance",
    ],
    "workorders": [
        "productionline",
        "workorder",
        "workorderline",
        "materialissue",
        "outputreport",
        "signoff",
        "leftoverdeclaration",
    ],
    "returns": [
        "reasoncode",
        "returnrequest",
        "returnline",
        "replenishrequest",
        "replenishline",
        "replacementcitation",
        "shortageslip",
        "requestattachment",
    ],
    "finance": ["monthend", "monthendline", "monthenddocument"],
    "alerts": ["alert"],
    "approvals": [
        "policyversion",
        "orderband",
        "matrixcell",
        "tierassignment",
        "delegation",
        "approvalstep",
    ],
}
VIEW_ALL = [f"{app}.view_{model}" for app, models in MODELS.items() for model in models]

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
FINANCE = ["returns.confirm_return", "finance.confirm_month", "finance.view_monthend"]
REQUEST = ["returns.add_returnrequest", "returns.add_replenishrequest"]
# Approval decisions need no group permission: a TierAssignment (data, R-A5) says who
# decides which step, and approvals.services.acting_for enforces it (R-A6).
BOM = [
    "materials.add_bom",
    "materials.change_bom",
    "materials.add_bomline",
    "materials.change_bomline",
]  # BOM-change returns are confirmed as the technical tier
MASTER_DATA = [
    f"{app}.{verb}_{model}"
    for app, models in {
        "materials": ["unitofmeasure", "materialcategory", "material", "bom", "bomline"],
        "inventory": ["warehousecategory", "warehouse", "location"],
        "org": ["workshop"],
        "workorders": ["productionline"],
        "approvals": ["tierassignment", "delegation", "policyversion"],
        "returns": ["reasoncode"],
        "auth": ["user", "group"],
        "core": ["apitoken"],
    }.items()
    for model in models
    for verb in ("add", "change", "delete")
]

ROLES = {
    "clerk": (_("Line clerk"), ISSUE + REQUEST),
    "team_leader": (_("Team leader"), WORK_ORDER),
    "workshop_director": (_("Workshop director"), WORK_ORDER),
    "production_manager": (_("Production manager"), WORK_ORDER),
    "production_director": (_("Production director"), WORK_ORDER),
    "executive_gm": (_("Executive GM"), []),
    "gm": (_("General manager"), []),
    "deputy_gm": (_("Deputy GM"), []),
    "qc": (_("QC inspector"), QC),
    "technical": (_("Technical department"), BOM),
    "keeper": (_("Warehouse keeper"), STOCK + ISSUE + KEEPER),
    "material_control": (_("Material controller"), ["returns.change_shortageslip"]),
    "finance": (_("Finance"), FINANCE),
    "auditor": (_("Auditor"), VIEW_ALL),
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


def groups_apply(*, group_model, permission_model):
    """Make one group per role hold exactly its permissions; returns what changed.

    Takes the models so that a data migration can run it with its historical models. A
    permission whose model does not exist yet at that point of the migration history is
    left for the later migration that syncs again (see ``groups_migrate``).
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
    for code, (_label, perms) in ROLES.items():
        wanted = {perm for perm in perms if perm in existing}
        group, created = groups.get(code), False
        if group is None:
            group, created = group_model.objects.get_or_create(name=code)
        if held[code] == wanted and not created:
            continue
        group.permissions.set([existing[perm] for perm in wanted])
        changed[code] = sorted(wanted)
    return changed


def groups_migrate(apps, schema_editor):
    """Data-migration step: create the permissions of every model known at this point of
    the history (Django normally does it after ``migrate``), then sync the groups. Each
    change of this module that needs new permissions adds a core migration calling it."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    groups_apply(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
    )
