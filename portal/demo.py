"""Demo data of a furniture factory like seed 002's: master data, stock, work orders, users.

Everything is written through the services, so the demo passes ``check_ledger`` and
``verify_audit``. Running it again changes nothing.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from approvals.models import StepState, TierAssignment
from approvals.services import approval_decide, steps_of
from audit.master_data import master_record_save
from inventory.models import InspectionStatus
from inventory.services import stock_receive, stock_transfer
from materials.importing.master import master_import
from materials.models import (
    ApprovalClass,
    Bom,
    Location,
    LocationKind,
    Material,
    MaterialCategory,
    Supplier,
    UnitOfMeasure,
    Warehouse,
    WarehouseCategory,
)
from org.models import Workshop
from org.services import role_groups_sync, user_ensure, workshop_member_add
from returns.models import ReasonCode, RequestKind
from returns.services.disposals import (
    DisposalLineInput,
    scrap_disposal_create,
    scrap_disposal_post,
    scrap_disposal_submit,
)
from returns.services.replenish import replenish_create, replenish_submit
from returns.services.return_drafting import return_create, return_submit
from workorders.models import ProductionLine, WorkOrder
from workorders.services.issuing import IssueLine, work_order_issue
from workorders.services.lifecycle import (
    work_order_complete,
    work_order_create,
    work_order_release,
    work_order_report_output,
)

SAMPLE = Path(settings.BASE_DIR) / "materials" / "samples" / "master_sample.xlsx"

WORKSHOP_PEOPLE = ["clerk", "leader", "director"]
USERS = {
    "clerk": "clerk",
    "leader": "team_leader",
    "director": "workshop_director",
    "prodmgr": "production_manager",
    "proddir": "production_director",
    "execgm": "executive_gm",
    "gm": "gm",
    "qc": "qc",
    "tech": "technical",
    "keeper": "keeper",
    "mc": "material_control",
    "finance": "finance",
    "auditor": "auditor",
    "admin": "admin",
}
UOMS = [
    ("PCS", "pieces", True),
    ("M", "metres", False),
    ("KG", "kilograms", False),
    ("SET", "sets", True),
]
CATEGORIES = [
    ("ALU", "aluminium", "A"),
    ("IRON", "iron pipe", "A"),
    ("BOARD", "boards", "A"),
    ("SEMI", "semi-finished", "A"),
    ("FABRIC", "fabric", "B"),
    ("CARTON", "cartons", "B"),
    ("CHEM", "chemicals", "B"),
    ("PART", "standard parts", "C"),
    ("PACK", "packaging", "C"),
    ("FG", "finished goods", "C"),
]
WAREHOUSE_CATEGORIES = [
    ("RAW", "raw material"),
    ("AUX", "auxiliary"),
    ("PACK", "packaging"),
    ("CHEM", "chemicals"),
    ("SEMI", "semi-finished"),
    ("FG", "finished goods"),
    ("SCRAP", "scrap and quarantine"),
]
# warehouse code, name, category, locations (code, kind)
WAREHOUSES = [
    (
        "WH-RAW",
        "Raw material warehouse",
        "RAW",
        [("RAW-A01", "storage"), ("RAW-A02", "storage"), ("RAW-A03", "storage")],
    ),
    ("WH-AUX", "Auxiliary warehouse", "AUX", [("AUX-B01", "storage")]),
    ("WH-PACK", "Packaging warehouse", "PACK", [("PACK-C01", "storage")]),
    ("WH-CHEM", "Chemicals store", "CHEM", [("CHEM-D01", "storage")]),
    ("WH-FG", "Finished goods warehouse", "FG", [("FG-E01", "storage")]),
    (
        "WH-QA",
        "Scrap and quarantine",
        "SCRAP",
        [("QA-QUAR", "quarantine"), ("QA-SCRAP", "scrap"), ("QA-SUPRET", "supplier_return")],
    ),
]
WORKSHOPS = [
    ("WS-CUT", "Cutting workshop", "L-CUT1"),
    ("WS-WELD", "Welding workshop", "L-WELD1"),
    ("WS-ASM", "Assembly workshop", "L-ASM1"),
]
# code, name, contact, phone (R-S1)
SUPPLIERS = [
    ("SUP-ALU", "Foshan Aluminium Co.", "Chen Wei", "0757-8800-1001"),
    ("SUP-STEEL", "Tangshan Steel Pipe Ltd.", "Li Na", "0315-6600-2002"),
    ("SUP-BOARD", "Linyi Board Factory", "Wang Jun", "0539-7700-3003"),
    ("SUP-TEXTILE", "Shaoxing Textile Mill", "Zhao Min", "0575-8500-4004"),
    ("SUP-PACK", "Dongguan Packaging Co.", "Huang Lei", "0769-2200-5005"),
    ("SUP-CHEM", "Ningbo Adhesives Ltd.", "Xu Fang", "0574-8700-6006"),
    ("SUP-PARTS", "Wenzhou Fasteners Co.", "Lin Tao", "0577-8800-7007"),
]
# material, location, quantity, batch, days to expiry (None: no expiry), supplier
RECEIPTS = [
    ("AL-TUBE-25", "RAW-A01", "2400", "AL2611-01", None, "SUP-ALU"),
    ("AL-TUBE-25", "RAW-A02", "1200", "AL2611-02", None, "SUP-ALU"),
    ("FE-PIPE-19", "RAW-A03", "3000", "FE2611-01", None, "SUP-STEEL"),
    ("BD-E1-18", "RAW-A03", "300", "BD2611-01", None, "SUP-BOARD"),
    ("FB-OXF-600D", "RAW-A02", "900", "FB2611-01", None, "SUP-TEXTILE"),
    ("CT-5L-CHAIR", "PACK-C01", "800", "", None, "SUP-PACK"),
    ("PK-BAG-PE", "PACK-C01", "1500", "", None, "SUP-PACK"),
    ("CH-GLUE-PU", "CHEM-D01", "60", "GL2609-01", 20, "SUP-CHEM"),
    ("CH-GLUE-PU", "CHEM-D01", "80", "GL2611-02", 170, "SUP-CHEM"),
    ("CH-POWDER-BK", "CHEM-D01", "150", "PW2611-01", 300, "SUP-CHEM"),
    ("PT-SCR-M6X30", "AUX-B01", "20000", "", None, "SUP-PARTS"),
    ("PT-CAP-25", "AUX-B01", "6000", "", None, "SUP-PARTS"),
]
MARKER_WORK_ORDER = "WO-DEMO-001"
# username -> approval tiers held plant-wide (R-A6); team leaders review returns.
TIERS = {
    "leader": ["supervisor"],
    "director": ["workshop_director"],
    "prodmgr": ["production_manager"],
    "proddir": ["production_director"],
    "execgm": ["executive_gm", "deputy_gm"],
    "gm": ["gm"],
    "qc": ["qc"],
    "tech": ["technical"],
    "mc": ["material_control"],
    "finance": ["finance"],
}


def ensure(model, lookup, actor, **values):
    """A master record by its lookup, created through the audited service when missing."""
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = master_record_save(instance=model(**lookup, **values), actor=actor)
    return instance


def master_data(admin):
    for code, name, whole in UOMS:
        ensure(UnitOfMeasure, {"code": code}, admin, name=name, whole_units=whole)
    for code, name, approval_class in CATEGORIES:
        ensure(
            MaterialCategory,
            {"code": code},
            admin,
            name=name,
            approval_class=ApprovalClass(approval_class),
        )
    for code, name in WAREHOUSE_CATEGORIES:
        ensure(WarehouseCategory, {"code": code}, admin, name=name)
    for code, name, category, locations in WAREHOUSES:
        warehouse = ensure(
            Warehouse,
            {"code": code},
            admin,
            name=name,
            category=WarehouseCategory.objects.get(code=category),
        )
        for location_code, kind in locations:
            ensure(
                Location,
                {"code": location_code},
                admin,
                warehouse=warehouse,
                kind=LocationKind(kind),
            )
    for code, name, contact, phone in SUPPLIERS:
        ensure(Supplier, {"code": code}, admin, name=name, contact=contact, phone=phone)
    for code, name, line_code in WORKSHOPS:
        workshop = ensure(Workshop, {"code": code}, admin, name=name)
        ensure(ProductionLine, {"code": line_code}, admin, workshop=workshop, name=f"{name} line 1")
    master_import(file=SAMPLE, actor=admin)


def tier_assignments(users):
    for username, tiers in TIERS.items():
        for tier in tiers:
            ensure(
                TierAssignment,
                {"user": users[username], "tier": tier, "workshop": None},
                users["admin"],
            )
    for workshop in Workshop.objects.all():  # the workshop-bound roles see the demo's workshops
        for username in WORKSHOP_PEOPLE:
            workshop_member_add(workshop=workshop, user=users[username], actor=users["admin"])


def stock(keeper):
    today = timezone.localdate()
    for code, location, quantity, batch, expires_in, supplier in RECEIPTS:
        lot_fields = {
            "inspection_status": InspectionStatus.PASSED,
            "supplier": Supplier.objects.get(code=supplier),
            "production_date": today - timedelta(days=10),
        }
        if expires_in is not None:
            lot_fields["expiry_date"] = today + timedelta(days=expires_in)
        stock_receive(
            material=Material.objects.get(code=code),
            location=Location.objects.get(code=location),
            quantity=Decimal(quantity),
            batch_no=batch,
            lot_fields=lot_fields if batch else None,
            reference="PO-DEMO",
            actor=keeper,
        )


def work_order(number, product, quantity, workshop, planner):
    product = Material.objects.get(code=product)
    return work_order_create(
        number=number,
        product=product,
        bom=Bom.objects.get(product=product, version=1),
        planned_qty=Decimal(quantity),
        workshop=Workshop.objects.get(code=workshop),
        actor=planner,
    )


def issue_lines(*rows):
    lines = []
    for code, quantity, location, batch in rows:
        material = Material.objects.get(code=code)
        lot = material.lots.get(batch_no=batch) if batch else None
        lines.append(
            IssueLine(material, Decimal(quantity), Location.objects.get(code=location), lot=lot)
        )
    return lines


def work_orders(planner, keeper):
    """One work order in each state a demo walks through."""
    work_order(MARKER_WORK_ORDER, "FG-CHAIR-01", "200", "WS-ASM", planner)  # planned
    work_order_release(
        work_order=work_order("WO-DEMO-002", "FG-TABLE-01", "50", "WS-WELD", planner), actor=planner
    )
    running = work_order_release(
        work_order=work_order("WO-DEMO-003", "FG-CHAIR-01", "100", "WS-ASM", planner), actor=planner
    )
    work_order_issue(
        work_order=running,
        actor=keeper,
        lines=issue_lines(
            ("AL-TUBE-25", "420", "RAW-A01", "AL2611-01"),
            ("FB-OXF-600D", "85", "RAW-A02", "FB2611-01"),
            ("PT-SCR-M6X30", "800", "AUX-B01", ""),
            ("PT-CAP-25", "400", "AUX-B01", ""),
        ),
    )
    done = chair_order_completed(
        "WO-DEMO-004",
        "50",
        [
            ("AL-TUBE-25", "216", "RAW-A02", "AL2611-02"),
            ("FB-OXF-600D", "44", "RAW-A02", "FB2611-01"),
            ("PT-SCR-M6X30", "404", "AUX-B01", ""),
            ("PT-CAP-25", "204", "AUX-B01", ""),
            ("CT-5L-CHAIR", "50", "PACK-C01", ""),
            ("PK-BAG-PE", "50", "PACK-C01", ""),
        ],
        output=("48", "2"),
        planner=planner,
        keeper=keeper,
    )
    leftovers_overdue(planner, keeper)
    return running, done


def chair_order_completed(number, quantity, issued, *, output, planner, keeper):
    """A chair work order released, issued ``issued``, its (good, scrap) output reported and
    completed."""
    completed = work_order_release(
        work_order=work_order(number, "FG-CHAIR-01", quantity, "WS-ASM", planner), actor=planner
    )
    work_order_issue(work_order=completed, actor=keeper, lines=issue_lines(*issued))
    good, scrap = output
    work_order_report_output(
        work_order=completed, good_qty=Decimal(good), scrap_qty=Decimal(scrap), actor=planner
    )
    return work_order_complete(work_order=completed, actor=planner)


def leftovers_overdue(planner, keeper):
    """A work order completed 30 h ago with leftovers neither returned nor declared (it used
    tubes and screws for 25 chairs, made 20): the alert check (R-W5, ``leftover_overdue``)
    finds it as soon as beat first runs it."""
    overdue = chair_order_completed(
        "WO-DEMO-005",
        "25",
        [("AL-TUBE-25", "108", "RAW-A01", "AL2611-01"), ("PT-SCR-M6X30", "202", "AUX-B01", "")],
        output=("19", "1"),
        planner=planner,
        keeper=keeper,
    )
    # The service stamps completion with the current time and has no way to backdate it
    # (nor should it); only the demo moves the R-W5 clock back past its 24 h deadline.
    WorkOrder.objects.filter(pk=overdue.pk).update(
        completed_at=timezone.now() - timedelta(hours=30)
    )
    return overdue


def requests(clerk, running, done):
    """A leftover return waiting for the team leader and a replenishment for the director."""
    tube = Material.objects.get(code="AL-TUBE-25")
    leftover = return_create(
        work_order=done,
        applicant=clerk,
        reason=ReasonCode.objects.get(kind=RequestKind.RETURN, code="LEFTOVER"),
        lines=[
            {
                "material": tube,
                "lot": tube.lots.get(batch_no="AL2611-02"),
                "serials": [],
                "quantity": Decimal("6"),
                "condition": "good",
                "excess_explanation": "",
            }
        ],
    )
    return_submit(return_request=leftover, actor=clerk)
    scrap = replenish_create(
        work_order=running,
        applicant=clerk,
        reason=ReasonCode.objects.get(kind=RequestKind.REPLENISH, code="OVER_QUOTA"),
        explanation="Cutting loss above quota on line 1",
        lines=[{"material": tube, "quantity": Decimal("4"), "citations": []}],
    )
    replenish_submit(replenish_request=scrap, actor=clerk)


def scrap_disposals(users):
    """R-D1: failed material moved into the scrap area and quarantine, one disposal posted
    (signed by QC and the production manager) and one waiting for QC's signature."""
    tube, pipe = Material.objects.get(code="AL-TUBE-25"), Material.objects.get(code="FE-PIPE-19")
    scrap_area, quarantine = (
        Location.objects.get(code="QA-SCRAP"),
        Location.objects.get(code="QA-QUAR"),
    )
    tube_lot, pipe_lot = tube.lots.get(batch_no="AL2611-01"), pipe.lots.get(batch_no="FE2611-01")
    keeper, cutting = users["keeper"], Workshop.objects.get(code="WS-CUT")
    moves = [
        (tube, tube_lot, "RAW-A01", scrap_area, 10),
        (pipe, pipe_lot, "RAW-A03", quarantine, 4),
    ]
    for material, lot, source, target, quantity in moves:
        stock_transfer(
            material=material,
            from_location=Location.objects.get(code=source),
            to_location=target,
            quantity=Decimal(quantity),
            lot=lot,
            remark="QC: failed",
            actor=keeper,
        )
    posted = scrap_disposal_create(
        workshop=cutting,
        route="warehouse_scrap",
        explanation="Bent tubes from line 1",
        lines=[
            DisposalLineInput(material=tube, lot=tube_lot, location=scrap_area, quantity=Decimal(6))
        ],
        applicant=users["admin"],
    )
    scrap_disposal_submit(disposal=posted, actor=users["admin"])
    for approver in (users["qc"], users["prodmgr"], users["finance"]):
        step = steps_of(posted).filter(state=StepState.PENDING).first()
        if step is not None:
            approval_decide(step=step, actor=approver, approve=True)
    posted.refresh_from_db()
    scrap_disposal_post(disposal=posted, actor=keeper)
    waiting = scrap_disposal_create(
        workshop=cutting,
        route="warehouse_scrap",
        lines=[
            DisposalLineInput(
                material=tube, lot=tube_lot, location=scrap_area, quantity=Decimal(4)
            ),
            DisposalLineInput(
                material=pipe, lot=pipe_lot, location=quarantine, quantity=Decimal(4)
            ),
        ],
        applicant=keeper,
    )
    scrap_disposal_submit(disposal=waiting, actor=keeper)


@transaction.atomic
def seed_demo(*, password):
    """Create the demo factory; returns False when it was already there."""
    role_groups_sync()
    users = {
        name: user_ensure(
            username=name, role=role, password=password, is_superuser=(name == "admin")
        )
        for name, role in USERS.items()
    }
    if WorkOrder.objects.filter(number=MARKER_WORK_ORDER).exists():
        return False
    master_data(users["admin"])
    tier_assignments(users)
    stock(users["keeper"])
    running, done = work_orders(users["director"], users["keeper"])
    requests(users["clerk"], running, done)
    scrap_disposals(users)
    return True
