"""Which roles may reach each route (issue #7 acceptance): route name → HTTP method → the
roles that get past the permission layer. ``ALL`` is every role of ``org.roles``; an
empty tuple is no role (e.g. reviews, which a TierAssignment grants, not a role).

Every API route and page must be listed: ``test_route_matrix`` fails naming a route
without a rule. Anonymous visitors never get past: 401 on the API, a redirect to the
login page (or 403/405) on pages — except the routes in ``PUBLIC``.
"""

from org.roles import ROLES

ALL = tuple(ROLES)
MASTER = ("admin",)
WORK_ORDER_PEOPLE = (
    "team_leader",
    "workshop_director",
    "production_manager",
    "production_director",
)
# The health probes answer anyone, with no data beyond which dependency is down (issue #14).
PUBLIC = {"login", "logout", "healthz", "healthz-worker"}

RULES = {
    "alert-detail": {"get": ALL},
    "alert-list": {"get": ALL},
    "approval-approve": {"post": ALL},
    "approval-bulk-approve": {"post": ALL},
    "approval-detail": {"get": ALL},
    "approval-list": {"get": ALL},
    "approval-policy-detail": {"get": ALL},
    "approval-policy-list": {"get": ALL, "post": MASTER},
    "approval-preview": {"get": ALL},
    "approval-reject": {"post": ALL},
    "approvals:bulk_approve": {"get": ALL},
    "approvals:decide": {"get": ALL},
    "approvals:inbox": {"get": ALL},
    "alerts:notifications": {"get": ALL},
    "alerts:notifications_read": {"get": ALL},
    "audit-event-detail": {"get": ("auditor",)},
    "audit-event-export": {"get": ("auditor",)},
    "audit-event-list": {"get": ("auditor",)},
    "balance-detail": {"get": ALL},
    "balance-list": {"get": ALL},
    "bom-detail": {
        "delete": MASTER,
        "get": ALL,
        "patch": ("technical", "admin"),
        "put": ("technical", "admin"),
    },
    "bom-list": {"get": ALL, "post": ("technical", "admin")},
    "bom-upsert": {"put": ("technical", "admin")},
    "delegation-detail": {"delete": MASTER, "get": ALL, "patch": MASTER, "put": MASTER},
    "delegation-list": {"get": ALL, "post": MASTER},
    "export-detail": {"get": ALL},
    "export-download": {"get": ALL},
    "export-list": {"get": ALL, "post": ALL},
    "finance:month_end": {"get": ("finance", "auditor")},
    "finance:month_end_compute": {"get": ("finance",)},
    "finance:month_end_confirm": {"get": ("finance",)},
    "finance:month_end_detail": {"get": ("finance", "auditor")},
    "finance:month_end_workbook": {"get": ("finance", "auditor")},
    "ledger-detail": {"get": ALL},
    "ledger-list": {"get": ALL},
    "location-detail": {"delete": MASTER, "get": ALL, "patch": MASTER, "put": MASTER},
    "location-list": {"get": ALL, "post": MASTER},
    "location-upsert": {"put": MASTER},
    "lot-detail": {"get": ALL},
    "lot-inspection": {"post": ("qc",)},
    "lot-list": {"get": ALL},
    "material-category-detail": {"delete": MASTER, "get": ALL, "patch": MASTER, "put": MASTER},
    "material-category-list": {"get": ALL, "post": MASTER},
    "material-category-upsert": {"put": MASTER},
    "material-detail": {"delete": MASTER, "get": ALL, "patch": MASTER, "put": MASTER},
    "material-list": {"get": ALL, "post": MASTER},
    "material-upsert": {"put": MASTER},
    "materialissue-detail": {"get": ALL},
    "materialissue-list": {"get": ALL},
    "materialissue-regularise": {"post": ("clerk", "keeper")},
    "month-end-detail": {"get": ("finance", "auditor")},
    "month-end-list": {"get": ("finance", "auditor")},
    "month-end-workbook": {"get": ("finance", "auditor")},
    "notification-detail": {"get": ALL},
    "notification-list": {"get": ALL},
    "notification-read": {"post": ALL},
    "notification-read-all": {"post": ALL},
    "notification-unread-count": {"get": ALL},
    "portal:home": {"get": ALL},
    "print:barcode": {"get": ALL},
    "print:label_form": {"get": ("keeper",)},
    "print:labels": {"get": ALL},
    "returns:slip_print": {"get": ALL},
    "productionline-detail": {"delete": MASTER, "get": ALL, "patch": MASTER, "put": MASTER},
    "productionline-list": {"get": ALL, "post": MASTER},
    "productionline-upsert": {"put": MASTER},
    "reason-detail": {"get": ALL},
    "reason-list": {"get": ALL},
    "replenishment-attachments": {"get": ALL, "post": ALL},
    "replenishment-cancel": {"post": ("clerk",)},
    "replenishment-detail": {"get": ALL},
    "replenishment-issue": {"post": ("keeper",)},
    "replenishment-list": {"get": ALL, "post": ("clerk",)},
    "replenishment-reject": {"post": ("keeper",)},
    "replenishment-submit": {"post": ("clerk",)},
    "reports:export_start": {"get": ALL},
    "reports:export_status": {"get": ALL},
    "reports:exports": {"get": ALL},
    "return-add-line": {"post": ("clerk",)},
    "return-attachments": {"get": ALL, "post": ALL},
    "return-cancel": {"post": ("clerk",)},
    "return-confirm": {"post": ("finance",)},
    "return-detail": {"get": ALL},
    "return-list": {"get": ALL, "post": ("clerk",)},
    "return-post": {"post": ("keeper",)},
    "return-qc-verdict": {"post": ("qc",)},
    "return-receive": {"post": ("keeper",)},
    "return-receive-scan": {"post": ("keeper",)},
    "return-reject": {"post": ("qc", "keeper")},
    "return-review": {"post": ()},
    "return-submit": {"post": ("clerk",)},
    "returns:attachment_add": {"get": ALL},
    "returns:attachment_download": {"get": ALL},
    "returns:attachment_remove": {"get": ALL},
    "returns:my_requests": {"get": ALL},
    "returns:new_replenish": {"get": ("clerk",)},
    "returns:new_return": {"get": ("clerk",)},
    "returns:qc_list": {"get": ("qc",)},
    "returns:qc_verdict": {"get": ("qc",)},
    "returns:receiving": {"get": ("keeper",)},
    "returns:replenish_issue": {"get": ALL},
    "returns:request_action": {"get": ALL},
    "returns:request_detail": {"get": ALL},
    "returns:shortage_fulfil": {"get": ALL},
    "returns:shortages": {"get": ("keeper", "material_control")},
    "scan": {"post": ALL},
    "serial-detail": {"get": ALL},
    "serial-list": {"get": ALL},
    "shortage-detail": {"get": ALL},
    "shortage-fulfil": {"post": ("keeper", "material_control")},
    "shortage-list": {"get": ALL},
    "stock-adjust": {"post": ("keeper",)},
    "stock-fefo": {"get": ALL},
    "stock-receive": {"post": ("keeper",)},
    "stock-transfer": {"post": ("keeper",)},
    "stock-transfer-scan": {"post": ("keeper",)},
    "tier-assignment-detail": {"delete": MASTER, "get": ALL, "patch": MASTER, "put": MASTER},
    "tier-assignment-list": {"get": ALL, "post": MASTER},
    "reports:trace": {
        "get": (
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
        )
    },
    "reports:trace_work_order_lots": {"get": ALL},
    "uom-detail": {"delete": MASTER, "get": ALL, "patch": MASTER, "put": MASTER},
    "uom-list": {"get": ALL, "post": MASTER},
    "uom-upsert": {"put": MASTER},
    "warehouse-detail": {"delete": MASTER, "get": ALL, "patch": MASTER, "put": MASTER},
    "warehouse-list": {"get": ALL, "post": MASTER},
    "warehouse-upsert": {"put": MASTER},
    "warehousecategory-detail": {"delete": MASTER, "get": ALL, "patch": MASTER, "put": MASTER},
    "warehousecategory-list": {"get": ALL, "post": MASTER},
    "warehousecategory-upsert": {"put": MASTER},
    "workorder-cancel": {"post": WORK_ORDER_PEOPLE},
    "workorder-close": {"post": WORK_ORDER_PEOPLE},
    "workorder-closeout": {"get": ALL},
    "workorder-complete": {"post": WORK_ORDER_PEOPLE},
    "workorder-declare-leftover": {"post": WORK_ORDER_PEOPLE},
    "workorder-detail": {"get": ALL},
    "workorder-issue": {"post": ("clerk", "keeper")},
    "workorder-issue-scan": {"post": ("clerk", "keeper")},
    "workorder-list": {"get": ALL, "post": WORK_ORDER_PEOPLE},
    "workorder-receive-output": {"post": ("keeper",)},
    "workorder-release": {"post": WORK_ORDER_PEOPLE},
    "workorder-report-output": {"post": WORK_ORDER_PEOPLE},
    "workorder-sign-off": {"post": (*WORK_ORDER_PEOPLE, "qc", "keeper", "finance")},
    "workorder-upsert": {"put": WORK_ORDER_PEOPLE},
    "workorders:close": {"get": ALL},
    "workorders:complete": {"get": ALL},
    "workorders:declare_leftover": {"get": ALL},
    "workorders:detail": {"get": ALL},
    "workorders:list": {"get": ALL},
    "workorders:receive_output": {"get": ALL},
    "workorders:report_output": {"get": ALL},
    "workorders:sign_off": {"get": ALL},
    "workshop-detail": {"delete": MASTER, "get": ALL, "patch": MASTER, "put": MASTER},
    "workshop-list": {"get": ALL, "post": MASTER},
    "workshop-upsert": {"put": MASTER},
}

# The pages that only take a POST (their GET is 405 for everyone, so the rules above cannot
# tell who may press the button): page route name → the roles that get past its permission
# check (tests/security/test_post_only_pages.py).
POST_RULES = {
    "approvals:bulk_approve": ALL,
    "approvals:decide": ALL,
    "alerts:notifications_read": ALL,
    "finance:month_end_compute": ("finance",),
    "finance:month_end_confirm": ("finance",),
    "reports:export_start": ALL,
    "returns:attachment_add": ALL,
    "returns:attachment_remove": ALL,
    "returns:replenish_issue": ("keeper",),
    "returns:request_action": ALL,
    "returns:shortage_fulfil": ("keeper", "material_control"),
    "workorders:close": WORK_ORDER_PEOPLE,
    "workorders:complete": WORK_ORDER_PEOPLE,
    "workorders:declare_leftover": WORK_ORDER_PEOPLE,
    "workorders:receive_output": ("keeper",),
    "workorders:report_output": WORK_ORDER_PEOPLE,
    "workorders:sign_off": ALL,
}

# What each kind of API token reaches (issue #12): API route name → the methods it may use.
# The views declare it (``token_scope``, core/api/token_scope.py); this table is what
# tests/security/test_token_scope.py expects of them. HEAD follows GET and OPTIONS is open
# where any method is; every other route and method answers 403 to such a token.
CODED_MASTER = (
    "uom",
    "material-category",
    "material",
    "warehousecategory",
    "warehouse",
    "location",
    "workshop",
    "productionline",
)
READ_ONLY = {"get"}


def reads(*basenames):
    return {f"{name}-{kind}": READ_ONLY for name in basenames for kind in ("list", "detail")}


TOKEN_RULES = {
    # The ERP: pulls (ledger by id, documents ``updated_since``) and upserts by code.
    "integration": {
        **reads(
            *CODED_MASTER,
            "bom",
            "workorder",
            "ledger",
            "lot",
            "return",
            "replenishment",
            "shortage",
            "month-end",
        ),
        **{f"{name}-upsert": {"put"} for name in (*CODED_MASTER, "bom", "workorder")},
        "balance-list": READ_ONLY,
        "reason-list": READ_ONLY,
    },
    # Handhelds: look-ups, scanning, stock moves, issue and the line's reports, the
    # clerk's slips and the keeper's receipt; the user's role still decides within these.
    "device": {
        **reads(
            *CODED_MASTER,
            "lot",
            "serial",
            "balance",
            "ledger",
            "reason",
            "alert",
            "notification",
            "workorder",
            "materialissue",
            "return",
            "replenishment",
            "shortage",
        ),
        "scan": {"post"},
        "stock-fefo": READ_ONLY,
        **{
            f"stock-{name}": {"post"} for name in ("receive", "transfer", "transfer-scan", "adjust")
        },
        "notification-read": {"post"},
        "notification-read-all": {"post"},
        "notification-unread-count": READ_ONLY,
        "workorder-closeout": READ_ONLY,
        **{
            f"workorder-{name}": {"post"}
            for name in (
                "issue",
                "issue-scan",
                "report-output",
                "receive-output",
                "declare-leftover",
            )
        },
        "materialissue-regularise": {"post"},
        "return-list": {"get", "post"},
        **{
            f"return-{name}": {"post"}
            for name in ("add-line", "submit", "cancel", "receive", "post", "receive-scan")
        },
        "replenishment-list": {"get", "post"},
        **{f"replenishment-{name}": {"post"} for name in ("submit", "cancel", "issue")},
        "return-attachments": {"get", "post"},
        "replenishment-attachments": {"get", "post"},
        "shortage-fulfil": {"post"},
    },
}
