"""The month-end models leave ``returns`` for ``finance`` (issue #13): state only, the tables
stay and ``finance`` 0001 takes them over."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0005_request_attachments"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="MonthEndDocument"),
                migrations.DeleteModel(name="MonthEndLine"),
                migrations.DeleteModel(name="MonthEnd"),
            ],
            database_operations=[],
        ),
    ]
