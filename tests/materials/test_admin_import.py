"""The materials admin: the Excel import page and audited BOM line edits."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from audit.models import AuditEvent
from materials.models import Bom, Material
from tests.factories import BomLineFactory, MaterialFactory, UserFactory, WorkshopFactory
from tests.materials import BOM_HEADER, SAMPLE, reference_data, workbook
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:materials_material_import")


@pytest.fixture
def admin_client(db):
    reference_data()
    user = get_user_model().objects.create_superuser(username="boss", password="pw-1-tests")
    client = Client()
    client.force_login(user)
    return client


def upload(client, name, content):
    return client.post(
        IMPORT_URL, {"file": SimpleUploadedFile(name, content)}, HTTP_X_DEVICE_ID="PC-9"
    )


def test_changelist_links_to_the_import_page(admin_client):
    response = admin_client.get(reverse("admin:materials_material_changelist"))
    assert IMPORT_URL in response.content.decode()
    assert admin_client.get(IMPORT_URL).status_code == 200


def test_upload_imports_and_reports_counts(admin_client):
    response = upload(admin_client, "master.xlsx", SAMPLE.read_bytes())

    assert response.status_code == 302
    assert Material.objects.count() == 12
    assert Bom.objects.count() == 2
    page = admin_client.get(response.url).content.decode()
    assert "Materials: 12 created" in page
    event = AuditEvent.objects.get(action="master.import")
    assert (event.object_id, event.actor_username, event.device_id) == (
        "master.xlsx",
        "boss",
        "PC-9",
    )


def test_upload_with_errors_lists_them_and_imports_nothing(admin_client):
    bad = workbook(BOM=[BOM_HEADER, ["GHOST", 1, "NOPE", "0", 5]])

    response = upload(admin_client, "bad.xlsx", bad.getvalue())

    assert response.status_code == 200
    errors = response.context["errors"]
    assert [(e["sheet"], e["row"], e["column"]) for e in errors] == [
        ("BOM", 2, "product"),
        ("BOM", 2, "component"),
        ("BOM", 2, "qty_per_unit"),
    ]
    page = response.content.decode()
    assert "3 errors; nothing was imported" in page
    assert "must be greater than zero" in page
    assert not Bom.objects.exists()


def test_upload_of_a_broken_file_shows_the_problem(admin_client):
    response = upload(admin_client, "broken.xlsx", b"PK not really")

    assert response.status_code == 200
    assert "not a valid Excel workbook" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "size", "message"),
    [
        ("master.xls", 100, "name ends in .xlsx"),
        ("huge.xlsx", 5 * 1024 * 1024 + 1, "larger than 5 MB"),
    ],
)
def test_wrong_uploads_are_form_errors(admin_client, name, size, message):
    response = upload(admin_client, name, b"x" * size)

    assert response.status_code == 200
    assert message in str(response.context["form"].errors["file"])
    assert not AuditEvent.objects.exists()


@override_settings(IMPORT_MAX_MB=1)
def test_the_size_limit_is_the_import_max_mb_setting(admin_client):
    page = admin_client.get(IMPORT_URL).content.decode()
    assert "at most 1 MB" in page

    response = upload(admin_client, "big.xlsx", b"x" * (1024 * 1024 + 1))

    assert "larger than 1 MB" in str(response.context["form"].errors["file"])
    assert not AuditEvent.objects.exists()


def test_import_needs_add_material_permission(db):
    clerk = UserFactory(username="clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_material"))
    client = Client()
    client.force_login(clerk)

    assert client.get(IMPORT_URL).status_code == 403
    changelist = client.get(reverse("admin:materials_material_changelist"))
    assert IMPORT_URL not in changelist.content.decode()


def bom_form(bom, lines):
    """The admin change-form POST of ``bom`` with its inline ``lines`` (dicts)."""
    data = {
        "product": bom.product.pk,
        "version": bom.version,
        "is_active": "on",
        "note": "",
        "lines-TOTAL_FORMS": len(lines),
        "lines-INITIAL_FORMS": bom.lines.count(),
        "lines-MIN_NUM_FORMS": 0,
        "lines-MAX_NUM_FORMS": 1000,
    }
    for index, line in enumerate(lines):
        data.update({f"lines-{index}-{key}": value for key, value in line.items()})
    return data


def test_bom_lines_are_saved_through_the_audited_services(admin_client):
    line = BomLineFactory(qty_per_unit=Decimal("2"))
    bom, extra = line.bom, MaterialFactory(code="EXTRA")
    url = reverse("admin:materials_bom_change", args=[bom.pk])

    response = admin_client.post(
        url,
        bom_form(
            bom,
            [
                {
                    "id": line.pk,
                    "bom": bom.pk,
                    "material": line.material.pk,
                    "qty_per_unit": "2",
                    "loss_pct": "5",
                    "DELETE": "on",
                },
                {"bom": bom.pk, "material": extra.pk, "qty_per_unit": "1.5", "loss_pct": "0"},
            ],
        ),
    )

    assert response.status_code == 302, response.context["inline_admin_formsets"]
    assert list(bom.lines.values_list("material__code", "qty_per_unit")) == [
        ("EXTRA", Decimal("1.5"))
    ]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"bomline.delete", "bomline.create"} <= actions
    assert "bom.change" not in actions  # the header was saved unchanged: nothing to audit


def test_bom_used_by_a_work_order_is_read_only(admin_client):
    bom = BomLineFactory().bom
    WorkOrder.objects.create(
        number="WO-9",
        product=bom.product,
        bom=bom,
        planned_qty=Decimal("5"),
        workshop=WorkshopFactory(),
    )
    url = reverse("admin:materials_bom_change", args=[bom.pk])

    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, bom_form(bom, [])).status_code == 403
