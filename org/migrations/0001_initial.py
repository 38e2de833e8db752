"""``Workshop`` moves here from ``workorders`` (issue #13): the state only, its tables stay
(``workorders_workshop`` and ``workorders_workshop_members``). Its content type moves with
it, so the permissions that groups hold keep their rows."""

from django.conf import settings
from django.db import migrations, models


def content_type_move(apps, schema_editor, source="workorders", target="org"):
    content_type = apps.get_model("contenttypes", "ContentType")
    if content_type.objects.filter(app_label=target, model="workshop").exists():
        return
    content_type.objects.filter(app_label=source, model="workshop").update(app_label=target)


def content_type_move_back(apps, schema_editor):
    content_type_move(apps, schema_editor, source="org", target="workorders")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("workorders", "0003_workshop_members"),
        ("core", "0006_role_groups_attachments_alerts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Workshop",
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
                            "members",
                            models.ManyToManyField(
                                blank=True,
                                help_text="People who see and act on this workshop's requests and work orders.",
                                related_name="workshops",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="members",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "workshop",
                        "verbose_name_plural": "workshops",
                        "db_table": "workorders_workshop",
                        "ordering": ["code"],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_move, content_type_move_back),
    ]
