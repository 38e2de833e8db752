"""The people of SPEC "People" as Django groups, with the permissions each role needs.

This is the one place that says what a role may do; pages and API check the permissions.
"""

from django.utils.translation import gettext_lazy as _

STOCK = ["inventory.add_ledgerentry", "inventory.view_ledgerentry"]
ISSUE = ["workorders.add_materialissue"]
WORK_ORDER = ["workorders.add_workorder", "workorders.change_workorder"]
QC = ["inventory.change_lot", "returns.change_returnrequest"]
REQUEST = ["returns.add_returnrequest", "returns.add_replenishrequest"]
HANDLE_REQUEST = ["returns.change_returnrequest", "returns.change_replenishrequest",
                  "returns.change_shortageslip"]
MASTER_DATA = [
    f"{app}.{verb}_{model}"
    for app, models in {
        "materials": ["unitofmeasure", "materialcategory", "material", "bom", "bomline"],
        "inventory": ["warehousecategory", "warehouse", "location"],
        "workorders": ["workshop", "productionline"],
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
    "technical": (_("Technical department"), []),
    "keeper": (_("Warehouse keeper"), STOCK + ISSUE + HANDLE_REQUEST),
    "material_control": (_("Material controller"), ["returns.change_shortageslip"]),
    "finance": (_("Finance"), ["returns.change_returnrequest"]),
    "auditor": (_("Auditor"), []),
    "admin": (_("Administrator"), MASTER_DATA),
}
