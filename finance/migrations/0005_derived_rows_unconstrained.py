"""Issue #17 item 3: month-end lines and documents are derived rows, rebuilt from the ledger
in one transaction; their foreign keys lose the database constraint whose deferred checks
cost about 0.9 s at COMMIT on a 1 M-row month, and the workshop and material keys their
indexes, which no read uses (finance.models.MonthEndRow)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    # Only the month-end's own history: a dependency on the latest materials/org migrations
    # would pull org's role-group migration ahead of the places move in a fresh database's
    # plan, where it would create permissions under the places' old app label.
    dependencies = [
        ('finance', '0004_month_reopen'),
    ]

    operations = [
        migrations.AlterField(
            model_name='monthenddocument',
            name='month_end',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='documents', to='finance.monthend'),
        ),
        migrations.AlterField(
            model_name='monthenddocument',
            name='workshop',
            field=models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.workshop', verbose_name='workshop'),
        ),
        migrations.AlterField(
            model_name='monthendline',
            name='material',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='materials.material', verbose_name='material'),
        ),
        migrations.AlterField(
            model_name='monthendline',
            name='month_end',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='finance.monthend'),
        ),
        migrations.AlterField(
            model_name='monthendline',
            name='workshop',
            field=models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.workshop', verbose_name='workshop'),
        ),
    ]
