"""The "Suppliers" sheet of the master import (#18 item 1, R-S1): upsert by code, every bad
cell reported in the user's language, nothing written on error, one audit event."""

import pytest
from django.utils import translation

from audit.models import AuditEvent
from materials.importing.master import master_import
from materials.importing.messages import MasterImportError, import_summary
from materials.models import Material, Supplier
from tests.factories import SupplierFactory
from tests.materials import MATERIAL_HEADER, SAMPLE, reference_data, workbook

pytestmark = pytest.mark.django_db

HEADER = ["code", "name", "contact", "phone", "e-mail", "active"]


def refused(file, user):
    with pytest.raises(MasterImportError) as caught:
        master_import(file=file, actor=user, device="PC-2")
    return caught.value


def test_sample_suppliers_are_imported(user):
    reference_data()
    counts = master_import(file=SAMPLE, actor=user)

    assert counts["suppliers_created"] == 7
    chem = Supplier.objects.get(code="SUP-CHEM")
    assert (chem.name, chem.contact, chem.phone, chem.email, chem.is_active) == (
        "Ningbo Adhesives Ltd.",
        "Xu Fang",
        "0574-8700-6006",
        "qa@nb-adh.example",
        True,
    )
    assert Supplier.objects.get(code="SUP-BOARD").is_active is True  # "是"
    assert "Suppliers: 7 created, 0 updated, 0 unchanged." in import_summary(counts)


def test_suppliers_upsert_by_code_and_are_audited(user):
    kept = SupplierFactory(code="S-1", name="Old name", contact="Mr Li", phone="123")
    sheet = workbook(
        Suppliers=[
            ["code", "name", "e-mail", "active"],  # contact and phone not in the sheet: kept
            ["S-1", "New name", "li@s1.example", "no"],
            ["S-2", "Second supplier", None, None],
        ]
    )

    counts = master_import(file=sheet, actor=user, device="PC-2")

    assert (counts["suppliers_created"], counts["suppliers_updated"]) == (1, 1)
    kept.refresh_from_db()
    assert (kept.name, kept.contact, kept.phone, kept.email, kept.is_active) == (
        "New name",
        "Mr Li",
        "123",
        "li@s1.example",
        False,
    )
    second = Supplier.objects.get(code="S-2")
    assert (second.email, second.is_active) == ("", True)
    event = AuditEvent.objects.get(action="master.import")
    assert event.device_id == "PC-2"
    assert event.after["created_suppliers"] == ["S-2"]
    assert event.before["suppliers"]["S-1"]["name"] == "Old name"
    assert event.after["suppliers"]["S-1"] == {
        "name": "New name",
        "email": "li@s1.example",
        "is_active": False,
    }
    # the same sheet again changes nothing
    again = master_import(file=sheet, actor=user)
    assert (again["suppliers_unchanged"], again["suppliers_updated"]) == (2, 0)


def bad_sheet():
    return workbook(
        Materials=[MATERIAL_HEADER, ["M-NEW", "New material", "PCS", "PART", "AUX", "1"]],
        Suppliers=[
            [*HEADER, "rating"],
            ["S-1", None, None, None, "not-an-address", "maybe", None],
            ["S-2", "X" * 121, None, "=1+1", None, "yes", None],
            ["S-1", "Again", None, None, None, None, None],
        ],
    )


def test_bad_supplier_cells_are_reported_and_nothing_is_written(user):
    reference_data()
    error = refused(bad_sheet(), user)

    assert error.messages == [
        "Suppliers!R1 rating: unknown column",
        "Suppliers!R2 name: a value is required",
        "Suppliers!R2 e-mail: must be an e-mail address",
        "Suppliers!R2 active: must be yes or no",
        "Suppliers!R3 phone: formulas are not allowed",
        "Suppliers!R3 name: Ensure this value has at most 120 characters (it has 121).",
        "Suppliers!R4 code: the same code is already in row 2",
    ]
    assert not Supplier.objects.exists()
    assert not Material.objects.exists()  # all or nothing: the good sheet waits too
    assert not AuditEvent.objects.filter(action="master.import").exists()


def test_the_messages_are_in_chinese(user):
    reference_data()
    with translation.override("zh-hans"):
        error = refused(bad_sheet(), user)
        messages = [str(message) for message in error.messages]
    assert "Suppliers!R2 e-mail: 必须是电子邮件地址" in messages
    assert "Suppliers!R2 active: 必须为“是”或“否”（yes/no）" in messages
    assert all("Ensure this value" not in message for message in messages)


def test_missing_code_column_is_refused(user):
    error = refused(workbook(Suppliers=[["name"], ["A supplier"]]), user)
    assert error.messages == ["Suppliers!R1 code: required column is missing"]
