from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0004_ledger_reason_code"),
    ]

    operations = [
        migrations.CreateModel(
            name="PostingPeriod",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "month",
                    models.DateField(
                        help_text="First day of the month.", unique=True, verbose_name="month"
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[("open", "open"), ("locked", "locked by finance")],
                        default="open",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
            ],
            options={
                "verbose_name": "posting period",
                "verbose_name_plural": "posting periods",
                "ordering": ["-month"],
            },
        ),
    ]
