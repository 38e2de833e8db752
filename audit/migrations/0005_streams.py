# Audit chain streams (issue #17 item 7): the existing rows and head become stream 0 as they
# are; no row is rewritten, so every hash stays valid (stream 0 is not part of the hash).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_request_id'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='stream',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='stream'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='seq',
            field=models.PositiveBigIntegerField(verbose_name='sequence'),
        ),
        migrations.AddConstraint(
            model_name='auditevent',
            constraint=models.UniqueConstraint(fields=('stream', 'seq'), name='audit_event_stream_seq'),
        ),
        migrations.AlterModelOptions(
            name='auditevent',
            options={'ordering': ['-id'], 'verbose_name': 'audit event', 'verbose_name_plural': 'audit events'},
        ),
        # The one head there was (pk 1) becomes stream 0's, keyed_from and all.
        migrations.AddField(
            model_name='chainhead',
            name='stream',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='stream'),
            preserve_default=False,
        ),
        migrations.RemoveField(
            model_name='chainhead',
            name='id',
        ),
        migrations.AlterField(
            model_name='chainhead',
            name='stream',
            field=models.PositiveSmallIntegerField(primary_key=True, serialize=False, verbose_name='stream'),
        ),
    ]
