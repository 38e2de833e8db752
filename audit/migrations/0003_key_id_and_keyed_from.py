# Keyed audit chain (issue #12, deliverable 9): rows already written keep their plain sha256
# and verify only as the prefix before ``keyed_from``; every later row must be keyed.

from django.db import migrations, models


def keyed_from_after_existing_rows(apps, schema_editor):
    ChainHead = apps.get_model("audit", "ChainHead")
    for head in ChainHead.objects.all():
        head.keyed_from = head.last_seq + 1
        head.save(update_fields=["keyed_from"])


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only_trigger'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='key_id',
            field=models.CharField(blank=True, default='', max_length=32, verbose_name='key'),
        ),
        migrations.AddField(
            model_name='chainhead',
            name='keyed_from',
            field=models.PositiveBigIntegerField(default=1),
        ),
        migrations.RunPython(keyed_from_after_existing_rows, migrations.RunPython.noop),
    ]
