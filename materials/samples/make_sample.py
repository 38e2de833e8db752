"""Writes master_sample.xlsx, a furniture factory's material master and two product BOMs.

Regenerate with ``.venv/bin/python -m materials.samples.make_sample``. The workbook imports
into a database holding these reference codes (the demo seed and the tests create them):
units PCS, M, KG, SET; material categories ALU, IRON, BOARD, FABRIC, CARTON, CHEM, PART,
PACK, SEMI, FG; warehouse categories RAW, AUX, PACK, CHEM, SEMI, FG.
"""

from pathlib import Path

from core.excel import Column, sheet_write, workbook_new

MATERIAL_HEADER = [
    "code", "name", "specification", "uom", "category", "approval_class",
    "warehouse_category", "standard_cost", "tracking", "shelf_life_days", "inspect_on_return",
    "default_location", "gtin", "lead_time_days", "emergency_purchase_days", "daily_usage",
]

# A blank approval_class takes the category's class (R-A1).
MATERIALS = [
    ["AL-TUBE-25", "Aluminium tube", "Ø25×1.2 mm, 6063-T5, 6 m", "M", "ALU", None, "RAW",
     18.5, "batch", None, "no", None, None, 15, 3, 240],
    ["FE-PIPE-19", "Iron pipe", "Ø19×1.0 mm, Q195, 6 m", "M", "IRON", None, "RAW",
     6.8, "batch", None, "no", None, None, 10, 2, 320],
    ["BD-E1-18", "Particle board E1", "1220×2440×18 mm", "PCS", "BOARD", None, "RAW",
     96, "batch", None, "no", None, None, 12, 3, 40],
    ["FB-OXF-600D", "Oxford fabric 600D", "PU coated, 150 cm wide, navy", "M", "FABRIC", None,
     "RAW", 12.35, "batch", None, "no", None, None, 20, 5, 180],
    ["CT-5L-CHAIR", "Carton 5-ply, chair", "960×560×120 mm, K=K", "PCS", "CARTON", None,
     "PACK", 7.2, "none", None, "no", None, None, 7, 2, 150],
    ["CH-GLUE-PU", "PU wood glue", "D4, 20 kg drum", "KG", "CHEM", None, "CHEM",
     28.5, "batch", 180, "yes", None, None, 10, 2, 12.5],
    ["CH-POWDER-BK", "Powder coating, black", "polyester, matt, 20 kg box", "KG", "CHEM", None,
     "CHEM", 32, "batch", 365, "是", None, None, 14, 3, 18.25],
    ["PT-SCR-M6X30", "Hex socket screw", "M6×30, zinc plated", "PCS", "PART", None, "AUX",
     0.0625, "none", None, "no", None, "6901234567892", 5, 1, 4000],
    ["PT-CAP-25", "End cap", "Ø25 mm, PP, black", "PCS", "PART", "C", "AUX",
     0.08, "none", None, "no", None, None, 7, 2, 2000],
    ["PK-BAG-PE", "PE bag", "1000×700 mm, 0.05 mm", "PCS", "PACK", None, "PACK",
     0.35, "none", None, "no", None, None, 5, 1, 300],
    ["FG-CHAIR-01", "Folding camping chair", "aluminium frame, Oxford seat", "PCS", "FG", None,
     "FG", 168, "serial", None, "no", None, "6901234567809", 0, 0, 0],
    ["FG-TABLE-01", "Garden table set", "iron frame, board top, 4 seats", "SET", "FG", None,
     "FG", 420, "batch", None, "no", None, None, 0, 0, 0],
]

BOM_HEADER = ["product", "version", "component", "qty_per_unit", "loss_pct"]

BOM = [
    ["FG-CHAIR-01", 1, "AL-TUBE-25", 4.2, 3],
    ["FG-CHAIR-01", 1, "FB-OXF-600D", 0.85, 5],
    ["FG-CHAIR-01", 1, "PT-SCR-M6X30", 8, 1],
    ["FG-CHAIR-01", 1, "PT-CAP-25", 4, 2],
    ["FG-CHAIR-01", 1, "CT-5L-CHAIR", 1, 0],
    ["FG-CHAIR-01", 1, "PK-BAG-PE", 1, 0.5],
    ["FG-TABLE-01", 1, "FE-PIPE-19", 12.6, 2.5],
    ["FG-TABLE-01", 1, "BD-E1-18", 0.5, 4],
    ["FG-TABLE-01", 1, "CH-GLUE-PU", 0.125, 5],
    ["FG-TABLE-01", 1, "CH-POWDER-BK", 0.35, 8],
    ["FG-TABLE-01", 1, "PT-SCR-M6X30", 24, 1],
]


def sample_write(path):
    """Through the product's one writer (core.excel), like every workbook it hands out."""
    workbook = workbook_new()
    sheet_write(workbook, "Materials", [Column(name) for name in MATERIAL_HEADER], MATERIALS)
    sheet_write(workbook, "BOM", [Column(name) for name in BOM_HEADER], BOM)
    workbook.save(path)


if __name__ == "__main__":
    sample_write(Path(__file__).with_name("master_sample.xlsx"))
