"""The ``jobs`` app folds into the outbox (issue #13 item 6): tasks still waiting for the
broker in ``jobs_deferreddispatch`` become task rows of the outbox, in their order, and the
table goes with the app's migration records. A database that never had the app has nothing
to move. Month-end runs deferred under their old name take the new one (as
finance 0002 did while the app existed)."""

import json

from django.db import migrations

TABLE = "jobs_deferreddispatch"
RENAMED = {"returns.tasks.month_end_task": "finance.tasks.month_end_task"}


def decoded(value, empty):
    if value is None:
        return empty
    return json.loads(value) if isinstance(value, str) else value


def deferred_move(apps, schema_editor):
    connection = schema_editor.connection
    if TABLE not in connection.introspection.table_names():
        return
    outbox_event = apps.get_model("core", "OutboxEvent")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT task_name, args, kwargs, attempts, last_error FROM {TABLE} ORDER BY id"
        )
        rows = cursor.fetchall()
    outbox_event.objects.bulk_create(
        [
            outbox_event(
                kind="task",
                topic=RENAMED.get(name, name),
                payload={"args": decoded(args, []), "kwargs": decoded(kwargs, {})},
                attempts=attempts,
                last_error=(last_error or "")[:500],
            )
            for name, args, kwargs, attempts, last_error in rows
        ]
    )
    schema_editor.execute(f"DROP TABLE {TABLE}")
    schema_editor.execute("DELETE FROM django_migrations WHERE app = 'jobs'")


class Migration(migrations.Migration):
    dependencies = [("core", "0009_outbox_tasks")]

    operations = [migrations.RunPython(deferred_move, migrations.RunPython.noop)]
