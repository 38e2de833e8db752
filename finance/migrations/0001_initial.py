"""The month-end models move from ``returns`` to ``finance`` (issue #13): the tables stay
(``db_table``), only Django's state moves; their content types move with them so the
permissions (``confirm_month``, ``view_monthend``) and the groups holding them stay."""

import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models

MODELS = ["monthend", "monthendline", "monthenddocument"]


def content_types_move(source, target):
    def move(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        for model in MODELS:
            if not content_type.objects.filter(app_label=target, model=model).exists():
                content_type.objects.filter(app_label=source, model=model).update(
                    app_label=target
                )
        content_type.objects.clear_cache()

    return move


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('returns', '0006_month_end_to_finance'),
        ('materials', '0001_initial'),
        ('workorders', '0003_workshop_members'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='MonthEnd',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField(help_text='First day of the month.', unique=True, verbose_name='month')),
                        ('state', models.CharField(choices=[('open', 'open'), ('confirmed', 'confirmed by finance')], default='open', max_length=10, verbose_name='state')),
                        ('flag_amount', models.DecimalField(decimal_places=2, default=Decimal('0'), help_text='Replenishments above this go to the GM office.', max_digits=14, verbose_name='spot-check amount')),
                        ('computed_at', models.DateTimeField(blank=True, null=True, verbose_name='computed')),
                        ('confirmed_at', models.DateTimeField(blank=True, null=True, verbose_name='confirmed')),
                        ('confirmed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='confirmed by')),
                    ],
                    options={
                        'verbose_name': 'month-end summary',
                        'verbose_name_plural': 'month-end summaries',
                        'db_table': 'returns_monthend',
                        'ordering': ['-month'],
                        'permissions': [('confirm_month', 'Can confirm and lock a month')],
                    },
                ),
                migrations.CreateModel(
                    name='MonthEndDocument',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('return', 'return'), ('replenish', 'replenishment')], max_length=10, verbose_name='kind')),
                        ('number', models.CharField(max_length=64, verbose_name='number')),
                        ('reason_code', models.CharField(max_length=32, verbose_name='reason')),
                        ('responsible_party', models.CharField(blank=True, choices=[('production', 'production'), ('warehouse', 'warehouse'), ('technical', 'technical'), ('qc', 'QC'), ('planning', 'planning'), ('supplier', 'supplier')], max_length=12, verbose_name='responsible party')),
                        ('amount', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14, verbose_name='amount')),
                        ('points', models.PositiveIntegerField(default=0, verbose_name='penalty points')),
                        ('flagged', models.BooleanField(default=False, verbose_name='spot check')),
                        ('month_end', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='documents', to='finance.monthend')),
                        ('workshop', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='workorders.workshop', verbose_name='workshop')),
                    ],
                    options={
                        'verbose_name': 'month-end document',
                        'verbose_name_plural': 'month-end documents',
                        'db_table': 'returns_monthenddocument',
                        'ordering': ['id'],
                    },
                ),
                migrations.CreateModel(
                    name='MonthEndLine',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('return', 'return'), ('replenish', 'replenishment')], max_length=10, verbose_name='kind')),
                        ('reason_code', models.CharField(max_length=32, verbose_name='reason')),
                        ('responsible_party', models.CharField(blank=True, choices=[('production', 'production'), ('warehouse', 'warehouse'), ('technical', 'technical'), ('qc', 'QC'), ('planning', 'planning'), ('supplier', 'supplier')], max_length=12, verbose_name='responsible party')),
                        ('approval_class', models.CharField(max_length=1, verbose_name='approval class')),
                        ('quantity', models.DecimalField(decimal_places=4, default=Decimal('0'), max_digits=16, verbose_name='quantity')),
                        ('amount', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14, verbose_name='amount')),
                        ('material', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='materials.material', verbose_name='material')),
                        ('month_end', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='finance.monthend')),
                        ('workshop', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='workorders.workshop', verbose_name='workshop')),
                    ],
                    options={
                        'verbose_name': 'month-end line',
                        'verbose_name_plural': 'month-end lines',
                        'db_table': 'returns_monthendline',
                        'ordering': ['id'],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            content_types_move("returns", "finance"), content_types_move("finance", "returns")
        ),
    ]
