"""The ledger's posting periods filled from the month-ends (issue #13): a confirmed month is
locked, a computed one open; the role groups synced again now that ``confirm_month`` and
``view_monthend`` are finance's. (Deferred month-end runs following the task to its new name
moved to core 0010, which folds the ``jobs`` app's table into the outbox.)"""

from django.db import migrations

from org.roles import groups_migrate


def periods_fill(apps, schema_editor):
    month_end = apps.get_model("finance", "MonthEnd")
    posting_period = apps.get_model("inventory", "PostingPeriod")
    posting_period.objects.bulk_create(
        [
            posting_period(month=month, state="locked" if state == "confirmed" else "open")
            for month, state in month_end.objects.values_list("month", "state")
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0001_initial"),
        ("inventory", "0005_posting_period"),
        ("core", "0008_login_lockout"),
    ]

    operations = [
        migrations.RunPython(periods_fill, migrations.RunPython.noop),
        migrations.RunPython(groups_migrate, migrations.RunPython.noop),
    ]
