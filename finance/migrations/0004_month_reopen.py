"""Issue #15: a month finance reopened keeps who, when and why; the periods locked before
take their month's confirmation as the lock's holder, so a refused posting names it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def lock_holders_fill(apps, schema_editor):
    month_end = apps.get_model("finance", "MonthEnd")
    posting_period = apps.get_model("inventory", "PostingPeriod")
    for month, user_id, at in month_end.objects.filter(state="confirmed").values_list(
        "month", "confirmed_by_id", "confirmed_at"
    ):
        posting_period.objects.filter(month=month, state="locked").update(
            locked_by_id=user_id, locked_at=at
        )


class Migration(migrations.Migration):

    dependencies = [
        ('finance', '0003_workshop_in_org'),
        ('inventory', '0007_period_lock_holder'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='monthend',
            name='reopen_reason',
            field=models.TextField(blank=True, verbose_name='reason for reopening'),
        ),
        migrations.AddField(
            model_name='monthend',
            name='reopened_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='reopened'),
        ),
        migrations.AddField(
            model_name='monthend',
            name='reopened_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reopened by'),
        ),
        migrations.RunPython(lock_holders_fill, migrations.RunPython.noop),
    ]
