"""Warehouse categories, warehouses and locations move here from ``inventory`` (issue #13):
the state only, their tables stay (``inventory_warehousecategory``, ``inventory_warehouse``,
``inventory_location``). Their content types move with them, so the permissions that groups
hold keep their rows (``inventory.view_location`` becomes ``materials.view_location``).
``inventory`` 0006 drops the old state once every relation points here."""

import django.db.models.deletion
from django.db import migrations, models

PLACES = ("warehousecategory", "warehouse", "location")


def content_types_move(apps, schema_editor, source="inventory", target="materials"):
    """Relabel each content type. Where the target already exists too (a later migration's
    permission sync created it while the source was still there), the source's permissions,
    which groups and users hold, move onto the target in place of its duplicates."""
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    for model in PLACES:
        old = content_type.objects.filter(app_label=source, model=model).first()
        if old is None:
            continue
        new = content_type.objects.filter(app_label=target, model=model).first()
        if new is None:
            content_type.objects.filter(pk=old.pk).update(app_label=target)
            continue
        kept = permission.objects.filter(content_type=old).values("codename")
        permission.objects.filter(content_type=new, codename__in=kept).delete()
        permission.objects.filter(content_type=old).update(content_type=new)
        content_type.objects.filter(pk=old.pk).delete()


def content_types_move_back(apps, schema_editor):
    content_types_move(apps, schema_editor, source="materials", target="inventory")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("materials", "0001_initial"),
        ("inventory", "0005_posting_period"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="WarehouseCategory",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("code", models.CharField(max_length=32, unique=True, verbose_name="code")),
                        ("name", models.CharField(max_length=100, verbose_name="name")),
                    ],
                    options={
                        "verbose_name": "warehouse category",
                        "verbose_name_plural": "warehouse categories",
                        "db_table": "inventory_warehousecategory",
                        "ordering": ["code"],
                    },
                ),
                migrations.CreateModel(
                    name="Warehouse",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("code", models.CharField(max_length=32, unique=True, verbose_name="code")),
                        ("name", models.CharField(max_length=100, verbose_name="name")),
                        (
                            "category",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                to="materials.warehousecategory",
                                verbose_name="category",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "warehouse",
                        "verbose_name_plural": "warehouses",
                        "db_table": "inventory_warehouse",
                        "ordering": ["code"],
                    },
                ),
                migrations.CreateModel(
                    name="Location",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("code", models.CharField(max_length=40, unique=True, verbose_name="code")),
                        ("name", models.CharField(blank=True, max_length=100, verbose_name="name")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("storage", "storage"),
                                    ("line", "line side"),
                                    ("quarantine", "quarantine"),
                                    ("scrap", "scrap"),
                                    ("supplier_return", "supplier-return area"),
                                ],
                                default="storage",
                                max_length=16,
                                verbose_name="kind",
                            ),
                        ),
                        ("is_active", models.BooleanField(default=True, verbose_name="active")),
                        (
                            "warehouse",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="locations",
                                to="materials.warehouse",
                                verbose_name="warehouse",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "location",
                        "verbose_name_plural": "locations",
                        "db_table": "inventory_location",
                        "ordering": ["code"],
                    },
                ),
                migrations.AlterField(
                    model_name="material",
                    name="warehouse_category",
                    field=models.ForeignKey(
                        help_text="One return slip holds materials of one warehouse category (R-M2).",
                        on_delete=django.db.models.deletion.PROTECT,
                        to="materials.warehousecategory",
                        verbose_name="warehouse category",
                    ),
                ),
                migrations.AlterField(
                    model_name="material",
                    name="default_location",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="materials.location",
                        verbose_name="default location",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_move, content_types_move_back),
    ]
