"""The ledger's posting periods filled from the month-ends (issue #13): a confirmed month is
locked, a computed one open; the role groups synced again now that ``confirm_month`` and
``view_monthend`` are finance's; deferred month-end runs follow the task to its new name."""

from django.db import migrations

from org.roles import groups_migrate

OLD_TASK, NEW_TASK = "returns.tasks.month_end_task", "finance.tasks.month_end_task"


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


def task_rename(old, new):
    def rename(apps, schema_editor):
        deferred = apps.get_model("jobs", "DeferredDispatch")
        deferred.objects.filter(task_name=old).update(task_name=new)

    return rename


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0001_initial"),
        ("inventory", "0005_posting_period"),
        ("core", "0008_login_lockout"),
        ("jobs", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(periods_fill, migrations.RunPython.noop),
        migrations.RunPython(groups_migrate, migrations.RunPython.noop),
        migrations.RunPython(task_rename(OLD_TASK, NEW_TASK), task_rename(NEW_TASK, OLD_TASK)),
    ]
